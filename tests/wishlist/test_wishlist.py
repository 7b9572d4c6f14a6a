"""The wishlist (hearts, guest list with the cart, merged on login, changes since added) and
recently viewed products (in the session only)."""

from sqlalchemy import func, select

from storefront.extensions import db
from storefront.wishlist.models import WishlistItem
from tests.conftest import AuthActions
from tests.factories import DEFAULT_PASSWORD, ProductFactory, UserFactory


def _add(client, product, next_url="/products"):
    return client.post("/wishlist/add", data={"product_id": product.id, "next": next_url})


def test_guest_heart_works_without_javascript_and_lives_with_the_cart(app):
    honey = ProductFactory(name="Mật ong bạc hà", slug="mat-ong")
    db.session.commit()
    client = app.test_client()
    card = client.get("/products").get_data(as_text=True)
    assert 'action="/wishlist/add"' in card and f'value="{honey.id}"' in card
    response = _add(client, honey, "/products/mat-ong")
    assert response.status_code == 303 and response.headers["Location"] == "/products/mat-ong"
    assert _add(client, honey).status_code == 303  # twice is once
    item = db.session.scalar(select(WishlistItem))
    assert item.user_id is None and item.guest_token  # the cart cookie's token
    assert db.session.scalar(select(func.count()).select_from(WishlistItem)) == 1
    page = client.get("/wishlist").get_data(as_text=True)
    assert "Mật ong bạc hà" in page and 'action="/wishlist/remove"' in page
    assert 'action="/wishlist/remove"' in client.get("/products/mat-ong").get_data(as_text=True)
    client.post("/wishlist/remove", data={"product_id": honey.id})
    assert db.session.scalar(select(func.count()).select_from(WishlistItem)) == 0


def test_guest_list_merges_into_the_account_on_login(app):
    honey, linen = ProductFactory(name="Mật ong"), ProductFactory(name="Khăn lanh")
    user = UserFactory(email="mai@example.vn")
    db.session.commit()
    member = app.test_client()
    AuthActions(member).login_as(user)
    _add(member, honey)  # already on the account's list
    guest = app.test_client()
    _add(guest, honey)
    _add(guest, linen)
    login = guest.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert login.status_code == 302
    rows = db.session.execute(select(WishlistItem.user_id, WishlistItem.product_id)).all()
    assert sorted(rows) == sorted([(user.id, honey.id), (user.id, linen.id)])
    page = guest.get("/wishlist").get_data(as_text=True)
    assert "Mật ong" in page and "Khăn lanh" in page


def test_wishlist_shows_price_and_stock_changes(app):
    honey = ProductFactory(name="Mật ong", price=350_000, stock_on_hand=5)
    linen = ProductFactory(name="Khăn lanh", price=450_000, stock_on_hand=0)
    db.session.commit()
    client = app.test_client()
    _add(client, honey)
    _add(client, linen)
    honey.price, honey.stock_on_hand = 300_000, 0
    linen.price, linen.stock_on_hand = 500_000, 3
    db.session.commit()
    page = client.get("/wishlist").get_data(as_text=True)
    assert "Giá giảm 50.000" in page and "Giá tăng 50.000" in page
    assert "Đã hết hàng từ khi bạn thêm" in page and "Đã có hàng trở lại" in page


def test_bad_wishlist_input_never_fails(app):
    client = app.test_client()
    for data in (
        {},
        {"product_id": "x"},
        {"product_id": "99999999999"},
        {"product_id": "-1"},
        {"product_id": "7", "next": "https://evil.example/"},
        {"product_id": "1\x00"},
    ):
        response = client.post("/wishlist/add", data=data)
        assert response.status_code in (303, 400, 404, 422), data
        assert "evil.example" not in response.headers.get("Location", "")
    assert client.post("/wishlist/add", data={"product_id": "424242"}).status_code == 404
    client.set_cookie(app.config["CART_COOKIE_NAME"], "%7f" * 80)
    assert client.get("/wishlist").status_code == 200


def test_recently_viewed_on_product_and_home_pages(app):
    products = [ProductFactory(name=f"Sản phẩm {i}", slug=f"sp-{i}") for i in range(3)]
    db.session.commit()
    client = app.test_client()
    assert "Sản phẩm đã xem gần đây" not in client.get("/").get_data(as_text=True)
    for product in products:
        client.get(f"/products/{product.slug}")
    page = client.get("/products/sp-0").get_data(as_text=True)
    recent = page.split('id="recent-heading"')[1]
    assert "Sản phẩm 2" in recent and "Sản phẩm 1" in recent
    home = client.get("/").get_data(as_text=True).split('id="recent-heading"')[1]
    assert home.index("Sản phẩm 0") < home.index("Sản phẩm 2")  # most recent first
    # Kept in the (signed) session: no cookie of its own, nothing in the database.
    cookies = {c.key for c in client._cookies.values()}
    assert cookies <= {app.config["SESSION_COOKIE_NAME"]}
    other = app.test_client()
    assert 'id="recent-heading"' not in other.get("/").get_data(as_text=True)

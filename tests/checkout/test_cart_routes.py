from sqlalchemy import func, select

from storefront.cart.models import Cart, CartLine
from storefront.catalogue.models import ProductStatus
from storefront.extensions import db
from tests.factories import ProductFactory, UserFactory, variant_of, vid

EN = {"lang": "en"}


def _lines():
    return db.session.execute(select(CartLine.product_id, CartLine.quantity)).all()


def test_anonymous_cart_cookie_is_httponly_and_lax(client):
    honey = ProductFactory(name="Mật ong bạc hà", price=250_000)
    response = client.post("/cart/add", data={"product_id": honey.id, "quantity": "2"})
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("cart=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/cart")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Mật ong bạc hà" in text and "500.000" in text
    assert _lines() == [(honey.id, 2)]


def test_add_redirects_to_a_safe_next_only(client):
    honey = ProductFactory()
    ok = client.post("/cart/add", data={"product_id": honey.id, "quantity": 1, "next": "/products"})
    assert ok.headers["Location"].endswith("/products")
    evil = client.post(
        "/cart/add", data={"product_id": honey.id, "quantity": 1, "next": "https://evil.example"}
    )
    assert evil.headers["Location"].endswith("/cart")


def test_tampering_is_rejected_with_a_message_and_nothing_changes(client):
    honey = ProductFactory(price=250_000)
    draft = ProductFactory(status=ProductStatus.DRAFT)
    client.set_cookie("lang", "en")
    client.post("/cart/add", data={"product_id": honey.id, "quantity": 1})
    cases = [
        ({"product_id": honey.id, "quantity": 1, "price": "1"}, "does not match our price"),
        ({"product_id": honey.id, "quantity": 1, "currency": "usd"}, "đồng only"),
        ({"product_id": honey.id, "quantity": "0"}, "at least 1"),
        ({"product_id": honey.id, "quantity": "-3"}, "at least 1"),
        ({"product_id": honey.id, "quantity": "1.5"}, "whole number"),
        ({"product_id": honey.id, "quantity": "100000"}, "at most 99"),
        ({"product_id": honey.id, "quantity": "1" + "0" * 30}, "whole number"),
        ({"product_id": honey.id, "quantity": "99"}, "at most 99"),
        ({"product_id": draft.id, "quantity": 1}, "not available"),
    ]
    for data, message in cases:
        response = client.post("/cart/add", data=data)
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), data
    assert _lines() == [(honey.id, 1)]


def test_update_and_remove_lines(client):
    honey = ProductFactory(stock_on_hand=5)
    client.set_cookie("lang", "en")
    client.post("/cart/add", data={"product_id": honey.id, "quantity": 1})
    line_id = db.session.scalar(select(CartLine.id))
    assert client.post(f"/cart/lines/{line_id}", data={"quantity": "4"}).status_code == 303
    assert _lines() == [(honey.id, 4)]
    too_many = client.post(f"/cart/lines/{line_id}", data={"quantity": "6"})
    assert too_many.status_code == 422 and "Only 5" in too_many.get_data(as_text=True)
    assert client.post(f"/cart/lines/{line_id}", data={"quantity": "0"}).status_code == 422
    assert _lines() == [(honey.id, 4)]
    assert client.post(f"/cart/lines/{line_id}/remove").status_code == 303
    assert _lines() == []


def test_another_cart_line_cannot_be_changed(app):
    honey = ProductFactory()
    first, second = app.test_client(), app.test_client()
    first.post("/cart/add", data={"product_id": honey.id, "quantity": 1})
    line_id = db.session.scalar(select(CartLine.id))
    assert second.post(f"/cart/lines/{line_id}", data={"quantity": "3"}).status_code == 422
    assert second.post(f"/cart/lines/{line_id}/remove").status_code == 404
    assert _lines() == [(honey.id, 1)]


def test_stale_lines_are_flagged_and_block_checkout(client):
    honey = ProductFactory(price=250_000, name="Mật ong")
    tea = ProductFactory(name="Chè Shan tuyết")
    client.set_cookie("lang", "en")
    client.post("/cart/add", data={"product_id": honey.id, "quantity": 1})
    client.post("/cart/add", data={"product_id": tea.id, "quantity": 1})
    variant_of(honey).price = 270_000
    tea.status = ProductStatus.ARCHIVED
    db.session.commit()
    text = client.get("/cart").get_data(as_text=True)
    assert "Price changed" in text and "250.000" in text and "270.000" in text
    assert "No longer available" in text
    checkout = client.get("/checkout")
    assert checkout.status_code == 303 and checkout.headers["Location"].endswith("/cart")
    client.post("/cart/accept-changes")
    text = client.get("/cart").get_data(as_text=True)
    assert "Price changed" not in text and "Chè Shan tuyết" not in text


def test_login_merges_the_anonymous_cart(client, auth):
    user = UserFactory(email="buyer@example.vn")
    honey = ProductFactory(stock_on_hand=4)
    db.session.commit()
    client.post("/cart/add", data={"product_id": honey.id, "quantity": 3})
    user_cart = Cart(token="user-cart-token", user_id=user.id)
    user_cart.lines.append(
        CartLine(product_id=honey.id, variant_id=vid(honey), quantity=2, price_seen=honey.price)
    )
    db.session.add(user_cart)
    db.session.commit()
    response = auth.login("buyer@example.vn")
    assert response.status_code in (302, 303)
    assert db.session.scalar(select(func.count()).select_from(Cart)) == 1
    assert _lines() == [(honey.id, 4)]  # 3 + 2, capped at the 4 in stock
    assert "4" in client.get("/cart").get_data(as_text=True)

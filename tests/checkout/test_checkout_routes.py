from sqlalchemy import func, select

from storefront.auth.models import Address
from storefront.extensions import db
from storefront.orders.models import Order, PaymentStatus
from storefront.producers import inventory
from tests.checkout.factories_checkout import PROVINCE, WARD, form_data
from tests.factories import ProductFactory, UserFactory, vid


def _fill_cart(client, *products):
    for product in products:
        client.post("/cart/add", data={"product_id": product.id, "quantity": 1})


def test_checkout_page_lists_provinces_and_the_chosen_provinces_wards(client):
    _fill_cart(client, ProductFactory())
    page = client.get("/checkout")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Tuyên Quang" in text and 'name="ward"' in text
    assert "checkout.js" in text and "<script>" not in text and "style=" not in text
    # Without JavaScript: submit the province to get its wards, nothing typed is lost.
    page = client.post(
        "/checkout",
        data={"action": "wards", "province": str(PROVINCE), "name": "Lò Thị Mai"},
    )
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Đồng Văn" in text and "Lò Thị Mai" in text
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_guest_cod_checkout_and_token_access(app, client):
    _fill_cart(client, ProductFactory(name="Mật ong", price=250_000))
    response = client.post("/checkout", data=form_data("cod"))
    assert response.status_code == 303
    order = db.session.scalar(select(Order))
    assert order.payment_status is PaymentStatus.COD and order.user_id is None
    assert response.headers["Location"] == f"/orders/{order.number}?token={order.access_token}"
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert order.number in page.get_data(as_text=True)
    # Without the token, with a wrong token, or as a stranger: not found.
    assert client.get(f"/orders/{order.number}").status_code == 404
    assert client.get(f"/orders/{order.number}?token=wrong").status_code == 404
    assert app.test_client().get(f"/orders/{order.number}").status_code == 404


def test_wrong_ward_is_refused_with_a_field_error_and_input_kept(client):
    _fill_cart(client, ProductFactory())
    client.set_cookie("lang", "en")
    data = form_data("cod", ward="1", street="Số 5 ngõ Hoà Bình")
    response = client.post("/checkout", data=data)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "not in the chosen province" in text and "Số 5 ngõ Hoà Bình" in text
    missing = client.post("/checkout", data=form_data("cod", email="", payment_method=""))
    assert missing.status_code == 422
    assert "Enter your email address." in missing.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_sold_out_at_checkout_shows_a_clear_message(client):
    honey = ProductFactory(stock_on_hand=1, name="Mật ong")
    client.set_cookie("lang", "en")
    _fill_cart(client, honey)
    inventory.reserve(db.session, {vid(honey): 1})  # someone else bought it meanwhile
    db.session.commit()
    response = client.post("/checkout", data=form_data("cod"))
    assert response.status_code in (303, 422)
    if response.status_code == 303:  # the cart flagged it first
        assert response.headers["Location"].endswith("/cart")
    else:
        assert "sold out" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_owner_sees_order_without_token_other_buyer_cannot(app, client, auth):
    owner, other = UserFactory(email="owner@example.vn"), UserFactory(email="other@example.vn")
    db.session.commit()
    auth.login_as(owner)
    _fill_cart(client, ProductFactory())
    client.post("/checkout", data=form_data("cod", save_address="y"))
    order = db.session.scalar(select(Order))
    assert order.user_id == owner.id
    assert client.get(f"/orders/{order.number}").status_code == 200
    history = client.get("/account/orders")
    assert history.status_code == 200 and order.number in history.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Address)) == 1

    stranger = app.test_client()
    with stranger.session_transaction() as session:
        session["_user_id"] = other.get_id()
    assert stranger.get(f"/orders/{order.number}").status_code == 404
    assert order.number not in stranger.get("/account/orders").get_data(as_text=True)


def test_saved_address_is_reused(client, auth):
    user = UserFactory()
    address = Address(
        user=user,
        recipient_name="Mai",
        phone="0912345678",
        province_code=PROVINCE,
        ward_code=WARD,
        street="Phố Cáo",
        is_default=True,
    )
    db.session.add(address)
    db.session.commit()
    auth.login_as(user)
    _fill_cart(client, ProductFactory())
    data = form_data("cod", province="", ward="", street="", address_id=str(address.id))
    response = client.post("/checkout", data=data)
    assert response.status_code == 303
    order = db.session.scalar(select(Order))
    assert (order.province_code, order.ward_code, order.street) == (PROVINCE, WARD, "Phố Cáo")


def test_buyer_cancels_a_cod_sub_order_and_stock_returns(client):
    honey = ProductFactory(stock_on_hand=5)
    linen = ProductFactory(stock_on_hand=5)
    _fill_cart(client, honey, linen)
    location = client.post("/checkout", data=form_data("cod")).headers["Location"]
    order = db.session.scalar(select(Order))
    sub_order = next(so for so in order.sub_orders if so.producer_id == honey.producer_id)
    url = f"/orders/{order.number}/sub-orders/{sub_order.id}/cancel"
    assert client.post(url, data={"reason": "đổi ý"}).status_code == 404  # no token
    response = client.post(url, data={"reason": "đổi ý", "token": order.access_token})
    assert response.status_code == 303
    db.session.expire_all()
    assert sub_order.status.value == "cancelled"
    assert (honey.stock_reserved, linen.stock_reserved) == (0, 1)
    assert order.payment_status is PaymentStatus.COD
    assert client.get(location).status_code == 200


def test_order_page_shows_each_cooperatives_timeline_and_tracking(client):
    from storefront.orders import routing

    honey, linen = ProductFactory(), ProductFactory()
    client.set_cookie("lang", "en")
    _fill_cart(client, honey, linen)
    location = client.post("/checkout", data=form_data("cod")).headers["Location"]
    order = db.session.scalar(select(Order))
    shipped = next(so for so in order.sub_orders if so.producer_id == honey.producer_id)
    routing.confirm(db.session, shipped, None)
    routing.pack(db.session, shipped, None)
    routing.ship(db.session, shipped, None, "VNPost", "EB123456789VN")
    db.session.commit()
    text = client.get(location).get_data(as_text=True)
    assert "VNPost" in text and "EB123456789VN" in text
    assert 'class="current" aria-current="step">Shipped' in text
    assert 'class="current" aria-current="step">Placed' in text  # the other cooperative
    # A packed parcel can no longer be cancelled by the buyer.
    url = f"/orders/{order.number}/sub-orders/{shipped.id}/cancel"
    client.post(url, data={"reason": "x", "token": order.access_token})
    db.session.expire_all()
    assert shipped.status.value == "shipped"

from sqlalchemy import func, select

from storefront.extensions import db
from storefront.mail import outbox
from storefront.orders.models import Order, OrderEvent, PaymentStatus
from tests.checkout.factories_checkout import form_data
from tests.factories import ProducerFactory, ProductFactory


def _buy(client, *items):
    for product, quantity in items:
        client.post("/cart/add", data={"product_id": product.id, "quantity": quantity})
    return client.post("/checkout", data=form_data("card"))


def test_card_checkout_creates_a_vnd_session_from_database_prices(card_app, fake_stripe):
    client = card_app.test_client()
    coop_a, coop_b = ProducerFactory(), ProducerFactory()
    honey = ProductFactory(producer=coop_a, price=250_000, name="Mật ong", unit="hũ")
    linen = ProductFactory(producer=coop_b, price=600_000, name="Khăn lanh", unit="chiếc")
    response = _buy(client, (honey, 1), (linen, 1))
    assert response.status_code == 303
    assert response.headers["Location"] == "https://checkout.stripe.com/c/pay/cs_test_0001"

    order = db.session.scalar(select(Order))
    assert order.payment_status is PaymentStatus.PENDING
    assert order.payments[0].provider_ref == "cs_test_0001"
    (sent,) = fake_stripe.session_requests()
    form, headers = sent["form"], sent["headers"]
    assert headers["Idempotency-Key"] == f"order-{order.number}-checkout"
    assert form["mode"] == "payment"
    assert form["client_reference_id"] == order.number
    assert form["metadata[order_number]"] == order.number
    assert form["line_items[0][price_data][currency]"] == "vnd"
    # Zero-decimal: 250.000 ₫ is sent as 250000, never ×100.
    amounts = {
        form[f"line_items[{i}][price_data][product_data][name]"]: int(
            form[f"line_items[{i}][price_data][unit_amount]"]
        )
        for i in range(3)
    }
    assert amounts["Mật ong (hũ)"] == 250_000 and amounts["Khăn lanh (chiếc)"] == 600_000
    assert sum(amounts.values()) == order.grand_total == 880_000
    assert "payment_method_types[0]" not in form
    assert int(form["expires_at"]) > 0

    # Retrying sends the same key (and the fake, like Stripe, answers with the same session).
    retry = client.post(f"/orders/{order.number}/pay", data={"token": order.access_token})
    assert retry.headers["Location"] == response.headers["Location"]
    assert {r["headers"]["Idempotency-Key"] for r in fake_stripe.session_requests()} == {
        f"order-{order.number}-checkout"
    }


def test_success_page_says_confirming_until_the_webhook(card_app):
    client = card_app.test_client()
    client.set_cookie("lang", "en")
    _buy(client, (ProductFactory(), 1))
    order = db.session.scalar(select(Order))
    page = client.get(f"/orders/{order.number}?token={order.access_token}&paid=1")
    assert "Payment received, confirming" in page.get_data(as_text=True)
    assert order.payment_status is PaymentStatus.PENDING


def test_stripe_down_keeps_the_order_and_offers_a_retry(card_app, fake_stripe):
    client = card_app.test_client()
    client.set_cookie("lang", "en")
    fake_stripe.fail_next = True
    response = _buy(client, (ProductFactory(), 1))
    order = db.session.scalar(select(Order))
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"/orders/{order.number}")
    page = client.get(response.headers["Location"])
    text = page.get_data(as_text=True)
    assert "could not reach the card payment service" in text and "Pay by card" in text
    retry = client.post(f"/orders/{order.number}/pay", data={"token": order.access_token})
    assert retry.headers["Location"].startswith("https://checkout.stripe.com/")


def test_card_total_under_stripe_minimum_is_refused_before_calling_stripe(card_app, fake_stripe):
    client = card_app.test_client()
    client.set_cookie("lang", "en")
    card_app.config["SHIPPING_FEE_VND"] = 0
    response = _buy(client, (ProductFactory(price=5_000), 1))
    assert response.status_code == 422
    assert "at least 13.000" in response.get_data(as_text=True)
    assert fake_stripe.requests == []
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_demo_mode_pay_and_fail(client):
    client.set_cookie("lang", "en")
    honey = ProductFactory(stock_on_hand=5)
    response = _buy(client, (honey, 2))
    order = db.session.scalar(select(Order))
    assert response.headers["Location"].startswith(f"/orders/{order.number}/demo-pay")
    page = client.get(response.headers["Location"])
    assert "Demo payment — no real card is charged" in page.get_data(as_text=True)
    url = f"/orders/{order.number}/demo-pay"
    assert client.post(url, data={"outcome": "pay"}).status_code == 404  # token needed
    client.post(url, data={"outcome": "pay", "token": order.access_token})
    db.session.expire_all()
    assert order.payment_status is PaymentStatus.PAID
    # A late "fail" never un-pays.
    client.post(url, data={"outcome": "fail", "token": order.access_token})
    db.session.expire_all()
    assert order.payment_status is PaymentStatus.PAID
    assert honey.stock_reserved == 2

    outbox().clear()
    _buy(client, (honey, 1))
    second = db.session.scalars(select(Order).order_by(Order.id.desc())).first()
    client.post(
        f"/orders/{second.number}/demo-pay", data={"outcome": "fail", "token": second.access_token}
    )
    db.session.expire_all()
    assert second.payment_status is PaymentStatus.FAILED
    assert honey.stock_reserved == 2
    assert any("did not go through" in m.get_content() for m in outbox())


def test_demo_is_never_available_when_not_allowed(app_factory):
    app = app_factory(STRIPE_DEMO_MODE_ALLOWED=False)
    with app.app_context():
        client = app.test_client()
        honey = ProductFactory()
        client.post("/cart/add", data={"product_id": honey.id, "quantity": 1})
        page = client.get("/checkout").get_data(as_text=True)
        assert 'value="card"' not in page
        assert client.post("/checkout", data=form_data("card")).status_code == 422
        client.post("/checkout", data=form_data("cod"))
        order = db.session.scalar(select(Order))
        demo = client.get(f"/orders/{order.number}/demo-pay?token={order.access_token}")
        assert demo.status_code == 404
        events = db.session.scalar(select(func.count()).select_from(OrderEvent))
        assert events == 1


# --- issue 11: Stripe's return URLs ---------------------------------------------------


def test_stripe_return_urls_come_from_public_base_url_not_the_host_header(card_app, fake_stripe):
    """Found: `Host: evil.example` gave success_url=https://evil.example/orders/…?token=…"""
    honey = ProductFactory(price=250_000)
    client = card_app.test_client()
    headers = {"Host": "evil.example"}
    client.post("/cart/add", data={"product_id": honey.id, "quantity": 1}, headers=headers)
    response = client.post("/checkout", data=form_data("card"), headers=headers)
    assert response.status_code == 303
    (sent,) = fake_stripe.session_requests()
    base = card_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/orders/"
    assert sent["form"]["success_url"].startswith(base)
    assert sent["form"]["cancel_url"].startswith(base)

import json
import threading
import time

import pytest
import stripe
from sqlalchemy import func, select

from storefront.catalogue.models import Product
from storefront.extensions import db
from storefront.mail import outbox
from storefront.orders.checkout import place_order
from storefront.orders.models import (
    OrderEvent,
    PaymentMethod,
    PaymentStatus,
    SubOrderStatus,
    WebhookEvent,
)
from storefront.producers.models import StockMovement, StockReason
from tests.checkout.factories_checkout import cart_with, details
from tests.conftest import requires_postgres
from tests.factories import ProducerFactory, ProductFactory

SECRET = "whsec_test_secret"


@pytest.fixture
def card_order(app):
    coop = ProducerFactory(contact_email="coop@example.vn")
    honey = ProductFactory(producer=coop, price=250_000, stock_on_hand=10)
    order = place_order(db.session, cart_with({honey: 2}), details(PaymentMethod.CARD))
    order.payments[0].provider_ref = "cs_test_0001"
    db.session.commit()
    outbox().clear()
    return order


def event(order, kind="checkout.session.completed", event_id="evt_1", **overrides):
    obj = {
        "id": "cs_test_0001",
        "object": "checkout.session",
        "client_reference_id": order.number,
        "metadata": {"order_number": order.number},
        "amount_total": order.grand_total,
        "currency": "vnd",
        "payment_status": "paid",
        "payment_intent": "pi_test_1",
    }
    obj.update(overrides)
    return {"id": event_id, "object": "event", "type": kind, "data": {"object": obj}}


def deliver(client, payload, secret=SECRET, timestamp=None, body=None, header=True):
    body = body if body is not None else json.dumps(payload)
    headers = {"Content-Type": "application/json"}
    if header:
        headers["Stripe-Signature"] = stripe.WebhookSignature.generate_signature_header(
            body, secret, timestamp=timestamp or int(time.time())
        )
    return client.post("/webhooks/stripe", data=body, headers=headers)


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def reserved(order):
    """Units still reserved for the order's products."""
    db.session.expire_all()
    product_ids = {line.product_id for line in order.lines}
    return sum(db.session.get(Product, pid).stock_reserved for pid in product_ids)


def test_valid_completed_paid_fulfils_once(client, card_order):
    response = deliver(client, event(card_order))
    assert response.status_code == 200 and response.json["outcome"] == "paid"
    db.session.expire_all()
    assert card_order.payment_status is PaymentStatus.PAID
    assert card_order.payments[0].payment_intent_id == "pi_test_1"
    assert card_order.reservation_expires_at is None
    assert sorted(m["To"] for m in outbox()) == ["coop@example.vn", "mai@example.vn"]
    assert reserved(card_order) == 2  # paid stock stays reserved until shipping


def test_same_event_five_times_in_sequence(client, card_order):
    outcomes = [deliver(client, event(card_order)).json["outcome"] for _ in range(5)]
    assert outcomes == ["paid"] + ["duplicate"] * 4
    assert count(WebhookEvent) == 1
    assert count(OrderEvent, OrderEvent.kind == "paid") == 1
    assert len(outbox()) == 2


@pytest.mark.parametrize(
    "how",
    ["wrong_secret", "stale", "tampered", "missing_header", "garbage_header", "not_json"],
)
def test_bad_deliveries_get_400_and_change_nothing(client, card_order, how):
    payload = event(card_order)
    body = json.dumps(payload)
    if how == "wrong_secret":
        response = deliver(client, payload, secret="whsec_wrong")
    elif how == "stale":
        response = deliver(client, payload, timestamp=int(time.time()) - 301)
    elif how == "tampered":
        signed = stripe.WebhookSignature.generate_signature_header(body, SECRET)
        tampered = body.replace(str(card_order.grand_total), "1")
        response = client.post(
            "/webhooks/stripe", data=tampered, headers={"Stripe-Signature": signed}
        )
    elif how == "missing_header":
        response = deliver(client, payload, header=False)
    elif how == "garbage_header":
        response = client.post("/webhooks/stripe", data=body, headers={"Stripe-Signature": "x"})
    else:
        response = deliver(client, None, body="not json{")
    assert response.status_code == 400
    db.session.expire_all()
    assert card_order.payment_status is PaymentStatus.PENDING
    assert count(WebhookEvent) == 0 and outbox() == []


def test_amount_or_currency_mismatch_is_logged_not_fulfilled(client, card_order):
    low = deliver(client, event(card_order, amount_total=card_order.grand_total - 1))
    usd = deliver(client, event(card_order, event_id="evt_2", currency="usd"))
    assert low.json["outcome"] == usd.json["outcome"] == "amount_mismatch"
    db.session.expire_all()
    assert card_order.payment_status is PaymentStatus.PENDING
    assert count(OrderEvent, OrderEvent.kind == "payment_mismatch") == 2
    assert outbox() == []


def test_unpaid_completion_waits_for_async_success(client, card_order):
    first = deliver(client, event(card_order, payment_status="unpaid"))
    assert first.json["outcome"] == "awaiting_async_payment"
    db.session.expire_all()
    assert card_order.payment_status is PaymentStatus.PENDING
    assert card_order.payments[0].payment_intent_id == "pi_test_1"
    ok = deliver(client, event(card_order, "checkout.session.async_payment_succeeded", "evt_2"))
    assert ok.json["outcome"] == "paid"
    db.session.expire_all()
    assert card_order.payment_status is PaymentStatus.PAID


def test_async_failure_releases_stock_once(client, card_order):
    deliver(client, event(card_order, payment_status="unpaid"))
    failed = event(card_order, "checkout.session.async_payment_failed", "evt_2")
    assert deliver(client, failed).json["outcome"] == "failed"
    again = event(card_order, "checkout.session.async_payment_failed", "evt_3")
    assert deliver(client, again).json["outcome"].startswith("ignored")
    db.session.expire_all()
    assert card_order.payment_status is PaymentStatus.FAILED
    assert reserved(card_order) == 0
    assert count(StockMovement, StockMovement.reason == StockReason.RELEASE) == 1
    assert [so.status for so in card_order.sub_orders] == [SubOrderStatus.CANCELLED]


def test_expired_releases_the_reservation_once(client, card_order):
    assert deliver(client, event(card_order, "checkout.session.expired")).json["outcome"] == (
        "expired"
    )
    deliver(client, event(card_order, "checkout.session.expired", "evt_2"))
    db.session.expire_all()
    assert card_order.payment_status is PaymentStatus.EXPIRED
    assert reserved(card_order) == 0
    assert count(StockMovement, StockMovement.reason == StockReason.RELEASE) == 1


def test_out_of_order_states_only_move_forward(client, card_order):
    # Success arrives before the completion that announced it, then stale bad news.
    deliver(client, event(card_order, "checkout.session.async_payment_succeeded", "evt_3"))
    deliver(client, event(card_order, payment_status="unpaid", event_id="evt_1"))
    deliver(client, event(card_order, "checkout.session.async_payment_failed", "evt_4"))
    deliver(client, event(card_order, "checkout.session.expired", "evt_5"))
    db.session.expire_all()
    assert card_order.payment_status is PaymentStatus.PAID
    assert reserved(card_order) == 2
    assert count(OrderEvent, OrderEvent.kind == "paid") == 1
    assert count(WebhookEvent) == 4


def test_payment_after_expiry_is_flagged_not_revived(client, card_order):
    deliver(client, event(card_order, "checkout.session.expired", "evt_1"))
    late = deliver(client, event(card_order, event_id="evt_2"))
    assert late.json["outcome"] == "late_payment"
    db.session.expire_all()
    assert card_order.payment_status is PaymentStatus.EXPIRED
    assert count(OrderEvent, OrderEvent.kind == "late_payment") == 1


def test_unknown_events_and_orders_are_acknowledged(client, card_order):
    other = {"id": "evt_x", "type": "payment_intent.created", "data": {"object": {}}}
    assert deliver(client, other).json["outcome"] == "ignored"
    ghost = event(card_order, event_id="evt_y", client_reference_id="OCOP-1999-000001")
    ghost["data"]["object"]["metadata"] = {}
    ghost["data"]["object"]["id"] = "cs_unknown"
    assert deliver(client, ghost).json["outcome"] == "unknown_order"


def test_webhook_is_csrf_exempt(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        other = {"id": "evt_csrf", "type": "payment_intent.created", "data": {"object": {}}}
        assert deliver(client, other).status_code == 200
        # Every other POST still needs the token.
        assert client.post("/cart/add", data={"product_id": 1, "quantity": 1}).status_code == 400


@requires_postgres
def test_same_event_five_times_concurrently(app, card_order):
    body = json.dumps(event(card_order))
    header = stripe.WebhookSignature.generate_signature_header(body, SECRET)
    db.session.commit()
    barrier = threading.Barrier(5)
    results = []

    def post():
        client = app.test_client()
        barrier.wait()
        response = client.post("/webhooks/stripe", data=body, headers={"Stripe-Signature": header})
        results.append((response.status_code, response.json["outcome"]))

    threads = [threading.Thread(target=post) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.rollback()
    db.session.expire_all()
    assert [code for code, _ in results] == [200] * 5
    assert sorted(outcome for _, outcome in results) == ["duplicate"] * 4 + ["paid"]
    assert card_order.payment_status is PaymentStatus.PAID
    assert count(WebhookEvent) == 1
    assert count(OrderEvent, OrderEvent.kind == "paid") == 1
    assert len(outbox()) == 2


def test_an_integrity_error_that_is_not_a_duplicate_is_a_500_so_stripe_retries(
    app, client, card_order, monkeypatch
):
    from sqlalchemy.exc import IntegrityError

    from storefront.orders import webhooks

    def broken_dispatch(session, event, now):
        raise IntegrityError("INSERT …", {}, Exception("a bug, not a twin delivery"))

    monkeypatch.setattr(webhooks, "dispatch", broken_dispatch)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = deliver(client, event(card_order, event_id="evt_bug"))
    assert response.status_code == 500
    assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 0
    db.session.refresh(card_order)
    assert card_order.payment_status is PaymentStatus.PENDING

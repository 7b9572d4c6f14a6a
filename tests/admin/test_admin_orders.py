"""Orders: search, every sub-order, bank transfer confirmation, cancel, refund, resend."""

import pytest
from sqlalchemy import func, select

from storefront.clock import today_vn
from storefront.errors import InvalidTransition
from storefront.extensions import db
from storefront.mail import outbox
from storefront.models import (
    AuditEvent,
    OrderEvent,
    PaymentMethod,
    PaymentStatus,
    Product,
    Refund,
    SubOrderStatus,
)
from storefront.orders import actions as order_actions
from tests.admin.factories_admin import make_order
from tests.conftest import requires_postgres
from tests.factories import ProducerFactory, ProductFactory


@pytest.fixture
def orders(app):
    honey = ProductFactory(producer=ProducerFactory(name="HTX Mật ong"), price=250_000)
    linen = ProductFactory(producer=ProducerFactory(name="HTX Lanh"), price=400_000)
    first = make_order([(honey, 1), (linen, 1)], email="lan@example.vn", phone="0912 345 678")
    second = make_order(
        [(honey, 2)],
        method=PaymentMethod.BANK_TRANSFER,
        email="minh@example.vn",
        phone="+84 987 654 321",
    )
    db.session.commit()
    return first, second


# --- search ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lan@example.vn", [0]),
        ("LAN@EXAMPLE.VN", [0]),
        ("0912345678", [0]),
        ("0912.345.678", [0]),
        ("+84912345678", [0]),
        ("0987654321", [1]),
        ("nobody@example.vn", []),
    ],
)
def test_search_by_phone_or_email(app, orders, query, expected):
    page = services_search(query)
    assert [o.id for o in page.items] == [orders[i].id for i in expected]


def services_search(query):
    from storefront.admin import queries

    return queries.search_orders(db.session, query, 1)


def test_search_by_number_goes_straight_to_the_order(admin_client, orders):
    response = admin_client.get(f"/admin/orders?q={orders[1].number.lower()}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/orders/{orders[1].id}")


def test_detail_shows_every_sub_order(admin_client, orders):
    html = admin_client.get(f"/admin/orders/{orders[0].id}").get_data(as_text=True)
    assert "HTX Mật ong" in html and "HTX Lanh" in html
    assert html.count('class="card sub-order"') == 2


# --- bank transfer ---------------------------------------------------------------------------


def test_confirmed_bank_transfer_pays_the_order_exactly_once(admin_client, admin, orders):
    order = orders[1]
    assert order.payment_status is PaymentStatus.PENDING
    first = admin_client.post(f"/admin/orders/{order.id}/confirm-transfer")
    second = admin_client.post(f"/admin/orders/{order.id}/confirm-transfer", follow_redirects=True)
    assert first.status_code == 303
    assert second.status_code == 200

    db.session.expire_all()
    assert order.payment_status is PaymentStatus.PAID
    assert order.paid_at is not None
    paid_events = db.session.scalar(
        select(func.count())
        .select_from(OrderEvent)
        .where(OrderEvent.order_id == order.id, OrderEvent.kind == "paid")
    )
    assert paid_events == 1
    audits = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "order.confirm_bank_transfer")
    ).all()
    assert len(audits) == 1
    assert audits[0].before["payment_status"] == "pending"
    assert audits[0].after["payment_status"] == "paid"
    buyer_mails = [m for m in outbox() if m["To"] == "minh@example.vn"]
    assert len(buyer_mails) == 1


def test_confirming_a_cash_order_is_refused(app, admin, orders):
    with pytest.raises(Exception) as refused:
        order_actions.confirm_transfer(db.session, orders[0], admin.id)
    assert refused.type.__name__ == "ValidationFailed"
    db.session.rollback()


@requires_postgres
def test_two_admins_confirming_at_once_pay_once(app, admin, orders):
    """Two sessions race on the same order: the conditional UPDATE lets one through."""
    import threading

    from sqlalchemy.orm import Session

    from storefront.models import Order

    order_id = orders[1].id
    results = []
    barrier = threading.Barrier(2)

    def confirm():
        with app.app_context(), Session(db.engine) as session:
            order = session.get(Order, order_id)
            barrier.wait()
            try:
                order_actions.confirm_transfer(session, order, admin.id)
                session.commit()
                results.append("paid")
            except InvalidTransition:
                session.rollback()
                results.append("refused")

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["paid", "refused"]
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "order.confirm_bank_transfer")
        )
        == 1
    )


# --- cancel and refund -----------------------------------------------------------------------


def test_cancel_needs_a_reason_and_releases_stock(admin_client, orders):
    order = orders[0]
    sub_order = order.sub_orders[0]
    product_id = sub_order.lines[0].product_id

    reserved_before = db.session.get(Product, product_id).stock_reserved
    response = admin_client.post(
        f"/admin/orders/{order.id}/sub-orders/{sub_order.id}/cancel",
        data={f"c{sub_order.id}-reason": ""},
    )
    assert response.status_code == 422
    response = admin_client.post(
        f"/admin/orders/{order.id}/sub-orders/{sub_order.id}/cancel",
        data={f"c{sub_order.id}-reason": "Hết hàng"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert sub_order.status is SubOrderStatus.CANCELLED
    assert sub_order.cancel_reason == "Hết hàng"
    assert db.session.get(Product, product_id).stock_reserved == reserved_before - 1


def _paid(order):
    order.payment_status = PaymentStatus.PAID
    db.session.commit()
    return order


def test_partial_then_full_refund_by_hand(admin_client, orders):
    order = _paid(orders[1])
    sub_order = order.sub_orders[0]
    url = f"/admin/orders/{order.id}/sub-orders/{sub_order.id}/refund"
    prefix = f"r{sub_order.id}-"
    today = today_vn().isoformat()
    bank = {prefix + "bank_reference": "FT2612031234", prefix + "paid_on": today}

    # A bank-transfer refund is recorded after it was sent: the reference and day are needed.
    response = admin_client.post(
        url,
        data={
            prefix + "amount": "100000",
            prefix + "reason": "Vỡ",
            prefix + "idempotency_key": "k-0",
        },
    )
    assert response.status_code == 422
    assert "Nhập mã tham chiếu ngân hàng".encode() in response.data

    response = admin_client.post(
        url,
        data={
            prefix + "amount": "100000",
            prefix + "reason": "Một hũ bị vỡ",
            prefix + "idempotency_key": "k-1",
            **bank,
        },
    )
    assert response.status_code == 303
    # The same form submitted twice (same key): refunded once.
    admin_client.post(
        url,
        data={
            prefix + "amount": "100000",
            prefix + "reason": "Một hũ bị vỡ",
            prefix + "idempotency_key": "k-1",
            **bank,
        },
    )
    db.session.expire_all()
    assert sub_order.refunded_amount == 100_000
    assert order.payment_status is PaymentStatus.PARTIALLY_REFUNDED

    rest = sub_order.total - 100_000
    response = admin_client.post(
        url,
        data={
            prefix + "amount": str(rest + 1),
            prefix + "reason": "Hoàn nốt",
            prefix + "idempotency_key": "k-2",
            **bank,
        },
    )
    assert response.status_code == 422
    assert "Hoàn nốt".encode() in response.data  # what was typed is kept

    response = admin_client.post(
        url,
        data={
            prefix + "amount": str(rest),
            prefix + "reason": "Hoàn nốt",
            prefix + "idempotency_key": "k-3",
            **bank,
        },
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert sub_order.refunded_amount == sub_order.total
    assert order.payment_status is PaymentStatus.REFUNDED
    refunds = db.session.scalars(select(Refund).order_by(Refund.id)).all()
    assert [(r.amount, r.method) for r in refunds] == [
        (100_000, "bank_transfer"),
        (rest, "bank_transfer"),
    ]
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "sub_order.refund")
    ).all()
    assert len(actions) == 2


def test_refund_form_is_hidden_when_nothing_was_paid(admin_client, orders):
    html = admin_client.get(f"/admin/orders/{orders[1].id}").get_data(as_text=True)
    assert "/refund" not in html
    assert "confirm-transfer" in html


# --- resend ----------------------------------------------------------------------------------


def test_resend_emails_to_buyer_and_producers(admin_client, orders):
    order = orders[0]
    order.sub_orders[0].producer.contact_email = "matong@example.vn"
    order.sub_orders[1].producer.contact_email = "lanh@example.vn"
    db.session.commit()
    response = admin_client.post(
        f"/admin/orders/{order.id}/resend-emails", data={"audience": "buyer"}
    )
    assert response.status_code == 303
    assert [m["To"] for m in outbox()] == ["lan@example.vn"]
    assert order.number in outbox()[0]["Subject"]

    admin_client.post(f"/admin/orders/{order.id}/resend-emails", data={"audience": "producers"})
    assert sorted(m["To"] for m in outbox()[1:]) == ["lanh@example.vn", "matong@example.vn"]

    response = admin_client.post(
        f"/admin/orders/{order.id}/resend-emails", data={"audience": "everyone"}
    )
    assert response.status_code == 303
    assert len(outbox()) == 3

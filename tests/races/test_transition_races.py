"""Ten identical requests at once move a sub-order (or an order's payment) exactly once.

PostgreSQL only: SQLite serialises every writer, so it cannot show a race. Each
racer is a real HTTP request in its own thread, with its own session and
connection, against committed data; the data is checked afterwards through a
fresh session.
"""

import pytest
from sqlalchemy import func, select

from storefront.cart import services as cart_services
from storefront.clock import today_vn
from storefront.extensions import db
from storefront.mail import outbox
from storefront.models import (
    LedgerEntry,
    LedgerKind,
    Order,
    OrderEvent,
    PaymentMethod,
    PaymentStatus,
    ProducerOrder,
    Product,
    Refund,
    StockMovement,
    StockReason,
    SubOrderStatus,
)
from storefront.orders.checkout import place_order
from tests.checkout.factories_checkout import details
from tests.conftest import AuthActions, requires_postgres
from tests.factories import AdminFactory, ProducerMemberFactory, ProductFactory

from .racing import RACERS, post_all, statuses

pytestmark = requires_postgres

S = SubOrderStatus


def _order(products_and_quantities, method=PaymentMethod.COD, email="mai@example.vn"):
    cart = cart_services.create_anonymous_cart(db.session)
    for product, quantity in products_and_quantities:
        cart_services.add_item(db.session, cart, product.id, quantity)
    order = place_order(db.session, cart, details(method, email=email))
    db.session.commit()
    return order


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def _clients(app, user=None):
    clients = [app.test_client() for _ in range(RACERS)]
    if user is not None:
        for client in clients:
            AuthActions(client).login_as(user)
    return clients


@pytest.fixture
def shop(app):
    membership = ProducerMemberFactory(producer__name="HTX Mật ong Bạc Hà")
    product = ProductFactory(producer=membership.producer, stock_on_hand=3, price=120_000)
    db.session.commit()
    return membership, product


def test_buyer_cancels_ten_times_at_once_and_the_stock_is_released_once(app, shop):
    """Found: 8 concurrent cancels with the guest's token took stock_reserved from 3 to 0."""
    _, product = shop
    _order([(product, 2)], email="other@example.vn")
    guest = _order([(product, 1)])
    sub_order = guest.sub_orders[0]
    assert _fresh(Product, product.id).stock_reserved == 3

    responses = post_all(
        app,
        _clients(app),
        f"/orders/{guest.number}/sub-orders/{sub_order.id}/cancel?token={guest.access_token}",
        {"reason": "Đặt nhầm"},
    )

    assert statuses(responses) == [303] * RACERS
    assert _fresh(Product, product.id).stock_reserved == 2  # the other buyer's 2 stay promised
    assert _fresh(ProducerOrder, sub_order.id).status is S.CANCELLED
    assert _count(StockMovement, StockMovement.reason == StockReason.RELEASE) == 1
    assert _count(OrderEvent, OrderEvent.kind == "sub_order_cancelled") == 1
    assert _fresh(Order, guest.id).payment_status is PaymentStatus.CANCELLED


def _walk(app, membership, sub_order, action, data=None):
    return post_all(
        app, _clients(app, membership.user), f"/dashboard/orders/{sub_order.id}/{action}", data
    )


def test_each_cooperative_step_happens_once_however_many_clicks(app, shop):
    """Found: 10 concurrent "ship" let 2 through (stock consumed twice); 10 "deliver" gave 500s."""
    membership, product = shop
    order = _order([(product, 2)])
    sub_order = order.sub_orders[0]

    for action, data, status in (
        ("confirm", None, S.CONFIRMED),
        ("pack", None, S.PACKED),
        ("ship", {"carrier": "VNPost", "tracking_number": "EV123456789VN"}, S.SHIPPED),
        ("deliver", {"cash_received": "y"}, S.DELIVERED),
    ):
        responses = _walk(app, membership, sub_order, action, data)
        # The nine late clicks are told, as a click after the fact is, that it is done.
        assert statuses(responses) == [303] * RACERS, action
        assert _fresh(ProducerOrder, sub_order.id).status is status
        assert _count(OrderEvent, OrderEvent.kind == f"sub_order_{status.value}") == 1, action

    stock = _fresh(Product, product.id)
    assert (stock.stock_on_hand, stock.stock_reserved) == (1, 0)
    assert _count(StockMovement, StockMovement.reason == StockReason.SHIP) == 1
    entries = db.session.execute(
        select(LedgerEntry.kind, LedgerEntry.amount).where(
            LedgerEntry.producer_order_id == sub_order.id
        )
    ).all()
    total = _fresh(ProducerOrder, sub_order.id).total
    assert sorted(kind.value for kind, _ in entries) == sorted(
        [LedgerKind.SALE.value, LedgerKind.COMMISSION.value, LedgerKind.COD_COLLECTED.value]
    )
    assert sum(amount for kind, amount in entries if kind is LedgerKind.SALE) == total
    assert _fresh(Order, order.id).payment_status is PaymentStatus.PAID
    # One email per step (confirm, ship, deliver; packing is not announced).
    assert len([m for m in outbox() if m["To"] == "mai@example.vn"]) == 1 + 3


def test_a_cooperative_cancels_ten_times_at_once_and_releases_once(app, shop):
    membership, product = shop
    order = _order([(product, 3)])
    sub_order = order.sub_orders[0]

    responses = _walk(app, membership, sub_order, "cancel", {"reason": "Hết hàng"})

    assert statuses(responses) == [303] * RACERS
    assert _fresh(Product, product.id).stock_reserved == 0
    assert _count(StockMovement, StockMovement.reason == StockReason.RELEASE) == 1
    assert _count(OrderEvent, OrderEvent.kind == "sub_order_cancelled") == 1


def test_ten_identical_refunds_refund_once(app, shop):
    membership, product = shop
    order = _order([(product, 2)])
    sub_order = order.sub_orders[0]
    for action, data in (
        ("confirm", None),
        ("pack", None),
        ("ship", {"carrier": "VNPost", "tracking_number": "EV1"}),
        ("deliver", {"cash_received": "y"}),
    ):
        _walk(app, membership, sub_order, action, data)
    admin = AdminFactory()
    db.session.commit()
    prefix = f"r{sub_order.id}-"

    responses = post_all(
        app,
        _clients(app, admin),
        f"/admin/orders/{order.id}/sub-orders/{sub_order.id}/refund",
        {
            f"{prefix}amount": "50000",
            f"{prefix}reason": "Hũ bị nứt",
            f"{prefix}idempotency_key": "admin-refund-once",
            # Cash on delivery goes back by a bank transfer the admin sent and records.
            f"{prefix}bank_reference": "FT-RACE-1",
            f"{prefix}paid_on": today_vn().isoformat(),
        },
    )

    assert statuses(responses) == [303] * RACERS
    assert _count(Refund) == 1
    assert _fresh(ProducerOrder, sub_order.id).refunded_amount == 50_000
    assert _fresh(Order, order.id).refunded_total == 50_000
    refund_entries = _count(
        LedgerEntry,
        LedgerEntry.reference.in_(["admin-refund-once", "refund:admin-refund-once"]),
    )
    assert refund_entries == 2  # the refund and the commission given back, once


def test_ten_admins_confirming_one_transfer_pay_it_once(app, shop):
    _, product = shop
    order = _order([(product, 1)], method=PaymentMethod.BANK_TRANSFER)
    admin = AdminFactory()
    db.session.commit()
    outbox().clear()

    responses = post_all(app, _clients(app, admin), f"/admin/orders/{order.id}/confirm-transfer")

    assert statuses(responses) == [303] * RACERS
    assert _fresh(Order, order.id).payment_status is PaymentStatus.PAID
    assert _count(OrderEvent, OrderEvent.kind == "paid") == 1
    assert len([m for m in outbox() if m["To"] == "mai@example.vn"]) == 1

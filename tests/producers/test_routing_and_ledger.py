"""The sub-order status machine and the payout ledger it posts to."""

import pytest
from sqlalchemy import select

from storefront.errors import InvalidTransition, ValidationFailed
from storefront.extensions import db
from storefront.mail import outbox
from storefront.models import (
    LedgerEntry,
    LedgerKind,
    PaymentMethod,
    PaymentStatus,
    SubOrderStatus,
)
from storefront.orders import routing
from storefront.producers import ledger
from tests.factories import ProducerFactory, ProductFactory, place_test_order

S = SubOrderStatus


def make_order(method=PaymentMethod.COD, quantity=2, price=350_000, shipping=30_000):
    """An order with one sub-order whose stock is reserved, as checkout leaves it."""
    product = ProductFactory(price=price, stock_on_hand=10)
    order = place_test_order(
        [(product, quantity)], method=method, shipping_fee=shipping, email="buyer@example.vn"
    )
    [sub_order] = order.sub_orders
    return sub_order, product


def test_cod_sub_order_walks_to_delivered_and_posts_the_ledger(app):
    sub_order, product = make_order()
    routing.confirm(db.session, sub_order, actor_id=None)
    routing.pack(db.session, sub_order, actor_id=None)
    routing.ship(db.session, sub_order, None, carrier="VNPost", tracking_number="EE123456789VN")
    assert (product.stock_on_hand, product.stock_reserved) == (8, 0)
    with pytest.raises(ValidationFailed):
        routing.deliver(db.session, sub_order, None, cash_received=False)
    routing.deliver(db.session, sub_order, None, cash_received=True)

    assert sub_order.status is S.DELIVERED and sub_order.paid_at is not None
    assert sub_order.order.payment_status is PaymentStatus.PAID
    entries = {
        e.kind: e.amount
        for e in db.session.scalars(
            select(LedgerEntry).where(LedgerEntry.producer_order_id == sub_order.id)
        )
    }
    # 700.000 goods + 30.000 shipping; 8 % commission on goods = 56.000; COD cash held.
    assert entries == {
        LedgerKind.SALE: 730_000,
        LedgerKind.COMMISSION: -56_000,
        LedgerKind.COD_COLLECTED: -730_000,
    }
    # With cash on delivery the cooperative owes the shop its commission.
    assert ledger.balance(db.session, sub_order.producer_id) == -56_000


def test_card_sale_is_owed_to_the_producer_less_commission(app):
    sub_order, _ = make_order(method=PaymentMethod.CARD)
    sub_order.order.payment_status = PaymentStatus.PAID
    for step in (routing.confirm, routing.pack):
        step(db.session, sub_order, None)
    routing.ship(db.session, sub_order, None, "GHN", "GHN1")
    routing.deliver(db.session, sub_order, None)
    assert ledger.balance(db.session, sub_order.producer_id) == 730_000 - 56_000


def test_an_unpaid_card_order_cannot_be_confirmed(app):
    sub_order, _ = make_order(method=PaymentMethod.CARD)
    with pytest.raises(InvalidTransition):
        routing.confirm(db.session, sub_order, None)


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ([], routing.pack),
        ([], routing.deliver),
        ([routing.confirm], routing.confirm),
        ([routing.confirm, routing.pack], routing.confirm),
    ],
)
def test_illegal_transitions_are_refused(app, path, illegal):
    sub_order, _ = make_order(method=PaymentMethod.CARD)
    sub_order.order.payment_status = PaymentStatus.PAID
    for step in path:
        step(db.session, sub_order, None)
    before = sub_order.status
    with pytest.raises(InvalidTransition):
        illegal(db.session, sub_order, None)
    assert sub_order.status is before


def test_cancel_releases_stock_once_and_cannot_be_repeated(app):
    sub_order, product = make_order()
    routing.cancel(db.session, sub_order, None, reason="Hết hàng trong kho")
    assert product.stock_reserved == 0
    assert sub_order.order.payment_status is PaymentStatus.CANCELLED
    with pytest.raises(InvalidTransition):
        routing.cancel(db.session, sub_order, None, reason="again")
    assert product.stock_reserved == 0


def test_buyer_may_cancel_only_until_packed(app):
    sub_order, _ = make_order()
    routing.confirm(db.session, sub_order, None)
    routing.pack(db.session, sub_order, None)
    with pytest.raises(InvalidTransition):
        routing.cancel(db.session, sub_order, None, reason="đổi ý", by_buyer=True)


def test_shipped_goods_cannot_be_cancelled(app):
    sub_order, _ = make_order()
    routing.confirm(db.session, sub_order, None)
    routing.pack(db.session, sub_order, None)
    routing.ship(db.session, sub_order, None, "VNPost", "EE1")
    with pytest.raises(InvalidTransition):
        routing.cancel(db.session, sub_order, None, reason="muộn")


def test_buyer_emails_go_only_after_commit(app):
    sub_order, _ = make_order()
    db.session.commit()  # the order's own confirmation email goes here
    sent_before = len(outbox())
    routing.confirm(db.session, sub_order, None)
    assert len(outbox()) == sent_before
    db.session.commit()
    assert len(outbox()) == sent_before + 1
    assert outbox()[-1]["To"] == "buyer@example.vn"


def test_emails_are_dropped_on_rollback(app):
    sub_order, _ = make_order()
    db.session.commit()
    sent_before = len(outbox())
    routing.confirm(db.session, sub_order, None)
    db.session.rollback()
    db.session.commit()
    assert len(outbox()) == sent_before


def test_payout_reduces_the_balance_and_refuses_nonsense(app):
    producer = ProducerFactory()
    with pytest.raises(ValidationFailed):
        ledger.record_payout(db.session, producer, 0, "VCB-1", None)
    with pytest.raises(ValidationFailed):
        ledger.record_payout(db.session, producer, 1000, "  ", None)
    ledger.record_payout(db.session, producer, 500_000, "VCB-20261129-01", None)
    assert ledger.balance(db.session, producer.id) == -500_000


def test_refund_after_delivery_returns_commission_on_the_goods(app):
    sub_order, _ = make_order(method=PaymentMethod.CARD)
    sub_order.order.payment_status = PaymentStatus.PAID
    routing.confirm(db.session, sub_order, None)
    routing.pack(db.session, sub_order, None)
    routing.ship(db.session, sub_order, None, "GHN", "1")
    routing.deliver(db.session, sub_order, None)
    ledger.post_refund(db.session, sub_order, 350_000, reference="r1")
    # 674.000 owed, less the 350.000 refunded, plus 8 % of it (28.000) commission returned.
    assert ledger.balance(db.session, sub_order.producer_id) == 674_000 - 350_000 + 28_000


def test_refund_before_delivery_touches_no_ledger(app):
    sub_order, _ = make_order(method=PaymentMethod.CARD)
    assert ledger.post_refund(db.session, sub_order, 100_000, reference="r1") == []

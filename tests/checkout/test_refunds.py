import pytest
import stripe
from sqlalchemy import func, select

from storefront.clock import today_vn
from storefront.errors import ValidationFailed
from storefront.extensions import db
from storefront.orders import fulfilment, routing
from storefront.orders.bank_transfer import confirm_bank_transfer
from storefront.orders.checkout import place_order
from storefront.orders.models import PaymentMethod, PaymentStatus, Refund
from storefront.orders.refunds import refund_sub_order
from storefront.producers import ledger
from storefront.producers.models import LedgerEntry, LedgerKind
from tests.checkout.factories_checkout import cart_with, details
from tests.factories import AdminFactory, ProducerFactory, ProductFactory


def _two_producer_order(method):
    coop_a, coop_b = ProducerFactory(), ProducerFactory()
    honey = ProductFactory(producer=coop_a, price=200_000)
    linen = ProductFactory(producer=coop_b, price=600_000)
    order = place_order(db.session, cart_with({honey: 1, linen: 1}), details(method))
    db.session.commit()
    return order


@pytest.fixture
def localstripe_app(app_factory, localstripe_url):
    app = app_factory(
        STRIPE_SECRET_KEY="sk_test_localstripe",
        STRIPE_API_BASE=localstripe_url,
        STRIPE_MAX_NETWORK_RETRIES=0,
    )
    with app.app_context():
        yield app


def _stripe(app):
    return stripe.StripeClient(
        app.config["STRIPE_SECRET_KEY"],
        base_addresses={"api": app.config["STRIPE_API_BASE"]},
        max_network_retries=0,
    )


def _paid_card_order(app):
    order = _two_producer_order(PaymentMethod.CARD)
    intent = _stripe(app).v1.payment_intents.create(
        params={
            "amount": order.grand_total,
            "currency": "vnd",
            "payment_method": "pm_card_visa",
            "confirm": True,
        }
    )
    assert intent.status == "succeeded"
    fulfilment.mark_paid(
        db.session,
        order,
        amount=order.grand_total,
        currency="vnd",
        provider="stripe",
        provider_ref="cs_test_1",
        payment_intent_id=intent.id,
    )
    db.session.commit()
    return order, intent


def test_card_refunds_partial_full_capped_and_idempotent(localstripe_app):
    app = localstripe_app
    admin = AdminFactory()
    order, intent = _paid_card_order(app)
    small = next(so for so in order.sub_orders if so.subtotal == 200_000)
    big = next(so for so in order.sub_orders if so.subtotal == 600_000)
    assert (small.total, big.total) == (230_000, 600_000)

    first = refund_sub_order(db.session, small, 50_000, "vỡ hũ", admin.id, idempotency_key="r-1")
    db.session.commit()
    assert first.method == "stripe" and first.provider_refund_id.startswith("re_")
    assert (small.refunded_amount, order.refunded_total) == (50_000, 50_000)
    assert order.payment_status is PaymentStatus.PARTIALLY_REFUNDED

    again = refund_sub_order(db.session, small, 50_000, "vỡ hũ", admin.id, idempotency_key="r-1")
    db.session.commit()
    assert again.id == first.id and order.refunded_total == 50_000

    with pytest.raises(ValidationFailed):
        refund_sub_order(db.session, small, 180_001, "quá", admin.id)
    db.session.rollback()
    refund_sub_order(db.session, small, 180_000, "hết", admin.id)
    refund_sub_order(db.session, big, 600_000, "hết", admin.id)
    db.session.commit()
    assert order.refunded_total == order.grand_total
    assert order.payment_status is PaymentStatus.REFUNDED
    with pytest.raises(ValidationFailed):
        refund_sub_order(db.session, big, 1, "thêm", admin.id)
    db.session.rollback()

    at_stripe = _stripe(app).v1.refunds.list(params={"payment_intent": intent.id}).data
    assert sorted(r.amount for r in at_stripe) == [50_000, 180_000, 600_000]
    assert db.session.scalar(select(func.sum(Refund.amount))) == order.grand_total


@pytest.mark.parametrize("amount", [0, -5, 1.5, True])
def test_bad_refund_amounts(app, amount):
    order = _two_producer_order(PaymentMethod.BANK_TRANSFER)
    confirm_bank_transfer(db.session, order, None)
    with pytest.raises(ValidationFailed):
        refund_sub_order(db.session, order.sub_orders[0], amount, "x", None)


def test_unpaid_orders_cannot_be_refunded(app):
    order = _two_producer_order(PaymentMethod.BANK_TRANSFER)
    with pytest.raises(ValidationFailed):
        refund_sub_order(db.session, order.sub_orders[0], 1_000, "x", None)
    cod = _two_producer_order(PaymentMethod.COD)
    with pytest.raises(ValidationFailed):
        refund_sub_order(db.session, cod.sub_orders[0], 1_000, "x", None)


def test_bank_refund_is_manual_and_reaches_the_ledger_after_delivery(app):
    order = _two_producer_order(PaymentMethod.BANK_TRANSFER)
    confirm_bank_transfer(db.session, order, None)
    sub_order = order.sub_orders[0]
    for step in (routing.confirm, routing.pack):
        step(db.session, sub_order, None)
    routing.ship(db.session, sub_order, None, "VNPost", "VN123")
    routing.deliver(db.session, sub_order, None)
    before = ledger.balance(db.session, sub_order.producer_id)
    with pytest.raises(ValidationFailed):  # a bank refund is recorded once it was sent
        refund_sub_order(db.session, sub_order, 100_000, "hỏng", None)
    refund = refund_sub_order(
        db.session, sub_order, 100_000, "hỏng", None, bank_reference="FT1", paid_on=today_vn()
    )
    db.session.commit()
    assert refund.method == "bank_transfer" and refund.provider_refund_id is None
    assert refund.bank_reference == "FT1"
    kinds = db.session.scalars(
        select(LedgerEntry.kind).where(LedgerEntry.reference == refund.idempotency_key)
    ).all()
    assert kinds == [LedgerKind.REFUND]
    rate = sub_order.commission_rate_bp
    assert (
        ledger.balance(db.session, sub_order.producer_id)
        == before - 100_000 + 100_000 * rate // 10_000
    )


def test_cod_refund_only_after_cash_received(app):
    order = _two_producer_order(PaymentMethod.COD)
    sub_order = order.sub_orders[0]
    for step in (routing.confirm, routing.pack):
        step(db.session, sub_order, None)
    routing.ship(db.session, sub_order, None, "GHN", "G1")
    routing.deliver(db.session, sub_order, None, cash_received=True)
    refund = refund_sub_order(
        db.session,
        sub_order,
        sub_order.total,
        "trả hàng",
        None,
        bank_reference="FT2",
        paid_on=today_vn(),
    )
    assert refund.method == "bank_transfer" and sub_order.refunded_amount == sub_order.total
    assert order.payment_status is PaymentStatus.COD  # the other part is still cash on delivery


def test_buyer_cancel_of_a_paid_card_sub_order_refunds_it(localstripe_app):
    order, intent = _paid_card_order(localstripe_app)
    small = next(so for so in order.sub_orders if so.subtotal == 200_000)
    from storefront.orders.cancellation import cancel_by_buyer

    cancel_by_buyer(db.session, order, small, None, "đặt nhầm")
    db.session.commit()
    assert small.status.value == "cancelled" and small.refunded_amount == small.total
    assert order.payment_status is PaymentStatus.PARTIALLY_REFUNDED
    at_stripe = _stripe(localstripe_app).v1.refunds.list(params={"payment_intent": intent.id})
    assert [r.amount for r in at_stripe.data] == [small.total]

"""Refunding discounted lines gives back exactly what was paid for them, and the payout
ledger comes out right; an automatic promotion (no code) applies by itself."""

from sqlalchemy import select

from storefront.cart import services as cart_services
from storefront.clock import today_vn
from storefront.extensions import db
from storefront.models import PaymentMethod
from storefront.orders import routing
from storefront.orders.checkout import place_order
from storefront.orders.refunds import refund_sub_order
from storefront.producers import ledger
from storefront.promotions import services
from storefront.promotions.models import VoucherUse
from tests.checkout.factories_checkout import cart_with, details
from tests.factories import ProducerFactory, ProductFactory
from tests.promotions.voucher_helpers import ocop10, voucher


def _delivered_cod_order_with_ocop10():
    coop = ProducerFactory()
    honey = ProductFactory(producer=coop, price=150_001)
    tea = ProductFactory(producer=coop, price=33_333)
    cart = cart_with({honey: 3, tea: 1})
    ocop10()
    services.apply_code(db.session, cart, "OCOP10", cart_services.ShippingPolicy(30_000, 10**9))
    order = place_order(db.session, cart, details(PaymentMethod.COD))
    [sub_order] = order.sub_orders
    routing.confirm(db.session, sub_order, actor_id=None)
    routing.pack(db.session, sub_order, actor_id=None)
    routing.ship(db.session, sub_order, None, carrier="VNPost", tracking_number="EE1VN")
    routing.deliver(db.session, sub_order, None, cash_received=True)
    return order, sub_order


def test_refunding_every_unit_line_by_line_gives_back_exactly_what_was_paid(app):
    order, sub_order = _delivered_cod_order_with_ocop10()
    honey_line, tea_line = sub_order.lines
    assert order.discount_total == 48_333  # 10 % of 483.336, under the cap
    assert honey_line.discount + tea_line.discount == 48_333
    refunded = []
    # One unit at a time: each takes its share, rounded down; the last takes what is left.
    for step, (line, quantity) in enumerate([(honey_line, 1), (honey_line, 2), (tea_line, 1)]):
        refund = refund_sub_order(
            db.session,
            sub_order,
            None,
            "Trả hàng",
            None,
            lines={line.id: quantity},
            bank_reference=f"VCB{step}",
            paid_on=today_vn(),
        )
        refunded.append(refund.amount)
    assert refunded[0] == 150_001 - honey_line.discount // 3
    assert refunded[0] + refunded[1] == honey_line.line_total - honey_line.discount
    assert refunded[2] == tea_line.line_total - tea_line.discount
    # Goods refunded in full; the shipping fee stays paid.
    assert sum(refunded) == sub_order.subtotal == sub_order.total - 30_000
    # The cooperative kept the cash and the shop refunded the buyer: the cooperative owes
    # the shop the goods' cash; the shop's voucher and the commission are fully reversed.
    assert ledger.balance(db.session, sub_order.producer_id) == -sum(refunded)


def test_an_automatic_promotion_applies_without_a_code(app):
    voucher(code=None, kind="percent", value=5, max_discount=None, min_order=0)
    cart = cart_with({ProductFactory(price=100_000): 2})
    summary = cart_services.summarize(db.session, cart, cart_services.ShippingPolicy(0, 1))
    assert summary.discount_total == 10_000 and not summary.has_problems
    order = place_order(db.session, cart, details(PaymentMethod.COD))
    assert order.discount_total == 10_000
    use = db.session.scalar(select(VoucherUse))
    assert use.code is None and use.amount == 10_000

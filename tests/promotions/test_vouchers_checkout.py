"""Issue 17's "done when": OCOP10 on a cart from two cooperatives, paid by COD, adds up to
the đồng on the sub-orders, the order and both payout statements; cancelling one sub-order
gives back exactly its share."""

from sqlalchemy import select

from storefront.cart import services as cart_services
from storefront.clock import today_vn
from storefront.extensions import db
from storefront.models import LedgerEntry, LedgerKind, PaymentMethod, SubOrderStatus
from storefront.orders import cancellation, routing
from storefront.orders.checkout import place_order
from storefront.orders.totals import order_totals
from storefront.producers import ledger, statements
from storefront.promotions import services
from storefront.promotions.models import VoucherUse
from tests.checkout.factories_checkout import cart_with, details
from tests.factories import ProducerFactory, ProductFactory
from tests.promotions.voucher_helpers import matong20k, ocop10

SHIPPING = cart_services.ShippingPolicy(fee=30_000, free_threshold=500_000)


def settings():
    from storefront.orders.checkout import OrderSettings

    return OrderSettings(
        shipping=SHIPPING, commission_rate_bp=800, bank_transfer_expiry=None, card_reservation=None
    )


def two_cooperative_cart():
    honey_coop, tea_coop = ProducerFactory(), ProducerFactory()
    honey = ProductFactory(producer=honey_coop, price=150_000)  # × 2 = 300.000
    tea = ProductFactory(producer=tea_coop, price=45_001)  # × 3 = 135.003
    cart = cart_with({honey: 2, tea: 3})
    return cart, honey_coop, tea_coop


def deliver(sub_order):
    routing.confirm(db.session, sub_order, actor_id=None)
    routing.pack(db.session, sub_order, actor_id=None)
    routing.ship(db.session, sub_order, None, carrier="VNPost", tracking_number="EE123456789VN")
    routing.deliver(db.session, sub_order, None, cash_received=True)


def test_ocop10_on_two_cooperatives_by_cod_adds_up_to_the_dong(app):
    cart, honey_coop, tea_coop = two_cooperative_cart()
    ocop10()
    services.apply_code(db.session, cart, "  ocop10 ", SHIPPING)

    order = place_order(db.session, cart, details(PaymentMethod.COD), settings=settings())

    # 10 % of 435.003 = 43.500 (under the 50.000 cap), split 300.000 : 135.003.
    honey_part, tea_part = sorted(order.sub_orders, key=lambda so: so.producer_id)
    assert order.discount_total == 43_500
    assert honey_part.goods_discount + tea_part.goods_discount == 43_500
    assert honey_part.shop_goods_discount == honey_part.goods_discount
    # 43.500 × 300.000 / 435.003 = 30.000,…; the rest to the tea line.
    assert (honey_part.goods_discount, tea_part.goods_discount) == (30_000, 13_500)
    for part in (honey_part, tea_part):
        assert sum(line.discount for line in part.lines) == part.goods_discount
        assert part.total == part.total_before_discount - part.discount
    # Both parcels are under the free-shipping threshold: 30.000 each, not discounted.
    assert order.grand_total == 435_003 + 60_000 - 43_500
    assert order.grand_total == honey_part.total + tea_part.total
    assert order_totals(order).due == order.grand_total  # what the couriers collect
    assert db.session.scalar(select(VoucherUse.amount)) == 43_500

    for part in (honey_part, tea_part):
        deliver(part)
    honey_statement = statements.statement(db.session, honey_coop, today_vn(), today_vn())
    tea_statement = statements.statement(db.session, tea_coop, today_vn(), today_vn())
    # The shop funds the voucher: each cooperative's sale stays whole, commission on it.
    assert honey_statement.gross == 330_000 and honey_statement.commission == 24_000
    assert tea_statement.gross == 165_003 and tea_statement.commission == 10_800
    assert honey_statement.own_discounts == tea_statement.own_discounts == 0
    assert honey_statement.cod_collected + tea_statement.cod_collected == order.grand_total
    for st, part in ((honey_statement, honey_part), (tea_statement, tea_part)):
        assert st.due == st.gross - st.commission - st.cod_collected
        assert st.due == ledger.balance(db.session, part.producer_id)
        assert [(v.code, v.shop_funded, v.amount) for v in st.voucher_lines] == [
            ("OCOP10", True, part.shop_discount)
        ]
    # What the shop gave up: its commissions less the voucher it funded.
    shop_takes = -(honey_statement.due + tea_statement.due)
    assert shop_takes == 24_000 + 10_800 - 43_500


def test_cancelling_one_sub_order_gives_back_exactly_its_share(app):
    cart, _honey_coop, _tea_coop = two_cooperative_cart()
    voucher = ocop10()
    services.apply_code(db.session, cart, "OCOP10", SHIPPING)
    order = place_order(db.session, cart, details(PaymentMethod.COD), settings=settings())
    honey_part, tea_part = sorted(order.sub_orders, key=lambda so: so.producer_id)
    before = order_totals(order)

    cancellation.cancel_by_buyer(db.session, order, tea_part, None, "Đổi ý")

    after = order_totals(order)
    assert tea_part.status is SubOrderStatus.CANCELLED
    # The courier now collects the honey parcel only: its goods less its own share, exactly.
    assert before.due - after.due == tea_part.total == 135_003 + 30_000 - 13_500
    assert after.due == honey_part.total == 300_000 + 30_000 - 30_000
    db.session.refresh(voucher)
    assert voucher.uses == 1  # part of the order still stands: the use is kept

    cancellation.cancel_by_buyer(db.session, order, honey_part, None, "Đổi ý")
    db.session.refresh(voucher)
    assert voucher.uses == 0  # the whole order is cancelled: the use goes back
    assert db.session.scalar(select(VoucherUse.released_at)) is not None


def test_a_cooperative_voucher_lowers_only_its_own_payout(app):
    cart, honey_coop, tea_coop = two_cooperative_cart()
    matong20k(honey_coop)
    ocop10()
    services.apply_code(db.session, cart, "matong20k", SHIPPING)
    services.apply_code(db.session, cart, "OCOP10", SHIPPING)
    order = place_order(db.session, cart, details(PaymentMethod.COD), settings=settings())
    honey_part, tea_part = sorted(order.sub_orders, key=lambda so: so.producer_id)
    # The cooperative's 20.000 first, then 10 % of what is left (415.003 → 41.500).
    assert honey_part.producer_discount == 20_000
    assert order.discount_total == 20_000 + 41_500
    for part in (honey_part, tea_part):
        deliver(part)
    honey = statements.statement(db.session, honey_coop, today_vn(), today_vn())
    entries = {
        e.kind: e.amount
        for e in db.session.scalars(
            select(LedgerEntry).where(LedgerEntry.producer_order_id == honey_part.id)
        )
    }
    assert entries[LedgerKind.ADJUSTMENT] == -20_000
    assert entries[LedgerKind.SALE] == 330_000
    # Commission on the goods as sold: 300.000 less its own 20.000 (the shop's share is paid).
    assert entries[LedgerKind.COMMISSION] == -22_400
    assert honey.due == 330_000 - 20_000 - 22_400 - honey_part.total
    assert honey.due == ledger.balance(db.session, honey_coop.id)
    assert {(v.code, v.shop_funded) for v in honey.voucher_lines} == {
        ("MATONG20K", False),
        ("OCOP10", True),
    }
    assert sum(v.amount for v in honey.voucher_lines) == honey_part.discount
    tea = statements.statement(db.session, tea_coop, today_vn(), today_vn())
    assert tea.own_discounts == 0 and tea.due == ledger.balance(db.session, tea_coop.id)

"""Payout statements: the arithmetic, the period bounds (Vietnam days) and the balance."""

from datetime import date, datetime, timedelta

from storefront.clock import today_vn, utcnow
from storefront.extensions import db
from storefront.models import PaymentMethod
from storefront.orders import routing
from storefront.producers import ledger
from storefront.producers.statements import statement
from tests.factories import ProductFactory

from .factories_dashboard import make_order


def _deliver(sub_order, now=None, cash=True):
    routing.confirm(db.session, sub_order, None, now=now)
    routing.pack(db.session, sub_order, None, now=now)
    routing.ship(db.session, sub_order, None, "GHN", "T1", now=now)
    routing.deliver(db.session, sub_order, None, cash_received=cash, now=now)


def test_statement_arithmetic(app, side_a):
    producer, product = side_a.producer, side_a.product  # 250.000 ₫ each
    cod = make_order(producer, [(product, 2)])  # 500.000 + 30.000 shipping, 8 %
    card = make_order(
        producer, [(product, 1)], payment_method=PaymentMethod.CARD, commission_rate_bp=1000
    )
    old = make_order(producer, [(product, 1)], payment_method=PaymentMethod.CARD)
    cancelled = make_order(producer, [(product, 1)])
    still_shipping = make_order(producer, [(product, 1)])
    with app.test_request_context():
        _deliver(cod)
        _deliver(card)
        _deliver(old, now=utcnow() - timedelta(days=40))
        routing.cancel(db.session, cancelled, None, "Hết hàng")
        routing.confirm(db.session, still_shipping, None)
    ledger.record_payout(db.session, producer, 100_000, "VCB-1", None)
    db.session.commit()

    today = today_vn()
    result = statement(db.session, producer, today - timedelta(days=7), today)
    assert [line.order_number for line in result.lines] == [cod.order.number, card.order.number]
    cod_line, card_line = result.lines
    assert (cod_line.gross, cod_line.commission, cod_line.net, cod_line.cod_collected) == (
        530_000,
        40_000,  # 8 % of the goods, not of the shipping fee
        490_000,
        530_000,
    )
    assert (card_line.gross, card_line.commission, card_line.net, card_line.cod_collected) == (
        280_000,
        25_000,  # this sub-order was sold at the producer's own 10 %
        255_000,
        0,
    )
    assert (result.gross, result.commission, result.net, result.cod_collected) == (
        810_000,
        65_000,
        745_000,
        530_000,
    )
    assert result.due == 745_000 - 530_000
    assert result.payouts_paid == 100_000
    # Ledger: COD -40.000, card +255.000, old card +260.000, payout -100.000.
    assert result.balance == ledger.balance(db.session, producer.id) == 375_000
    assert result.closing_balance == 375_000

    earlier = statement(
        db.session, producer, today - timedelta(days=60), today - timedelta(days=30)
    )
    assert [line.order_number for line in earlier.lines] == [old.order.number]
    assert (earlier.gross, earlier.commission, earlier.net) == (280_000, 20_000, 260_000)


def test_only_cod_sales_leave_the_producer_owing(app, side_a):
    sub_order = make_order(side_a.producer, [(side_a.product, 1)], shipping_fee=0)
    with app.test_request_context():
        _deliver(sub_order)
    db.session.commit()
    result = statement(db.session, side_a.producer, today_vn(), today_vn())
    assert result.due == -20_000 == result.balance  # 8 % of 250.000, owed to the shop


def test_commission_rounds_half_up_to_whole_dong(app, side_a):
    product = ProductFactory(producer=side_a.producer, price=12_345)
    sub_order = make_order(side_a.producer, [(product, 1)], shipping_fee=0)
    with app.test_request_context():
        _deliver(sub_order)
    db.session.commit()
    [line] = statement(db.session, side_a.producer, today_vn(), today_vn()).lines
    assert line.commission == 988  # 987.6


def test_period_days_are_vietnam_days(app, side_a):
    """Delivered 31 March 17:30 UTC is 1 April 00:30 in Hà Nội: an April sale."""
    sub_order = make_order(side_a.producer, [(side_a.product, 1)])
    with app.test_request_context():
        _deliver(sub_order, now=datetime(2024, 3, 31, 17, 30))
    db.session.commit()
    march = statement(db.session, side_a.producer, date(2024, 3, 1), date(2024, 3, 31))
    april = statement(db.session, side_a.producer, date(2024, 4, 1), date(2024, 4, 30))
    assert march.lines == [] and len(april.lines) == 1
    assert april.lines[0].delivered_on == date(2024, 4, 1)


def test_statement_is_scoped_to_the_producer(app, side_a, side_b):
    with app.test_request_context():
        _deliver(side_b.sub_order)
    db.session.commit()
    mine = statement(db.session, side_a.producer, today_vn() - timedelta(days=1), today_vn())
    assert mine.lines == [] and mine.gross == 0 and mine.balance == 0


def test_payouts_page(client, login_a, side_b):
    client.set_cookie("lang", "en")
    sub_order = make_order(login_a.producer, [(login_a.product, 2)])
    with client.application.test_request_context():
        _deliver(sub_order)
    payout = ledger.record_payout(db.session, login_a.producer, 50_000, "VCB-A-7", None)
    db.session.commit()
    page = client.get("/dashboard/payouts").get_data(as_text=True)
    assert sub_order.order.number in page
    assert "530.000\u00a0₫" in page and "40.000\u00a0₫" in page
    assert "You owe the shop" in page or "you owe" in page.lower()
    assert client.get(f"/dashboard/payouts/{payout.id}").status_code == 200
    assert client.get(f"/dashboard/payouts/{side_b.payout.id}").status_code == 404
    bad = client.get("/dashboard/payouts?start=yesterday&end=2024-13-01")
    assert bad.status_code == 200 and b"not valid" in bad.data

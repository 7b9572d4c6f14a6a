"""Overview: orders and sales per day, by province, by OCOP group, top producers — in SQL."""

from datetime import date, datetime

from storefront.admin import queries
from storefront.extensions import db
from storefront.models import PaymentMethod, PaymentStatus, SubOrderStatus
from tests.admin.factories_admin import make_order
from tests.conftest import counting_queries
from tests.factories import ProducerFactory, ProductFactory

START, END = date(2026, 5, 1), date(2026, 5, 31)


def _world():
    honey = ProductFactory(
        producer=ProducerFactory(name="HTX Mật ong"), price=200_000, group="food"
    )
    linen = ProductFactory(
        producer=ProducerFactory(name="HTX Lanh"), price=500_000, group="handicraft"
    )
    # 10 May, Hà Nội (province 1): honey ×2 + linen ×1, cash on delivery.
    make_order([(honey, 2), (linen, 1)], province_code=1, created_at=datetime(2026, 5, 10, 2))
    # 17:30 UTC on 10 May is 00:30 on 11 May in Vietnam; Tuyên Quang (8), paid by transfer.
    paid = make_order(
        [(honey, 1)],
        method=PaymentMethod.BANK_TRANSFER,
        status=PaymentStatus.PAID,
        province_code=8,
        created_at=datetime(2026, 5, 10, 17, 30),
    )
    paid.sub_orders[0].refunded_amount = 50_000
    paid.refunded_total = 50_000
    # Unpaid transfer: counted as an order, not as a sale.
    make_order(
        [(linen, 3)],
        method=PaymentMethod.BANK_TRANSFER,
        province_code=1,
        created_at=datetime(2026, 5, 11, 4),
    )
    # Cancelled part: not a sale.
    make_order(
        [(linen, 1)],
        province_code=1,
        created_at=datetime(2026, 5, 12, 4),
        sub_status=SubOrderStatus.CANCELLED,
    )
    # Outside the period.
    make_order([(honey, 5)], province_code=1, created_at=datetime(2026, 4, 30, 16, 59))
    db.session.commit()
    return honey, linen


def test_orders_and_sales_per_vietnamese_day(app):
    _world()
    overview = queries.overview(db.session, START, END)
    by_day = {row.day: (row.orders, row.sales) for row in overview.days}
    assert len(overview.days) == 31
    assert by_day[date(2026, 5, 10)] == (1, 2 * 200_000 + 500_000 + 2 * 30_000)
    assert by_day[date(2026, 5, 11)] == (2, 200_000 + 30_000 - 50_000)
    assert by_day[date(2026, 5, 12)] == (1, 0)
    assert by_day[date(2026, 5, 1)] == (0, 0)
    assert overview.orders == 4
    assert overview.sales == 960_000 + 180_000


def test_sales_by_province_group_and_top_producers(app):
    _world()
    overview = queries.overview(db.session, START, END)
    assert overview.by_province == [(1, 1, 960_000), (8, 1, 180_000)]
    assert overview.by_group == [("food", 3, 600_000), ("handicraft", 1, 500_000)]
    names = [(name, n, sales) for _, name, n, sales in overview.top_producers]
    assert names == [("HTX Mật ong", 2, 610_000), ("HTX Lanh", 1, 530_000)]


def test_aggregates_cost_the_same_queries_for_many_orders(app):
    honey, linen = _world()
    with counting_queries() as few:
        queries.overview(db.session, START, END)
    for day in range(1, 29):
        make_order([(honey, 1), (linen, 1)], created_at=datetime(2026, 5, day, 5), reserve=False)
    db.session.commit()
    with counting_queries() as many:
        queries.overview(db.session, START, END)
    assert len(many) == len(few) <= 6


def test_overview_page_shows_the_figures(admin_client, app, monkeypatch):
    _world()
    monkeypatch.setattr("storefront.admin.routes.today_vn", lambda: END)
    admin_client.set_cookie("lang", "en")
    html = admin_client.get("/admin/?days=30").get_data(as_text=True)
    assert "HTX Mật ong" in html and "610.000" in html
    assert "Tuyên Quang" in html
    assert "Food" in html and "Handicrafts" in html

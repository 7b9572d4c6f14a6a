"""Every page renders for a member, with real data, in both languages."""

import pytest

from storefront.extensions import db
from storefront.models import PaymentMethod, StockReason
from storefront.producers import inventory
from tests.factories import vid

from .factories_dashboard import make_image, make_order


@pytest.fixture
def busy_a(login_a):
    side = login_a
    side.image = make_image(side.product, "a")
    side.sub_order = make_order(side.producer, [(side.product, 3)])
    side.card_order = make_order(
        side.producer, [(side.product, 1)], payment_method=PaymentMethod.CARD
    )
    side.movement = inventory.adjust(db.session, vid(side.product), 4, StockReason.HARVEST)
    db.session.commit()
    return side


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_page_renders(client, busy_a, lang):
    client.set_cookie("lang", lang)
    a = busy_a
    urls = [
        "/dashboard",
        "/dashboard?days=90",
        "/dashboard/products",
        "/dashboard/products?status=draft",
        "/dashboard/products/new",
        f"/dashboard/products/{a.product.id}",
        f"/dashboard/products/{a.product.id}/certificates/new",
        f"/dashboard/products/{a.product.id}/stock",
        "/dashboard/stock",
        "/dashboard/stock/movements",
        f"/dashboard/stock/movements?product={a.product.id}",
        f"/dashboard/stock/movements/{a.movement.id}",
        "/dashboard/stock/import",
        "/dashboard/orders",
        "/dashboard/orders?status=placed",
        f"/dashboard/orders/{a.sub_order.id}",
        f"/dashboard/orders/{a.card_order.id}",
        f"/dashboard/orders/{a.sub_order.id}/slip",
        "/dashboard/payouts",
        "/dashboard/payouts?start=2020-01-01&end=2020-02-01",
        "/dashboard/team",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.data[:3000])
        assert b'style="' not in response.data, url  # the CSP forbids inline styles
        assert b"onclick" not in response.data, url


def test_overview_shows_work_to_do(client, busy_a):
    client.set_cookie("lang", "en")
    page = client.get("/dashboard").get_data(as_text=True)
    assert busy_a.sub_order.order.number in page  # COD order waiting for confirmation
    assert busy_a.card_order.order.number in page  # paid card order too
    assert "<svg" in page and "sales-chart" in page


def test_csv_exports(client, busy_a):
    response = client.get("/dashboard/orders/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert busy_a.sub_order.order.number in text
    stock = client.get("/dashboard/stock/export.csv").get_data(as_text=True)
    assert f"{busy_a.product.id},{busy_a.product.name}" in stock

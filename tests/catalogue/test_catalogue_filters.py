"""Listing filters, facet counts (each facet ignores its own filter), sorting and pagination."""

from datetime import datetime, timedelta

import pytest

from storefront.catalogue.queries import ProductFilters, load_public, search_products
from storefront.clock import today_vn
from storefront.extensions import db
from storefront.models import CertificateStatus, ProducerStatus, ProductStatus
from tests.catalogue.factories_catalogue import (
    CertificateFactory,
    ProducerFactory,
    make_certified,
    make_product,
)

TUYEN_QUANG, CAO_BANG = 8, 4


@pytest.fixture
def shop(app):
    """Seven public products in two provinces, plus three that must never be counted."""
    today = today_vn()
    base = datetime(2026, 1, 1)
    dong_van = ProducerFactory(name="HTX Đồng Văn", slug="dong-van", province_code=TUYEN_QUANG)
    cao_bang = ProducerFactory(
        name="HTX Cao Bằng", slug="cao-bang", province_code=CAO_BANG, ward_code=None
    )
    made = {}

    def add(key, stars=None, **kwargs):
        kwargs.setdefault("created_at", base + timedelta(days=len(made)))
        kwargs.setdefault("slug", key)
        made[key] = make_certified(stars, **kwargs) if stars else make_product(**kwargs)

    add("honey4", stars=4, name="Mật ong 4 sao", producer=dong_van, price=300_000)
    add(
        "honey3",
        stars=3,
        name="Mật ong 3 sao",
        producer=dong_van,
        price=150_000,
        stock_on_hand=2,
        stock_reserved=2,
    )  # sold out
    add("expired", name="Mật ong hết hạn", producer=dong_van, price=200_000)
    CertificateFactory(
        product=made["expired"],
        stars=5,
        signed_on=today - timedelta(days=1200),
        valid_until=today - timedelta(days=1),
    )
    add("pending", name="Mật ong chờ", producer=dong_van, price=100_000)
    CertificateFactory(product=made["pending"], stars=5, status=CertificateStatus.PENDING)
    add(
        "linen",
        name="Vải lanh",
        producer=cao_bang,
        group="handicraft",
        subgroup="textiles",
        price=900_000,
        made_to_order=True,
        lead_time_days=30,
        stock_on_hand=0,
    )
    add(
        "wine",
        stars=5,
        name="Rượu ngô",
        producer=cao_bang,
        group="beverage",
        subgroup="alcoholic",
        price=500_000,
    )
    add(
        "tea",
        name="Trà shan",
        producer=cao_bang,
        group="beverage",
        subgroup="non_alcoholic",
        price=80_000,
        stock_on_hand=0,
    )
    # Never public:
    add("draft", stars=5, name="Mật ong nháp", producer=dong_van, status=ProductStatus.DRAFT)
    add("archived", stars=5, name="Mật ong cũ", producer=dong_van, status=ProductStatus.ARCHIVED)
    suspended = ProducerFactory(slug="suspended", status=ProducerStatus.SUSPENDED)
    add("hidden", stars=5, name="Mật ong ẩn", producer=suspended)
    db.session.commit()
    return made


def run(**filters):
    per_page = filters.pop("per_page", 24)
    return search_products(ProductFilters(**filters), today_vn(), per_page=per_page)


def slugs(page):
    return [product.slug for product in load_public(page.ids)]


def test_unfiltered_listing_counts_only_public_products(shop):
    page = run()
    assert page.total == 7
    assert set(slugs(page)) == {"honey4", "honey3", "expired", "pending", "linen", "wine", "tea"}
    facets = page.facets
    assert {code: n for code, _label, n in facets.groups} == {
        "food": 4,
        "beverage": 2,
        "handicraft": 1,
        "herbal": 0,
        "ornamental": 0,
        "tourism": 0,
    }
    # Only verified certificates valid today count: expired and pending ones do not.
    assert facets.stars == [(3, 3), (4, 2), (5, 1)]
    assert [(slug, n) for slug, _name, n in facets.producers] == [("dong-van", 4), ("cao-bang", 3)]
    assert [(code, n) for code, _name, n in facets.provinces] == [(CAO_BANG, 3), (TUYEN_QUANG, 4)]
    assert facets.in_stock == 5  # honey3 and tea are sold out; linen is made to order


def test_each_facet_ignores_its_own_filter(shop):
    page = run(group="food")
    assert page.total == 4
    # The group facet still shows the other groups, so the buyer can switch.
    assert {c: n for c, _l, n in page.facets.groups}["beverage"] == 2
    assert page.facets.stars == [(3, 2), (4, 1), (5, 0)]
    assert [(s, n) for s, _n, n in page.facets.producers] == [("dong-van", 4)]

    page = run(stars=4)
    assert set(slugs(page)) == {"honey4", "wine"}
    assert page.facets.stars == [(3, 3), (4, 2), (5, 1)]  # unchanged by its own filter
    assert {c: n for c, _l, n in page.facets.groups} == {
        "food": 1,
        "beverage": 1,
        "handicraft": 0,
        "herbal": 0,
        "ornamental": 0,
        "tourism": 0,
    }
    assert page.facets.in_stock == 2


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"group": "beverage"}, {"wine", "tea"}),
        ({"stars": 3}, {"honey4", "honey3", "wine"}),
        ({"stars": 5}, {"wine"}),
        ({"producer": "cao-bang"}, {"linen", "wine", "tea"}),
        ({"province": TUYEN_QUANG}, {"honey4", "honey3", "expired", "pending"}),
        ({"price_min": 200_000}, {"honey4", "expired", "linen", "wine"}),
        ({"price_max": 150_000}, {"honey3", "pending", "tea"}),
        ({"price_min": 150_000, "price_max": 300_000}, {"honey4", "honey3", "expired"}),
        ({"in_stock": True}, {"honey4", "expired", "pending", "linen", "wine"}),
        ({"group": "food", "stars": 4, "in_stock": True}, {"honey4"}),
        ({"q": "mat ong", "province": TUYEN_QUANG, "stars": 4}, {"honey4"}),
        ({"group": "herbal"}, set()),
    ],
)
def test_filters(shop, filters, expected):
    page = run(**filters)
    assert set(slugs(page)) == expected
    assert page.total == len(expected)


def test_unknown_producer_is_ignored_and_reported(shop):
    page = run(producer="no-such-producer")
    assert page.ignored == ["producer"]
    assert page.total == 7
    assert run(producer="suspended").ignored == ["producer"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("price_asc", ["tea", "pending", "honey3", "expired", "honey4", "wine", "linen"]),
        ("price_desc", ["linen", "wine", "honey4", "expired", "honey3", "pending", "tea"]),
        ("newest", ["tea", "wine", "linen", "pending", "expired", "honey3", "honey4"]),
        # Valid stars first (5, 4, 3), then the rest newest first.
        ("stars", ["wine", "honey4", "honey3", "tea", "linen", "pending", "expired"]),
        (None, ["tea", "wine", "linen", "pending", "expired", "honey3", "honey4"]),
        ("relevance", ["tea", "wine", "linen", "pending", "expired", "honey3", "honey4"]),
    ],
)
def test_sorting(shop, sort, expected):
    assert slugs(run(sort=sort)) == expected


def test_pagination_and_clamping(shop):
    first = run(per_page=3, sort="price_asc")
    assert (first.total, first.pages, first.page) == (7, 3, 1)
    assert slugs(first) == ["tea", "pending", "honey3"]
    last = run(per_page=3, sort="price_asc", page=3)
    assert slugs(last) == ["linen"]
    beyond = run(per_page=3, sort="price_asc", page=99_999)
    assert beyond.page == 3 and slugs(beyond) == ["linen"]
    assert beyond.filters.page == 3


def test_listing_page_shows_facets_chips_and_removal_links(shop, client):
    html = client.get("/products?group=food&stars=4&q=mat+ong").get_data(as_text=True)
    assert "Mật ong 4 sao" in html
    assert "Mật ong 3 sao" not in html
    # One chip per active filter, each removing only itself.
    assert 'href="/products?group=food&amp;stars=4"' in html  # removes the search
    assert 'href="/products?q=mat+ong&amp;stars=4"' in html  # removes the group
    assert 'href="/products?q=mat+ong&amp;group=food"' in html  # removes the stars
    # Facet counts are printed next to each value.
    assert '<option value="dong-van" >HTX Đồng Văn (1)</option>' in html


def test_empty_result_explains_and_suggests(shop, client):
    html = client.get("/products?q=sâm+ngọc+linh&group=food").get_data(as_text=True)
    assert "sâm ngọc linh" in html
    assert "/products?q=s%C3%A2m+ng%E1%BB%8Dc+linh" in html  # search everything instead
    assert "/products?group=handicraft" in html  # browse a group
    assert "mat ong" in html  # accents are optional


def test_home_shows_featured_with_valid_certificate_in_admin_order(app, client):
    today = today_vn()
    second = make_certified(name="Thứ hai nổi bật", featured=True, featured_position=2)
    first = make_certified(
        name="Thứ nhất nổi bật",
        featured=True,
        featured_position=1,
        group="handicraft",
        subgroup="textiles",
    )
    expired = make_product(name="Nổi bật hết hạn", featured=True, featured_position=0)
    CertificateFactory(
        product=expired,
        signed_on=today - timedelta(days=1100),
        valid_until=today - timedelta(days=1),
    )
    make_product(name="Nổi bật không chứng nhận", featured=True, featured_position=0)
    make_certified(name="Không nổi bật")
    db.session.commit()

    from storefront.catalogue.queries import home_page

    home = home_page(today)
    assert [p.name for p in home.featured] == [first.name, second.name]
    assert [p.name for p in home.featured_by_group["handicraft"]] == [first.name]
    assert [p.name for p in home.featured_by_group["food"]] == [second.name]
    html = client.get("/").get_data(as_text=True)
    featured_html = html[html.index('id="featured-heading"') : html.index('id="groups-heading"')]
    assert featured_html.index(first.name) < featured_html.index(second.name)
    assert "Nổi bật hết hạn" not in featured_html
    assert "Nổi bật không chứng nhận" not in featured_html

"""No N+1: listing, product and home pages cost the same number of SQL statements whatever
the number of products shown, at most 6 (MAX_STATEMENTS) with the cache off, and one (the
catalogue version) when the cache has the page."""

import pytest

from storefront.extensions import db
from tests.catalogue.factories_catalogue import (
    CertificateFactory,
    ProducerFactory,
    ProductImageFactory,
    make_product,
)

MAX_STATEMENTS = 6


def build(count, group="food"):
    """`count` products, each from its own producer, with two images and two certificates."""
    products = []
    for i in range(count):
        product = make_product(
            name=f"Mật ong số {i}",
            producer=ProducerFactory(),
            group=group,
            featured=True,
            featured_position=i,
        )
        ProductImageFactory(product=product)
        ProductImageFactory(product=product)
        CertificateFactory(product=product, stars=3)
        CertificateFactory(product=product, stars=4)
        products.append(product)
    db.session.commit()
    return products


def statements(client, count_queries, url):
    db.session.expire_all()
    with count_queries() as seen:
        response = client.get(url)
    assert response.status_code == 200
    return len(seen)


@pytest.mark.parametrize(
    "url",
    [
        "/products",
        "/products?q=mat+ong",
        "/products?group=food&stars=3&sort=stars&in_stock=1",
        "/products?q=matong",  # no word matches: the near misses are counted too
        "/products?q=mat+ong&producer=htx-1&province=8&price_min=1000",
        "/",
        "/producers",
        "/api/v1/products",
        "/api/v1/search/suggest?q=mat",
    ],
)
def test_page_cost_does_not_grow_with_the_page(app_factory, count_queries, url):
    costs = []
    for count in (2, 20):
        app = app_factory(CATALOGUE_PER_PAGE=24)
        with app.app_context():
            build(count)
            costs.append(statements(app.test_client(), count_queries, url))
    assert costs[0] == costs[1], f"{url}: {costs[0]} statements for 2 products, {costs[1]} for 20"
    assert costs[0] <= MAX_STATEMENTS


def test_product_page_cost_does_not_grow_with_related_products(app_factory, count_queries):
    costs = []
    for count in (2, 8):
        app = app_factory()
        with app.app_context():
            slug = build(count)[0].slug
            costs.append(statements(app.test_client(), count_queries, f"/products/{slug}"))
    assert costs[0] == costs[1]
    assert costs[0] <= MAX_STATEMENTS


def test_producer_page_cost_does_not_grow_with_its_products(app_factory, count_queries):
    costs = []
    for count in (1, 10):
        app = app_factory()
        with app.app_context():
            producer = ProducerFactory(slug="one")
            for i in range(count):
                product = make_product(producer=producer, name=f"Sản phẩm {i}")
                ProductImageFactory(product=product)
                CertificateFactory(product=product)
            db.session.commit()
            costs.append(statements(app.test_client(), count_queries, "/producers/one"))
    assert costs[0] == costs[1]
    assert costs[0] <= MAX_STATEMENTS


@pytest.mark.parametrize(
    "url", ["/products", "/products?q=mat+ong&stars=3", "/", "/producers", "/api/v1/products"]
)
def test_cached_pages_cost_one_statement_whatever_the_page_size(app_factory, count_queries, url):
    costs = []
    for count in (2, 20):
        app = app_factory(CACHE_TYPE="SimpleCache")
        with app.app_context():
            build(count)
            client = app.test_client()
            miss = statements(client, count_queries, url)
            costs.append(statements(client, count_queries, url))
            assert costs[-1] < miss
    assert costs[0] == costs[1]
    # The catalogue version; the API's products are loaded fresh (2 more with their images
    # and certificates, 1 more with their variants and stock).
    assert costs[0] <= (5 if url.startswith("/api/") else 1)


def test_cached_pages_never_serve_stale_rows(app_factory):
    from storefront.models import ProductStatus

    app = app_factory(CACHE_TYPE="SimpleCache")
    with app.app_context():
        kept, hidden = build(2)
        client = app.test_client()
        html = client.get("/products").get_data(as_text=True)
        assert kept.name in html and hidden.name in html
        hidden.status = ProductStatus.ARCHIVED
        kept.price = 123_000
        db.session.commit()
        html = client.get("/products").get_data(as_text=True)
        assert hidden.name not in html  # the commit bumped the catalogue version
        assert "123.000" in html

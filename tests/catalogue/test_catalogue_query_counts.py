"""No N+1: listing, product and home pages cost the same number of SQL statements whatever
the number of products shown (related rows come in with selectinload / contains_eager)."""

import pytest

from storefront.extensions import db
from tests.catalogue.factories_catalogue import (
    CertificateFactory,
    ProducerFactory,
    ProductImageFactory,
    make_product,
)


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
        "/",
        "/producers",
        "/api/v1/products",
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
    assert costs[0] <= 12


def test_product_page_cost_does_not_grow_with_related_products(app_factory, count_queries):
    costs = []
    for count in (2, 8):
        app = app_factory()
        with app.app_context():
            slug = build(count)[0].slug
            costs.append(statements(app.test_client(), count_queries, f"/products/{slug}"))
    assert costs[0] == costs[1]
    assert costs[0] <= 8


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

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


@pytest.mark.parametrize("url", ["/products", "/products?q=mat+ong&stars=3", "/", "/producers"])
def test_cached_pages_cost_few_statements_whatever_the_page_size(app_factory, count_queries, url):
    costs = []
    for count in (2, 20):
        app = app_factory(CATALOGUE_CACHE_SECONDS=60)
        with app.app_context():
            build(count)
            client = app.test_client()
            miss = statements(client, count_queries, url)
            costs.append(statements(client, count_queries, url))
            assert costs[-1] < miss
    assert costs[0] == costs[1]
    assert costs[0] <= 5


def test_cached_ids_never_serve_stale_rows(app_factory):
    from storefront.models import ProductStatus

    app = app_factory(CATALOGUE_CACHE_SECONDS=60)
    with app.app_context():
        kept, hidden = build(2)
        client = app.test_client()
        html = client.get("/products").get_data(as_text=True)
        assert kept.name in html and hidden.name in html
        hidden.status = ProductStatus.ARCHIVED
        kept.price = 123_000
        db.session.commit()
        html = client.get("/products").get_data(as_text=True)
        assert hidden.name not in html  # the cached id list still has it; the row check drops it
        assert "123.000" in html  # rows are always fresh


def test_ttl_cache_expires_and_stays_bounded(monkeypatch):
    from storefront.catalogue import cache as cache_module

    now = [1000.0]
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: now[0])
    cache = cache_module.TTLCache(60, max_entries=2)
    calls = []

    def compute(value):
        calls.append(value)
        return value

    assert cache.get_or_set("a", lambda: compute(1)) == 1
    assert cache.get_or_set("a", lambda: compute(2)) == 1
    now[0] += 61
    assert cache.get_or_set("a", lambda: compute(3)) == 3
    cache.get_or_set("b", lambda: compute(4))
    cache.get_or_set("c", lambda: compute(5))
    assert cache.get_or_set("a", lambda: compute(6)) == 6  # evicted as least recently used
    assert calls == [1, 3, 4, 5, 6]
    assert cache_module.TTLCache(0).get_or_set("x", lambda: compute(7)) == 7
    assert cache_module.TTLCache(0).get_or_set("x", lambda: compute(8)) == 8


def test_ttl_cache_computes_a_missing_key_once_for_concurrent_callers():
    import threading
    import time

    from storefront.catalogue.cache import TTLCache

    cache = TTLCache(60)
    calls = []
    release = threading.Event()
    started = threading.Event()

    def slow():
        calls.append(1)
        started.set()
        assert release.wait(5)
        return "facets"

    results = []
    first = threading.Thread(target=lambda: results.append(cache.get_or_set("k", slow)))
    first.start()
    assert started.wait(5)
    others = [
        threading.Thread(target=lambda: results.append(cache.get_or_set("k", slow)))
        for _ in range(3)
    ]
    for thread in others:
        thread.start()
    # Give the others time to reach the cache: without single-flight they would call slow().
    for _ in range(50):
        if len(calls) > 1:
            break
        time.sleep(0.01)
    release.set()
    for thread in [first, *others]:
        thread.join(5)
    assert results == ["facets"] * 4
    assert calls == [1]


def test_ttl_cache_recomputes_after_a_failed_computation():
    from storefront.catalogue.cache import TTLCache

    cache = TTLCache(60)

    def fail():
        raise LookupError("database went away")

    with pytest.raises(LookupError):
        cache.get_or_set("k", fail)
    assert cache.get_or_set("k", lambda: 7) == 7

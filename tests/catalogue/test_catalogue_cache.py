"""One catalogue cache for every worker: keys carry the catalogue version, which every public
write bumps in its own transaction (storefront/catalogue/cache.py)."""

import os
import re
import uuid

import pytest
import redis
from sqlalchemy import select, update

from storefront.catalogue import featuring
from storefront.catalogue.models import CatalogueState, Product
from storefront.clock import today_vn
from storefront.extensions import db
from storefront.models import ProducerStatus
from storefront.reviews.models import Review
from tests.catalogue.factories_catalogue import CertificateFactory, make_product
from tests.factories import AdminFactory

# The catalogue's own Redis database for tests (the rate-limit test flushes its own).
REDIS_URL = os.environ.get("REDIS_CACHE_TEST_URL", "redis://127.0.0.1:6379/2")


def _redis_available() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


def version() -> int:
    return db.session.scalar(select(CatalogueState.version).where(CatalogueState.id == 1)) or 1


def featured_names(html: str) -> list[str]:
    section = re.search(r'aria-labelledby="featured-heading".*?</section>', html, re.S)
    return re.findall(r'class="product-card-name">([^<]+)<', section.group() if section else "")


@pytest.mark.real_commits  # two apps, each with its own connections, on one database
@pytest.mark.skipif(not _redis_available(), reason=f"needs Redis at {REDIS_URL}")
def test_a_featured_product_shows_on_every_worker_at_the_next_request(app_factory):
    prefix = f"test-{uuid.uuid4().hex}:"
    options = {
        "CACHE_TYPE": "RedisCache",
        "CACHE_REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": prefix,
    }
    # Two "workers": separate apps (own engines, own Flask-Caching clients) on one database
    # and one Redis.
    workers = [app_factory(**options), app_factory(**options)]
    try:
        with workers[0].app_context():
            product = make_product(name="Khăn thêu Sà Phìn", slug="khan-theu")
            CertificateFactory(product=product, stars=4)
            admin = AdminFactory()
            db.session.commit()
            product_id, admin_id = product.id, admin.id

        clients = [worker.test_client() for worker in workers]
        for client in clients:  # both workers have the home page cached without it
            for _ in range(2):
                assert "Khăn thêu Sà Phìn" not in featured_names(client.get("/").text)

        # The admin's featuring service on worker 0, committed as its request would.
        with workers[0].app_context():
            product = db.session.get(Product, product_id)
            featuring.feature_product(db.session, product, admin_id, today_vn())
            db.session.commit()
            assert db.session.get(Product, product_id).featured

        for request in range(20):
            html = clients[request % 2].get("/").text
            assert featured_names(html) == ["Khăn thêu Sà Phìn"], f"request {request + 1}"
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)


def test_public_writes_bump_the_version_in_their_transaction(app):
    start = version()
    product = make_product(name="Mật ong")
    db.session.commit()
    after_insert = version()
    assert after_insert == start + 1

    # A conditional UPDATE (how stock moves) bumps it too.
    db.session.execute(
        update(Product)
        .where(Product.id == product.id)
        .values(stock_on_hand=Product.stock_on_hand + 1)
    )
    db.session.commit()
    assert version() == after_insert + 1

    product.producer.status = ProducerStatus.SUSPENDED
    db.session.commit()
    assert version() == after_insert + 2

    # A rolled-back write does not.
    product.price = 1
    db.session.flush()
    db.session.rollback()
    assert version() == after_insert + 2

    # Reviews are on the product page: a reply (a conditional UPDATE) bumps it.
    db.session.execute(update(Review).where(Review.id == -1).values(reply="Cảm ơn"))
    db.session.commit()
    assert version() == after_insert + 3

    # Nothing public changed: no bump.
    AdminFactory()
    db.session.commit()
    assert version() == after_insert + 3


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"REDIS_URL": "redis://127.0.0.1:6379/2"}, "RedisCache"),
        ({"REDIS_URL": ""}, "SimpleCache"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/2", "CATALOGUE_CACHE_SECONDS": 0}, "NullCache"),
    ],
)
def test_the_cache_is_shared_when_redis_is_configured(app_factory, options, expected):
    app = app_factory(TESTING=False, **options)
    assert app.config["CACHE_TYPE"] == expected


@pytest.mark.real_commits  # the copy in Redis follows real commits
@pytest.mark.skipif(not _redis_available(), reason=f"needs Redis at {REDIS_URL}")
def test_the_version_copy_in_redis_follows_commits_and_never_goes_back(app_factory):
    from storefront.catalogue.cache import _MIRROR, catalogue_version

    prefix = f"test-{uuid.uuid4().hex}:"
    app = app_factory(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=REDIS_URL, CACHE_KEY_PREFIX=prefix)
    client = redis.Redis.from_url(REDIS_URL)
    key = f"{prefix}catalogue:version"
    try:
        with app.app_context():
            mirror = app.extensions[_MIRROR]
            product = make_product(name="Mật ong")
            db.session.commit()
            committed = version()
            assert int(client.get(key)) == committed  # written by the commit itself
            assert 0 < client.ttl(key) <= mirror.MIRROR_SECONDS

            mirror.publish(committed - 1)  # a slow reader with an older number
            assert int(client.get(key)) == committed

            product.price = 99_000
            db.session.commit()
            assert int(client.get(key)) == committed + 1

            client.delete(key)  # expired (or Redis restarted): read from the database again
            with app.test_request_context("/"):
                assert catalogue_version() == committed + 1
            assert int(client.get(key)) == committed + 1
    finally:
        for stale in client.scan_iter(f"{prefix}*"):
            client.delete(stale)

"""Redis down: the shop still serves and takes orders; the tasks wait in the database.

Fallback (documented in the README): a task that cannot be sent is counted and logged; what
it would have done is durable (the emails are outbox rows), and beat's sweep sends them once
Redis is back. Rate limits fall back to per-process memory meanwhile.
"""

import os

import pytest
import redis
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from storefront.core.models import EmailStatus, OutboundEmail
from storefront.extensions import db
from storefront.mail import outbox
from storefront.orders.models import Order
from tests.checkout.factories_checkout import form_data
from tests.factories import ProducerFactory, ProductFactory, UserFactory
from tests.tasks.fake_smtp import closed_port

REAL_REDIS = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/3")


@pytest.fixture
def dead_redis_app(app_factory):
    dead = f"redis://127.0.0.1:{closed_port()}/3"
    app = app_factory(
        REDIS_URL=dead,
        CELERY_BROKER_URL=dead,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=dead,
    )
    with app.app_context():
        yield app
        db.session.remove()


def test_the_shop_serves_and_takes_orders_while_redis_is_down(dead_redis_app):
    app = dead_redis_app
    client = app.test_client()
    labels = {"task": "storefront.send_emails"}
    before = REGISTRY.get_sample_value("storefront_task_enqueue_failures_total", labels) or 0
    honey = ProductFactory(producer=ProducerFactory(contact_email="htx@coop.vn"))
    UserFactory(email="khach@example.vn")
    db.session.commit()

    assert client.get("/").status_code == 200
    assert client.get(f"/products/{honey.slug}").status_code == 200
    login = client.post(
        "/login", data={"email": "khach@example.vn", "password": "correct-horse-battery"}
    )
    assert login.status_code == 302  # logged in: the rate limiter counts in memory meanwhile
    assert "/login" not in login.headers["Location"]
    client.post("/cart/add", data={"product_id": honey.id, "quantity": 1})
    response = client.post("/checkout", data=form_data("cod"))
    assert response.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1

    # The emails wait in the outbox; the failed send was counted for the alert.
    statuses = db.session.scalars(select(OutboundEmail.status)).all()
    assert statuses == [EmailStatus.PENDING] * 2 and outbox() == []
    after = REGISTRY.get_sample_value("storefront_task_enqueue_failures_total", labels)
    assert after == before + 1

    # Liveness holds; readiness says which dependency is missing.
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["checks"] == {"database": True, "redis": False, "broker": False}

    # Redis is back: beat's sweep (the same task) sends what waited, once.
    app.config["TASKS_IN_PROCESS"] = True
    assert app.extensions["celery"].tasks["storefront.send_emails"]() == 2
    assert sorted(m["To"] for m in outbox()) == ["htx@coop.vn", "mai@example.vn"]


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REAL_REDIS, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(not _redis_up(), reason=f"needs Redis at {REAL_REDIS}")
def test_readyz_turns_ready_when_redis_answers(app_factory):
    app = app_factory(REDIS_URL=REAL_REDIS, CELERY_BROKER_URL=REAL_REDIS)
    with app.app_context():
        ready = app.test_client().get("/readyz")
        assert ready.status_code == 200
        assert ready.get_json()["checks"] == {"database": True, "redis": True, "broker": True}
        db.session.remove()

"""With REDIS_URL set, every web worker shares one login throttle (one process per app here)."""

import os

import pytest

from tests.factories import UserFactory

REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def _redis_available() -> bool:
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


@pytest.mark.skipif(not _redis_available(), reason=f"needs Redis at {REDIS_URL}")
def test_two_workers_share_the_login_limit_through_redis(app_factory):
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    options = {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "LOGIN_RATE_LIMIT": "2 per minute",
    }
    worker_a, worker_b = app_factory(**options), app_factory(**options)
    with worker_a.app_context():
        UserFactory(email="lan@example.vn")
    attempt = {"email": "lan@example.vn", "password": "wrong-password"}
    assert worker_a.test_client().post("/login", data=attempt).status_code == 422
    assert worker_b.test_client().post("/login", data=attempt).status_code == 422
    # The third attempt hits the other worker: only a shared store knows about the first two.
    assert worker_a.test_client().post("/login", data=attempt).status_code == 429
    redis.Redis.from_url(REDIS_URL).flushdb()

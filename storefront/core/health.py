"""Readiness checks: each answers within about a second, True when the service responds."""

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db

TIMEOUT_SECONDS = 1


def database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        db.session.rollback()
        return False


def url_ok(url: str) -> bool:
    if url.startswith(("redis://", "rediss://", "unix://")):
        import redis

        try:
            client = redis.Redis.from_url(
                url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
            )
            return bool(client.ping())
        except redis.RedisError:
            return False
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=TIMEOUT_SECONDS) as connection:
            connection.ensure_connection(max_retries=1, timeout=TIMEOUT_SECONDS)
        return True
    except Exception:  # kombu's errors differ per transport
        return False


def readiness(config) -> dict[str, bool]:
    from ..tasks import broker_url

    checks = {"database": database_ok()}
    redis_url = config.get("REDIS_URL") or ""
    if redis_url and not redis_url.startswith("memory://"):
        checks["redis"] = url_ok(redis_url)
    broker = broker_url(config)
    if broker and broker != redis_url:
        checks["broker"] = url_ok(broker)
    elif broker:
        checks["broker"] = checks["redis"]
    return checks

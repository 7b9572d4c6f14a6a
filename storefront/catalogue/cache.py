"""The catalogue's one cache: Flask-Caching, shared by every worker when REDIS_URL is set.

Keys carry the catalogue version (the one row of `catalogue_state`). Every write that changes
what the public sees (a product, its images, stock or price, a certificate, featuring, a
producer) bumps the version in the same transaction, so the first request after the commit,
on any worker, builds new keys: nothing needs invalidating, and nothing is ever served stale.
Old entries simply expire (CATALOGUE_CACHE_SECONDS bounds memory, not freshness).

Why a session event and not explicit calls in the services: the writes come from the
dashboard, admin, checkout, stock movements, CSV imports, seeding and background jobs, through
ORM objects and through conditional `UPDATE … WHERE` statements. One listener on every session
sees all of them, so a new service cannot forget the bump. A write through a raw connection
(no session) would not be seen: the catalogue's code has none.
"""

import hashlib

from flask import current_app, has_request_context, request
from flask_caching import Cache
from flask_sqlalchemy.session import Session
from sqlalchemy import event, select, text

from ..extensions import db
from ..producers.models import Producer
from .models import CatalogueState, Certificate, Product, ProductImage

cache = Cache()

DEFAULT_SECONDS = 600
# What the public sees. Stock movements change products' stock columns, so they are covered.
PUBLIC_MODELS = (Product, ProductImage, Certificate, Producer)
PUBLIC_TABLES = frozenset(model.__table__.name for model in PUBLIC_MODELS)
_CHANGED = "catalogue_changed"

_BUMP = text(
    "INSERT INTO catalogue_state (id, version) VALUES (1, 2) "
    "ON CONFLICT (id) DO UPDATE SET version = catalogue_state.version + 1"
)


def init_cache(app) -> None:
    """Redis when REDIS_URL is set, in-process otherwise; off with CATALOGUE_CACHE_SECONDS=0
    and in tests unless a test asks for it (CACHE_TYPE)."""
    seconds = app.config.get("CATALOGUE_CACHE_SECONDS", DEFAULT_SECONDS)
    redis_url = app.config.get("REDIS_URL")
    if "CACHE_TYPE" not in app.config:
        if app.testing or not seconds:
            app.config["CACHE_TYPE"] = "NullCache"
        elif redis_url and redis_url.startswith(("redis://", "rediss://", "unix://")):
            app.config["CACHE_TYPE"] = "RedisCache"
            app.config["CACHE_REDIS_URL"] = redis_url
        else:
            app.config["CACHE_TYPE"] = "SimpleCache"
    app.config.setdefault("CACHE_DEFAULT_TIMEOUT", seconds or DEFAULT_SECONDS)
    app.config.setdefault("CACHE_KEY_PREFIX", "ocop:")
    app.config.setdefault("CACHE_THRESHOLD", 5000)  # SimpleCache's bound on entries
    app.config.setdefault("CACHE_NO_NULL_WARNING", True)
    cache.init_app(app)


def is_enabled() -> bool:
    return current_app.config.get("CACHE_TYPE") not in ("NullCache", "null")


def _read_version() -> int:
    version = db.session.scalar(select(CatalogueState.version).where(CatalogueState.id == 1))
    return version or 1


def catalogue_version() -> int:
    """The committed version, read once per request (one primary-key lookup)."""
    if not has_request_context():
        return _read_version()
    version = request.environ.get("storefront.catalogue_version")
    if version is None:
        version = request.environ["storefront.catalogue_version"] = _read_version()
    return version


def cached(name: str, args: tuple, compute):
    """compute(), kept under the catalogue version, `name` and `args` (values whose repr is
    stable: strings, numbers, dates, the filter dataclass)."""
    return cached_value(name, args, compute)


def cached_value(name: str, args: tuple, compute, still_valid=None):
    """As cached(); an entry for which still_valid(value) is false is computed again."""
    if not is_enabled():
        return compute()
    digest = hashlib.sha256(repr(args).encode()).hexdigest()[:32]
    key = f"catalogue:{catalogue_version()}:{name}:{digest}"
    hit = cache.get(key)
    if hit is not None and (still_valid is None or still_valid(hit[0])):
        return hit[0]
    value = compute()
    cache.set(key, (value,))
    return value


# --- the version bump ------------------------------------------------------------------------


def _touches_public(objects) -> bool:
    return any(isinstance(obj, PUBLIC_MODELS) for obj in objects)


@event.listens_for(Session, "after_flush")
def _note_flushed_changes(session, _flush_context):
    # Still the pre-flush lists here: what this flush wrote.
    if _touches_public([*session.new, *session.dirty, *session.deleted]):
        session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_changes(state):
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in PUBLIC_TABLES:
            state.session.info[_CHANGED] = True


@event.listens_for(Session, "before_commit")
def _bump_version(session):
    # Flush first, so the bump is the transaction's last statement: its row lock is taken
    # after every other lock and held only until the commit, so concurrent writers queue on
    # it briefly and can never deadlock through it.
    session.flush()
    if session.info.pop(_CHANGED, False):
        session.execute(_BUMP)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget(session):
    session.info.pop(_CHANGED, None)

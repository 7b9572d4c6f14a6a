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

With Redis, the version is also mirrored there (VersionMirror), so a cache hit asks nothing of
the database: the database stays the truth, and each commit that bumped it writes the new
number to Redis before its request answers. Reading it from PostgreSQL cost four round trips
per request (pool ping, BEGIN, SELECT, COMMIT), the biggest part of a cached page left.
"""

import contextlib
import hashlib

from flask import current_app, has_app_context, has_request_context, request
from flask_caching import Cache
from flask_sqlalchemy.session import Session
from sqlalchemy import event, select, text

from ..extensions import db
from ..producers.models import Producer
from ..reviews.models import Review, ReviewPhoto
from .models import CatalogueState, Certificate, Product, ProductImage

cache = Cache()
# The listing's facet counts, kept per catalogue version like the pages, but on even when the
# page cache is off (CATALOGUE_CACHE_SECONDS=0): they are part of the data design, a summary
# of the catalogue that only a catalogue write changes (the version says when), not a page.
# Counting 100,000 products costs 60-85 ms on PostgreSQL even from an index alone (an
# index-only scan of ix_products_facets, 2 cores under load), against a 25 ms target for the
# whole page; a kept count costs one Redis read.
counts = Cache(with_jinja2_ext=False)
_COUNTS_TYPE = "CATALOGUE_COUNTS_CACHE_TYPE"

DEFAULT_SECONDS = 600
COUNTS_SECONDS = 600
# What the public sees. Stock movements change products' stock columns, so they are covered.
# Reviews and their photos are shown on the product page, which is kept whole (fragments.py):
# a reply, a hidden review or a photo's thumbnail must show at the next request too.
PUBLIC_MODELS = (Product, ProductImage, Certificate, Producer, Review, ReviewPhoto)
PUBLIC_TABLES = frozenset(model.__table__.name for model in PUBLIC_MODELS)
_CHANGED = "catalogue_changed"

_PUBLISH = "catalogue_publish_version"
_MIRROR = "catalogue_version_mirror"

_BUMP = text(
    "INSERT INTO catalogue_state (id, version) VALUES (1, 2) "
    "ON CONFLICT (id) DO UPDATE SET version = catalogue_state.version + 1 "
    "RETURNING version"
)


class VersionMirror:
    """The committed catalogue version, copied into Redis for readers.

    Only ever moves forward (a reader that read the database before a writer's commit cannot
    put an older number back). The copy expires after MIRROR_SECONDS and is then read from the
    database again, which bounds how long a lost update (the process died between its commit
    and the copy, or Redis refused the write) can show an older catalogue.
    """

    MIRROR_SECONDS = 10
    _SET_IF_NEWER = """
    local current = tonumber(redis.call('GET', KEYS[1]) or '0')
    if tonumber(ARGV[1]) >= current then
      redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
      return 1
    end
    return 0
    """

    def __init__(self, url: str, key: str):
        import redis

        self.errors = redis.RedisError
        self.client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        self.key = key
        self._set_if_newer = self.client.register_script(self._SET_IF_NEWER)

    def get(self) -> int | None:
        try:
            raw = self.client.get(self.key)
        except self.errors:
            return None
        return int(raw) if raw is not None else None

    def publish(self, version: int) -> None:
        # On failure readers go back to the database once the older copy expires.
        with contextlib.suppress(self.errors):
            self._set_if_newer(keys=[self.key], args=[version, self.MIRROR_SECONDS])


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
    # SimpleCache's bound on entries (the in-process cache of `make run`, without Redis). An
    # entry is now a rendered page part of tens of kB: 500 keep a worker within ~25 MB.
    app.config.setdefault("CACHE_THRESHOLD", 500)
    app.config.setdefault("CACHE_NO_NULL_WARNING", True)
    cache.init_app(app)
    config = _counts_config(app, redis_url)
    app.config[_COUNTS_TYPE] = config["CACHE_TYPE"]
    counts.init_app(app, config=config)
    for store in (app.config, config):
        if store["CACHE_TYPE"] in ("RedisCache", "redis"):
            app.extensions[_MIRROR] = VersionMirror(
                store["CACHE_REDIS_URL"], f"{app.config['CACHE_KEY_PREFIX']}catalogue:version"
            )
            break


def _counts_config(app, redis_url: str | None) -> dict:
    """The count cache: the page cache's backend, but on whatever CATALOGUE_CACHE_SECONDS
    says; off in tests unless a test asks for a cache (CACHE_TYPE)."""
    config = {
        "CACHE_TYPE": app.config["CACHE_TYPE"],
        "CACHE_REDIS_URL": app.config.get("CACHE_REDIS_URL"),
        "CACHE_DEFAULT_TIMEOUT": COUNTS_SECONDS,
    }
    if config["CACHE_TYPE"] in ("NullCache", "null") and not app.testing:
        if redis_url and redis_url.startswith(("redis://", "rediss://", "unix://")):
            config["CACHE_TYPE"] = "RedisCache"
            config["CACHE_REDIS_URL"] = redis_url
        else:
            config["CACHE_TYPE"] = "SimpleCache"
    return config


def is_enabled(store: Cache = cache) -> bool:
    setting = "CACHE_TYPE" if store is cache else _COUNTS_TYPE
    return current_app.config.get(setting) not in ("NullCache", "null")


def _read_version() -> int:
    mirror = current_app.extensions.get(_MIRROR)
    if mirror is not None:
        version = mirror.get()
        if version is not None:
            return version
    version = db.session.scalar(select(CatalogueState.version).where(CatalogueState.id == 1))
    version = version or 1
    if mirror is not None:
        mirror.publish(version)
    return version


def catalogue_version() -> int:
    """The committed version, read once per request (from Redis's copy when there is one,
    else one primary-key lookup)."""
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


def cached_counts(name: str, args: tuple, compute):
    """As cached(), in the count cache (on even when the page cache is off)."""
    return cached_value(name, args, compute, store=counts)


def cached_value(
    name: str, args: tuple, compute, still_valid=None, seconds: int | None = None, store=cache
):
    """As cached(); an entry for which still_valid(value) is false is computed again, and
    `seconds` (when given) bounds its age."""
    if not is_enabled(store):
        return compute()
    digest = hashlib.sha256(repr(args).encode()).hexdigest()[:32]
    key = f"catalogue:{catalogue_version()}:{name}:{digest}"
    hit = store.get(key)
    if hit is not None and (still_valid is None or still_valid(hit[0])):
        return hit[0]
    value = compute()
    store.set(key, (value,), timeout=seconds)
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
        session.info[_PUBLISH] = session.execute(_BUMP).scalar_one()


@event.listens_for(Session, "after_commit")
def _publish(session):
    session.info.pop(_CHANGED, None)
    version = session.info.pop(_PUBLISH, None)
    if version is not None and has_app_context():
        mirror = current_app.extensions.get(_MIRROR)
        if mirror is not None:
            mirror.publish(version)


@event.listens_for(Session, "after_rollback")
def _forget(session):
    session.info.pop(_CHANGED, None)
    session.info.pop(_PUBLISH, None)

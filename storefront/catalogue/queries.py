"""Read side of the catalogue. Every function takes the day (`on`) whose certificates count, so
tests can ask about boundary dates; pages load related rows eagerly (a fixed number of queries
whatever the page size).

Only ACTIVE products of APPROVED producers are public. Stars come only from a certificate that is
verified and valid on `on`.
"""

import functools
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import NamedTuple

from sqlalchemy import Date, String, and_, bindparam, case, exists, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ..core.pagination import Paginated
from ..core.places import province_name, provinces
from ..extensions import db
from ..producers.models import Producer, ProducerStatus
from .cache import NO_CACHE, TTLCache
from .models import Certificate, CertificateStatus, Product, ProductImage, ProductStatus
from .ocop import GROUPS
from .search import match_subquery, matching_ids, parse_query

PER_PAGE = 24
MAX_PER_PAGE = 100
MAX_PAGE = 100_000
SORTS = ("relevance", "price_asc", "price_desc", "newest", "stars")
STAR_LEVELS = (3, 4, 5)
PRODUCER_FACET_LIMIT = 30
HOME_FEATURED = 8
HOME_FEATURED_PER_GROUP = 4
HOME_NEWEST = 8
HOME_PRODUCERS = 8
RELATED_LIMIT = 4
PRODUCER_PAGE_PRODUCTS = 48


@dataclass(frozen=True)
class ProductFilters:
    """The listing's query arguments after validation (see forms.parse_listing_args)."""

    q: str = ""
    group: str | None = None
    stars: int | None = None
    producer: str | None = None  # a producer slug
    province: int | None = None  # a vietnam-provinces code
    price_min: int | None = None
    price_max: int | None = None
    in_stock: bool = False
    sort: str | None = None  # None: relevance when searching, else newest
    page: int = 1

    @property
    def effective_sort(self) -> str:
        if self.sort == "relevance" or self.sort is None:
            return "relevance" if parse_query(self.q) else "newest"
        return self.sort

    def without(self, name: str) -> "ProductFilters":
        return replace(self, **{name: ProductFilters.__dataclass_fields__[name].default}, page=1)

    def to_args(self, **changes) -> dict:
        """Query arguments for url_for, leaving out defaults."""
        values = replace(self, **changes)
        args = {
            "q": values.q or None,
            "group": values.group,
            "stars": values.stars,
            "producer": values.producer,
            "province": values.province,
            "price_min": values.price_min,
            "price_max": values.price_max,
            "in_stock": 1 if values.in_stock else None,
            "sort": values.sort,
            "page": values.page if values.page > 1 else None,
        }
        return {k: v for k, v in args.items() if v is not None}


_FACETS_VERSIONS = itertools.count(1)


@dataclass
class Facets:
    groups: list[tuple[str, str, int]] = field(default_factory=list)  # code, label, count
    stars: list[tuple[int, int]] = field(default_factory=list)  # minimum stars, count
    producers: list[tuple[str, str, int]] = field(default_factory=list)  # slug, name, count
    provinces: list[tuple[int, str, int]] = field(default_factory=list)  # code, name, count
    in_stock: int = 0
    total: int = 0  # products matching every filter
    # Unique per computation in this process: what rendered from these counts may be kept
    # under this number (routes.filters_panel) and is never shown with other counts.
    version: int = field(default_factory=lambda: next(_FACETS_VERSIONS))


@dataclass
class ProductPage(Paginated):
    items: list  # Products, or card rows when search_products got a `load`
    total: int
    page: int
    per_page: int
    filters: ProductFilters
    facets: Facets | None = None
    producer_name: str | None = None  # of the producer filter, for its chip
    ignored: list[str] = field(default_factory=list)  # filters dropped as unknown


# --- building blocks -------------------------------------------------------------------------


def is_public():
    return and_(Product.status == ProductStatus.ACTIVE, Producer.status == ProducerStatus.APPROVED)


def _valid_certificate(on: date):
    """Correlated: a certificate of the outer Product that is verified and valid on `on`."""
    return and_(
        Certificate.product_id == Product.id,
        Certificate.status == CertificateStatus.VERIFIED,
        Certificate.signed_on <= on,
        Certificate.valid_until >= on,
    )


def best_stars(on: date):
    return (
        select(func.max(Certificate.stars))
        .where(_valid_certificate(on))
        .correlate(Product)
        .scalar_subquery()
    )


def _in_stock():
    # Made-to-order products can always be ordered; the rest need unreserved stock.
    return or_(Product.made_to_order.is_(True), Product.stock_on_hand - Product.stock_reserved > 0)


def _with_eager(stmt):
    return stmt.options(
        contains_eager(Product.producer),
        selectinload(Product.images),
        selectinload(Product.certificates),
    )


def _public_products():
    return select(Product).join(Product.producer).where(is_public())


def _facet_conditions(filters: ProductFilters, on: date) -> dict:
    """The active filters that have a facet, by name: each facet counts without its own."""
    conditions = {}
    if filters.group:
        conditions["group"] = Product.group == filters.group
    if filters.stars:
        conditions["stars"] = exists().where(
            _valid_certificate(on), Certificate.stars >= filters.stars
        )
    if filters.producer:
        conditions["producer"] = Producer.slug == filters.producer
    if filters.province is not None:
        conditions["province"] = Producer.province_code == filters.province
    if filters.in_stock:
        conditions["in_stock"] = _in_stock()
    return conditions


def _base_conditions(filters: ProductFilters) -> list:
    """Public, and the filters without a facet (the price range)."""
    conditions = [is_public()]
    if filters.price_min is not None:
        conditions.append(Product.price >= filters.price_min)
    if filters.price_max is not None:
        conditions.append(Product.price <= filters.price_max)
    return conditions


def _conditions(filters: ProductFilters, on: date, skip: str | None = None) -> list:
    facet_conditions = _facet_conditions(filters, on)
    return [
        *_base_conditions(filters),
        *(condition for name, condition in facet_conditions.items() if name != skip),
    ]


def _from_products(stmt, match=None, matching=None):
    """Join the producer and, with a search query, keep only its matches.

    `match` (ranked, search.match_subquery) is joined, to order by rank. `matching` (the
    plain set, search.matching_ids) is an `id IN (…)` test, for counts: evaluated once and
    probed, and it reads only the token index. Joining a search subquery in the counts let
    SQLite (without statistics) put producers in the outer loop and rescan the matches for
    each of them (190 ms for a four-word query at 10,000 products).
    """
    stmt = stmt.select_from(Product).join(Product.producer)
    if match is not None:
        stmt = stmt.join(match, match.c.product_id == Product.id)
    if matching is not None:
        stmt = stmt.where(Product.id.in_(matching))
    return stmt


def _order_by(filters: ProductFilters, on: date, match) -> list:
    newest = [Product.created_at.desc(), Product.id.desc()]
    sort = filters.effective_sort
    if sort == "relevance" and match is not None:
        return [match.c.rank.desc(), *newest]
    if sort == "price_asc":
        return [Product.price.asc(), Product.id.desc()]
    if sort == "price_desc":
        return [Product.price.desc(), Product.id.desc()]
    if sort == "stars":
        return [func.coalesce(best_stars(on), 0).desc(), *newest]
    return newest


# --- the listing -----------------------------------------------------------------------------


def _load_public(ids: list[int]) -> list[Product]:
    """Fresh rows for cached ids, in the ids' order; anything no longer public drops out."""
    if not ids:
        return []
    stmt = _public_products().where(Product.id.in_(ids))
    by_id = {product.id: product for product in db.session.scalars(_with_eager(stmt)).unique()}
    return [by_id[i] for i in ids if i in by_id]


def _first_image(column):
    return (
        select(column)
        .where(ProductImage.product_id == Product.id)
        .order_by(ProductImage.position, ProductImage.id)
        .limit(1)
        .correlate(Product)
        .scalar_subquery()
    )


def _card_select(on: date):
    """Exactly what a product card shows, as plain rows in one statement.

    Loading whole Product objects with every image and certificate (three statements, ORM
    identity bookkeeping, the long description and search text) cost more than the rest of
    the listing. A card needs the first image and the stars of the best certificate valid on
    `on` (the same rule as Product.stars_on), which correlated subqueries give directly.
    """
    return select(
        Product.id,
        Product.slug,
        Product.name,
        Product.group,
        Product.price,
        Product.unit,
        Product.made_to_order,
        Product.lead_time_days,
        (Product.stock_on_hand - Product.stock_reserved).label("available"),
        Product.low_stock_threshold,
        Producer.name.label("producer_name"),
        _first_image(ProductImage.thumb_filename).label("thumb_filename"),
        _first_image(ProductImage.alt).label("image_alt"),
        best_stars(on).label("stars"),
    ).join(Product.producer)


def load_cards(ids: Sequence[int], on: date) -> list:
    """Card rows (see _card_select) for `ids`, in their order; non-public products drop out.

    Like _load_public, always fresh: only the ids may come from the cache. The public rule is
    a selected column rather than a WHERE condition: given `status = 'active'` beside
    `id IN (…)`, SQLite without statistics walks the status index over the whole catalogue
    (1 ms at 10,000 products) instead of looking up 24 primary keys.
    """
    if not ids:
        return []
    rows = db.session.execute(_cards_by_id(), {"on": on, "ids": list(ids)})
    by_id = {row.id: row for row in rows if row.public}
    return [by_id[i] for i in ids if i in by_id]


def search_products(
    filters: ProductFilters,
    on: date,
    per_page: int = PER_PAGE,
    with_facets: bool = True,
    cache: TTLCache = NO_CACHE,
    load: Callable[[list[int]], list] | None = None,
) -> ProductPage:
    """One page of public products matching `filters`, with facet counts.

    Each facet counts with every other filter applied but its own, so a buyer sees what
    choosing another value would give. Unknown producer slugs are dropped and reported in
    `ignored`; a page past the end shows the last page. Ids, totals and facets go through
    `cache` (see cache.py); the rows are always loaded fresh, as Products, or by `load`
    (e.g. card rows for the HTML listing).
    """
    ignored: list[str] = []
    producer_name = None
    if filters.producer:
        producer_name = cache.get_or_set(
            ("producer-name", filters.producer),
            lambda: db.session.scalar(
                select(Producer.name).where(
                    Producer.slug == filters.producer,
                    Producer.status == ProducerStatus.APPROVED,
                )
            ),
        )
        if producer_name is None:
            ignored.append("producer")
            filters = replace(filters, producer=None)

    terms = parse_query(filters.q)

    # Built only on a cache miss: assembling the search subqueries costs as much as loading
    # the page's rows.
    @functools.cache
    def match():
        return match_subquery(terms) if terms else None

    @functools.cache
    def matching():
        return matching_ids(terms) if terms else None

    counted = replace(filters, page=1, sort=None)
    facets = None
    if with_facets:
        facets = cache.get_or_set(("facets", counted, on), lambda: _facets(counted, on, matching()))
        total = facets.total
    else:
        total = cache.get_or_set(
            ("total", counted, on),
            lambda: db.session.scalar(
                _from_products(select(func.count(Product.id)), matching=matching()).where(
                    *_conditions(filters, on)
                )
            ),
        )
    pages = max(1, math.ceil(total / per_page))
    filters = replace(filters, page=min(max(1, filters.page), pages))

    def page_ids() -> list[int]:
        stmt = (
            _from_products(select(Product.id), match())
            .where(*_conditions(filters, on))
            .order_by(*_order_by(filters, on, match()))
            .limit(per_page)
            .offset((filters.page - 1) * per_page)
        )
        return list(db.session.scalars(stmt))

    ids = cache.get_or_set(("ids", filters, filters.effective_sort, per_page, on), page_ids)
    return ProductPage(
        items=(load or _load_public)(ids),
        total=total,
        page=filters.page,
        per_page=per_page,
        filters=filters,
        facets=facets,
        producer_name=producer_name,
        ignored=ignored,
    )


class _FacetGroup(NamedTuple):
    group: str
    producer_id: int
    producer_slug: str
    producer_name: str
    province_code: int | None
    in_stock: int
    stars: int
    n: int  # products in the group
    passes: dict  # active facet filter name -> 1 if the group passes it


def _facets(filters: ProductFilters, on: date, matching) -> Facets:
    """Every facet count and the total, from one grouped statement.

    Counting each facet with its own statement re-ran the search match and scanned the
    catalogue six times. Here the candidates (public, in the price range, matching the
    query) are grouped once by every facet's value, with one 0/1 column per active facet
    filter computed in SQL by the same conditions as the listing (_facet_conditions). Each
    facet then adds up the groups that pass all the other filters. The groups number about
    one per producer, OCOP group, stock state and star level: far fewer than products.
    """
    flags = _facet_conditions(filters, on)
    candidates = (
        _from_products(
            select(
                Product.group.label("group"),
                Producer.id.label("producer_id"),
                Producer.slug.label("producer_slug"),
                Producer.name.label("producer_name"),
                Producer.province_code.label("province_code"),
                case((_in_stock(), 1), else_=0).label("in_stock"),
                func.coalesce(best_stars(on), 0).label("stars"),
                *(
                    case((condition, 1), else_=0).label(f"f_{name}")
                    for name, condition in flags.items()
                ),
            ),
            matching=matching,
        )
        .where(*_base_conditions(filters))
        .subquery("facet_candidates")
    )
    keys = list(candidates.c)
    names = list(flags)
    rows = [
        _FacetGroup(*row[:7], n=row[-1], passes=dict(zip(names, row[7:-1], strict=True)))
        for row in db.session.execute(select(*keys, func.count()).group_by(*keys))
    ]

    def counted(skip: str | None) -> list[_FacetGroup]:
        others = [name for name in names if name != skip]
        if not others:
            return rows
        return [row for row in rows if all(row.passes[name] for name in others)]

    facets = Facets(total=sum(row.n for row in counted(None)))

    by_group: dict[str, int] = {}
    for row in counted("group"):
        by_group[row.group] = by_group.get(row.group, 0) + row.n
    facets.groups = [(code, label, by_group.get(code, 0)) for code, label in GROUPS.items()]

    starred = counted("stars")
    facets.stars = [
        (level, sum(row.n for row in starred if row.stars >= level)) for level in STAR_LEVELS
    ]

    by_producer: dict[tuple, int] = {}
    for row in counted("producer"):
        key = (row.producer_id, row.producer_slug, row.producer_name)
        by_producer[key] = by_producer.get(key, 0) + row.n
    ranked = sorted(by_producer.items(), key=lambda item: (-item[1], item[0][2], item[0][0]))
    facets.producers = [(slug, name, n) for (_id, slug, name), n in ranked[:PRODUCER_FACET_LIMIT]]

    by_province: dict[int, int] = {}
    for row in counted("province"):
        if row.province_code is not None:
            by_province[row.province_code] = by_province.get(row.province_code, 0) + row.n
    facets.provinces = sorted(
        ((code, province_name(code), n) for code, n in by_province.items() if province_name(code)),
        key=lambda item: item[1],
    )

    facets.in_stock = sum(row.n for row in counted("in_stock") if row.in_stock)
    return facets


def province_codes() -> set[int]:
    return {code for code, _name in provinces()}


# --- home ------------------------------------------------------------------------------------


@dataclass
class HomePage:
    featured: list  # card rows (see load_cards)
    featured_by_group: dict[str, list]
    newest: list
    group_counts: list[tuple[str, str, int]]
    producers: list[tuple[Producer, int]]


def home_page(on: date, cache: TTLCache = NO_CACHE) -> HomePage:
    """Featured (valid certificate on `on` only, admin's order), newest, groups, producers."""

    def featured_ids() -> list[int]:
        stmt = (
            select(Product.id)
            .join(Product.producer)
            .where(is_public(), Product.featured.is_(True), exists().where(_valid_certificate(on)))
            .order_by(Product.featured_position.is_(None), Product.featured_position, Product.id)
        )
        return list(db.session.scalars(stmt))

    def newest_ids() -> list[int]:
        stmt = (
            select(Product.id)
            .join(Product.producer)
            .where(is_public())
            .order_by(Product.created_at.desc(), Product.id.desc())
            .limit(HOME_NEWEST)
        )
        return list(db.session.scalars(stmt))

    def group_counts() -> dict[str, int]:
        return dict(
            db.session.execute(
                select(Product.group, func.count(Product.id))
                .join(Product.producer)
                .where(is_public())
                .group_by(Product.group)
            ).all()
        )

    featured_list = cache.get_or_set(("home-featured", on), featured_ids)
    newest_list = cache.get_or_set(("home-newest",), newest_ids)
    # One load for both lists: the same product is often featured and new.
    rows = {p.id: p for p in load_cards([*featured_list, *newest_list], on)}
    featured = [rows[i] for i in featured_list if i in rows]
    by_group: dict[str, list] = {}
    for product in featured:
        group = by_group.setdefault(product.group, [])
        if len(group) < HOME_FEATURED_PER_GROUP:
            group.append(product)
    counts = cache.get_or_set(("home-groups",), group_counts)
    return HomePage(
        featured=featured[:HOME_FEATURED],
        featured_by_group=by_group,
        newest=[rows[i] for i in newest_list if i in rows],
        group_counts=[(code, label, counts.get(code, 0)) for code, label in GROUPS.items()],
        producers=list_producers(page=1, per_page=HOME_PRODUCERS, cache=cache).items,
    )


# --- product page ----------------------------------------------------------------------------


def get_public_product(slug: str) -> Product | None:
    return db.session.scalars(_public_product_by_slug(), {"slug": slug}).unique().one_or_none()


def related_products(
    product: Product, on: date, limit: int = RELATED_LIMIT, cache: TTLCache = NO_CACHE
) -> list:
    """Card rows: same producer first, then the same OCOP group; newest first."""

    def related_ids() -> list[int]:
        stmt = (
            select(Product.id)
            .join(Product.producer)
            .where(
                is_public(),
                Product.id != product.id,
                or_(Product.producer_id == product.producer_id, Product.group == product.group),
            )
            .order_by(
                (Product.producer_id == product.producer_id).desc(),
                Product.created_at.desc(),
                Product.id.desc(),
            )
            .limit(limit)
        )
        return list(db.session.scalars(stmt))

    key = ("related", product.id, product.producer_id, product.group, limit)
    return load_cards(cache.get_or_set(key, related_ids), on)


def expired_certificate(product: Product, on: date) -> Certificate | None:
    """The most recently lapsed verified certificate, when none is valid on `on`.

    Shown as "certificate expired on …", never with stars.
    """
    if product.valid_certificate(on) is not None:
        return None
    lapsed = [
        c
        for c in product.certificates
        if c.status is CertificateStatus.VERIFIED and c.valid_until < on
    ]
    return max(lapsed, key=lambda c: c.valid_until, default=None)


# --- producers -------------------------------------------------------------------------------


@dataclass
class ProducerPage(Paginated):
    items: list[tuple[Producer, int]]  # producer, number of public products
    total: int
    page: int
    per_page: int


def list_producers(
    page: int = 1, per_page: int = PER_PAGE, cache: TTLCache = NO_CACHE
) -> ProducerPage:
    approved = Producer.status == ProducerStatus.APPROVED
    total = cache.get_or_set(
        ("producers-total",),
        lambda: db.session.scalar(select(func.count(Producer.id)).where(approved)),
    )
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)

    def counted_ids() -> list[tuple[int, int]]:
        product_count = func.count(Product.id)
        return [
            (producer_id, count)
            for producer_id, count in db.session.execute(
                select(Producer.id, product_count)
                .outerjoin(
                    Product,
                    and_(
                        Product.producer_id == Producer.id, Product.status == ProductStatus.ACTIVE
                    ),
                )
                .where(approved)
                .group_by(Producer.id, Producer.name)
                .order_by(Producer.name, Producer.id)
                .limit(per_page)
                .offset((page - 1) * per_page)
            )
        ]

    counted = cache.get_or_set(("producers", page, per_page), counted_ids)
    producers = (
        {
            producer.id: producer
            for producer in db.session.scalars(
                _approved_producers_by_id(), {"ids": [i for i, _n in counted]}
            )
        }
        if counted
        else {}
    )
    return ProducerPage(
        items=[(producers[i], n) for i, n in counted if i in producers],
        total=total,
        page=page,
        per_page=per_page,
    )


def get_public_producer(slug: str) -> Producer | None:
    return db.session.scalar(
        select(Producer).where(Producer.slug == slug, Producer.status == ProducerStatus.APPROVED)
    )


def _producer_order(stmt, producer: Producer, limit: int):
    return (
        stmt.where(Product.producer_id == producer.id)
        .order_by(Product.created_at.desc(), Product.id.desc())
        .limit(limit)
    )


def producer_products(producer: Producer, limit: int = PRODUCER_PAGE_PRODUCTS) -> list[Product]:
    stmt = _producer_order(_public_products(), producer, limit)
    return list(db.session.scalars(_with_eager(stmt)).unique())


def producer_cards(producer: Producer, on: date, limit: int = PRODUCER_PAGE_PRODUCTS) -> list:
    """The producer page's products as card rows, in producer_products' order."""
    stmt = _producer_order(_card_select(on).where(is_public()), producer, limit)
    return list(db.session.execute(stmt).all())


def producer_certificates(producer: Producer) -> list[Certificate]:
    """Verified certificates of the producer's public products, newest validity first."""
    return list(
        db.session.scalars(
            select(Certificate)
            .join(Certificate.product)
            .where(
                Product.producer_id == producer.id,
                Product.status == ProductStatus.ACTIVE,
                Certificate.status == CertificateStatus.VERIFIED,
            )
            .options(contains_eager(Certificate.product))
            .order_by(Certificate.valid_until.desc(), Certificate.id)
        )
    )


# --- certificates ----------------------------------------------------------------------------


def get_public_certificate(number: str) -> Certificate | None:
    """A certificate whose producer is public; rejected ones are reported as unverified."""
    stmt = (
        select(Certificate)
        .join(Certificate.product)
        .join(Product.producer)
        .where(Certificate.number == number, Producer.status == ProducerStatus.APPROVED)
        .options(contains_eager(Certificate.product).contains_eager(Product.producer))
    )
    return db.session.scalar(stmt)


# --- sitemap ---------------------------------------------------------------------------------

SITEMAP_LIMIT = 50_000  # the sitemap protocol's maximum URLs per file


def sitemap_entries() -> tuple[list, list]:
    products = db.session.execute(
        select(Product.slug, Product.updated_at, Product.created_at)
        .join(Product.producer)
        .where(is_public())
        .order_by(Product.id)
        .limit(SITEMAP_LIMIT)
    ).all()
    producers = db.session.execute(
        select(Producer.slug, Producer.created_at)
        .where(Producer.status == ProducerStatus.APPROVED)
        .order_by(Producer.id)
        .limit(SITEMAP_LIMIT)
    ).all()
    return products, producers


# --- prepared statements ---------------------------------------------------------------------
# The statements every page view runs, built once with bound parameters. SQLAlchemy then
# reuses their compiled SQL without rebuilding the expression and its cache key per request,
# which cost more than running the query itself. Built on first use, not at import: ORM
# options need every mapper configured, i.e. every model imported.


@functools.cache
def _cards_by_id():
    return (
        _card_select(bindparam("on", type_=Date()))
        .add_columns(is_public().label("public"))
        .where(Product.id.in_(bindparam("ids", expanding=True)))
    )


@functools.cache
def _public_product_by_slug():
    # One product: its few images and certificates come in the same statement (joined, in
    # their relationship order) rather than two selectin round trips, which cost 0.6 ms.
    return (
        _public_products()
        .where(Product.slug == bindparam("slug", type_=String()))
        .options(
            contains_eager(Product.producer),
            joinedload(Product.images),
            joinedload(Product.certificates),
        )
    )


@functools.cache
def _approved_producers_by_id():
    return select(Producer).where(
        Producer.id.in_(bindparam("ids", expanding=True)),
        Producer.status == ProducerStatus.APPROVED,
    )

"""Read side of the catalogue. Every function takes the day (`on`) whose certificates count, so
tests can ask about boundary dates; pages load related rows eagerly (a fixed number of queries
whatever the page size).

Only ACTIVE products of APPROVED producers are public. Stars come only from a certificate that is
verified and valid on `on`, read from the product's own row (catalogue/stars.py).
"""

import functools
import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import Date, Integer, String, and_, bindparam, func, or_, select, true, union_all
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ..core.pagination import Paginated
from ..core.places import province_name, provinces
from ..extensions import db
from ..producers.models import Producer, ProducerStatus
from . import stars as ocop_stars
from .cache import cached_counts
from .models import Certificate, CertificateStatus, Product, ProductImage, ProductStatus
from .ocop import GROUPS
from .search import SearchQuery, get_backend, parse_query

PER_PAGE = 24
MAX_PER_PAGE = 100
MAX_PAGE = 100_000
SORTS = ("relevance", "price_asc", "price_desc", "newest", "stars", "rating")
STAR_LEVELS = (3, 4, 5)
PRODUCER_FACET_LIMIT = 30
HOME_FEATURED = 8
HOME_FEATURED_PER_GROUP = 4
HOME_NEWEST = 8
HOME_PRODUCERS = 8
RELATED_LIMIT = 4
PRODUCER_PAGE_PRODUCTS = 48
SUGGEST_LIMIT = 8
SUGGEST_PRODUCERS = 3


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


@dataclass
class Facets:
    groups: list[tuple[str, str, int]] = field(default_factory=list)  # code, label, count
    stars: list[tuple[int, int]] = field(default_factory=list)  # minimum stars, count
    producers: list[tuple[str, str, int]] = field(default_factory=list)  # slug, name, count
    provinces: list[tuple[int, str, int]] = field(default_factory=list)  # code, name, count
    in_stock: int = 0
    total: int = 0  # products matching every filter


class CardRow(NamedTuple):
    """Exactly what a product card shows (plain values: cacheable, picklable)."""

    id: int
    slug: str
    name: str
    name_en: str | None
    group: str
    price: int
    unit: str
    made_to_order: bool
    lead_time_days: int | None
    available: int
    low_stock_threshold: int
    producer_name: str
    thumb_filename: str | None
    image_alt: str | None
    stars: int | None
    rating_count: int = 0
    rating_sum: int = 0
    # The sale's terms, not whether it runs: a cached row is judged at render time (cards.py).
    sale_price: int | None = None
    sale_starts_at: datetime | None = None
    sale_ends_at: datetime | None = None
    # Variants (issue 16): the highest active variant's price; cards say "from" when above.
    price_max: int | None = None


@dataclass
class ProductPage(Paginated):
    ids: list[int]  # the page's products, in order
    total: int
    page: int
    per_page: int
    filters: ProductFilters
    facets: Facets | None = None
    producer_name: str | None = None  # of the producer filter, for its chip
    ignored: list[str] = field(default_factory=list)  # filters dropped as unknown
    fuzzy: bool = False  # no word matched: these are near misses of the names


# --- building blocks -------------------------------------------------------------------------


def is_public():
    return and_(Product.status == ProductStatus.ACTIVE, Producer.status == ProducerStatus.APPROVED)


def best_stars(on: date):
    """The outer Product's stars on `on` (None without a valid certificate), read from its
    own row (catalogue/stars.py): the same rule as Product.stars_on, no certificate lookup."""
    return ocop_stars.stars(on)


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
        conditions["stars"] = ocop_stars.at_least(filters.stars, on)
    if filters.producer:
        conditions["producer"] = Producer.slug == filters.producer
    if filters.province is not None:
        conditions["province"] = Producer.province_code == filters.province
    if filters.in_stock:
        conditions["in_stock"] = _in_stock()
    return conditions


def _price_range(filters: ProductFilters) -> list:
    conditions = []
    if filters.price_min is not None:
        conditions.append(Product.price >= filters.price_min)
    if filters.price_max is not None:
        conditions.append(Product.price <= filters.price_max)
    return conditions


def _base_conditions(filters: ProductFilters) -> list:
    """Public, and the filters without a facet (the price range)."""
    return [is_public(), *_price_range(filters)]


def _candidates(stmt):
    """`stmt` over products and their producer."""
    return stmt.select_from(Product).join(Product.producer)


def _order_by(sort: str, on: date, rank) -> list:
    newest = [Product.created_at.desc(), Product.id.desc()]
    if sort == "relevance" and rank is not None:
        return [rank.desc(), *newest]
    # Each order is an index read in one direction (ix_products_price, ix_products_created_at).
    if sort == "price_asc":
        return [Product.price.asc(), Product.id.asc()]
    if sort == "price_desc":
        return [Product.price.desc(), Product.id.desc()]
    if sort == "stars":
        return [ocop_stars.stars(on, none=0).desc(), *newest]
    if sort == "rating":
        # ix_products_rating read backwards: best average, then most reviews.
        return [Product.rating_score.desc(), Product.rating_count.desc(), Product.id.desc()]
    return newest


# --- the listing -----------------------------------------------------------------------------


def load_public(ids: list[int]) -> list[Product]:
    """Products (with producer, images and certificates) for `ids`, in their order."""
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


def _card_columns(on):
    """A card's values (CardRow), in one statement: the first image and the stars of the
    best certificate valid on `on` (the same rule as Product.stars_on) as subqueries."""
    return (
        Product.id,
        Product.slug,
        Product.name,
        Product.name_en,
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
        ocop_stars.stars(on).label("stars"),
        Product.rating_count,
        Product.rating_sum,
        Product.sale_price,
        Product.sale_starts_at,
        Product.sale_ends_at,
        Product.price_max,  # variants: "from 150.000 ₫" when prices differ
    )


def _cards(stmt, params: dict | None = None) -> list[CardRow]:
    # Parameters go with the execution: Select.params() copies the whole statement first,
    # which cost 8-11 ms of a product page's CPU in process (the related products' statement).
    return [CardRow(*row) for row in db.session.execute(stmt, params)]


def load_cards(ids: list[int], on: date) -> list[CardRow]:
    """Card rows for `ids`, in their order; non-public products drop out."""
    if not ids:
        return []
    rows = {row.id: row for row in _cards(_cards_by_id(), {"on": on, "ids": list(ids)})}
    return [rows[i] for i in ids if i in rows]


def search_products(
    filters: ProductFilters, on: date, per_page: int = PER_PAGE, with_facets: bool = True
) -> ProductPage:
    """The ids of one page of public products matching `filters`, the total and facet counts.

    Each facet counts with every other filter applied but its own, so a buyer sees what
    choosing another value would give. Unknown producer slugs are dropped and reported in
    `ignored`; a page past the end shows the last page. When no product has every word,
    the names' near misses are shown instead (PostgreSQL: "matong" finds "mật ong").
    """
    ignored: list[str] = []
    producer_name = None
    if filters.producer:
        producer_name = db.session.scalar(
            select(Producer.name).where(
                Producer.slug == filters.producer, Producer.status == ProducerStatus.APPROVED
            )
        )
        if producer_name is None:
            ignored.append("producer")
            filters = replace(filters, producer=None)

    query = parse_query(filters.q)
    search = get_backend(db.session)
    fuzzy = False

    def count(fuzzy: bool) -> tuple[Facets | None, int]:
        if with_facets:
            # Kept per catalogue version (cache.counts): the same for every page and sort.
            key = (replace(filters, page=1, sort=None), on, fuzzy)
            facets = cached_counts("facets", key, lambda: _facets(filters, on, query, fuzzy))
            return facets, facets.total
        stmt = _candidates(select(func.count())).where(
            *_base_conditions(filters), *_facet_conditions(filters, on).values()
        )
        if query:
            stmt = search.filter(stmt, query, fuzzy)
        return None, db.session.scalar(stmt)

    facets, total = count(False)
    if total == 0 and query and search.typo_tolerant:
        near = count(True)
        if near[1]:
            (facets, total), fuzzy = near, True
    pages = max(1, math.ceil(total / per_page))
    filters = replace(filters, page=min(max(1, filters.page), pages))

    sort = filters.effective_sort
    stmt = _candidates(select(Product.id)).where(
        *_base_conditions(filters), *_facet_conditions(filters, on).values()
    )
    rank = None
    if query:
        stmt, rank = search.ranked(stmt, query, fuzzy)
    stmt = (
        stmt.order_by(*_order_by(sort, on, rank))
        .limit(per_page)
        .offset((filters.page - 1) * per_page)
    )
    return ProductPage(
        ids=list(db.session.scalars(stmt)),
        total=total,
        page=filters.page,
        per_page=per_page,
        filters=filters,
        facets=facets,
        producer_name=producer_name,
        ignored=ignored,
        fuzzy=fuzzy,
    )


_PRODUCER_FACETS = ("producer", "province")


def _facets(filters: ProductFilters, on: date, query: SearchQuery | None, fuzzy: bool) -> Facets:
    """Every facet count and the total, from one statement.

    The candidates (active, in the price range, matching the query) are counted per producer
    first, each count a `count(*) FILTER (WHERE …)` with every active filter on the product
    but its facet's own: one pass over ix_products_facets alone, an index-only scan, never
    the wide product rows. Then the few producer rows are joined (approved ones only), and
    the producer and province filters, which are the same for all of a producer's products,
    are applied here, each facet without its own.
    """
    conditions = _facet_conditions(filters, on)
    on_product = {k: c for k, c in conditions.items() if k not in _PRODUCER_FACETS}

    def others(skip: str | None):
        return and_(true(), *(c for name, c in on_product.items() if name != skip))

    counts = (
        select(
            Product.producer_id,
            func.count().filter(others(None)).label("total"),
            func.count().filter(and_(_in_stock(), others("in_stock"))).label("in_stock"),
            *(
                func.count().filter(and_(Product.group == code, others("group"))).label(f"g_{code}")
                for code in GROUPS
            ),
            *(
                func.count()
                .filter(and_(ocop_stars.at_least(level, on), others("stars")))
                .label(f"s_{level}")
                for level in STAR_LEVELS
            ),
        )
        .where(Product.status == ProductStatus.ACTIVE, *_price_range(filters))
        .group_by(Product.producer_id)
    )
    if query:
        counts = get_backend(db.session).filter(counts, query, fuzzy)
    counts = counts.subquery("counts")
    rows = db.session.execute(
        select(Producer.id, Producer.slug, Producer.name, Producer.province_code, counts)
        .join(counts, counts.c.producer_id == Producer.id)
        .where(Producer.status == ProducerStatus.APPROVED)
    ).all()

    def passes(row, skip: str | None = None) -> bool:
        return (skip == "producer" or not filters.producer or row.slug == filters.producer) and (
            skip == "province" or filters.province is None or row.province_code == filters.province
        )

    chosen = [row for row in rows if passes(row)]
    facets = Facets(
        total=sum(row.total for row in chosen),
        in_stock=sum(row.in_stock for row in chosen),
        groups=[
            (code, label, sum(getattr(row, f"g_{code}") for row in chosen))
            for code, label in GROUPS.items()
        ],
        stars=[(level, sum(getattr(row, f"s_{level}") for row in chosen)) for level in STAR_LEVELS],
    )
    ranked = sorted(
        (row for row in rows if row.total and passes(row, "producer")),
        key=lambda row: (-row.total, row.name, row.id),
    )
    facets.producers = [(row.slug, row.name, row.total) for row in ranked]
    facets.producers = facets.producers[:PRODUCER_FACET_LIMIT]
    by_province: dict[int, int] = {}
    for row in rows:
        code = row.province_code
        if code is not None and row.total and passes(row, "province"):
            by_province[code] = by_province.get(code, 0) + row.total
    facets.provinces = sorted(
        ((code, province_name(code), n) for code, n in by_province.items() if province_name(code)),
        key=lambda item: item[1],
    )
    return facets


def province_codes() -> set[int]:
    return {code for code, _name in provinces()}


# --- suggestions -----------------------------------------------------------------------------


class Suggestion(NamedTuple):
    type: str  # "product" or "producer"
    slug: str
    name: str
    name_en: str | None


def suggestions(q: str, limit: int = SUGGEST_LIMIT) -> list[Suggestion]:
    """Up to `limit` public producers and products for the search box: producers with a word
    starting with each word typed (at most SUGGEST_PRODUCERS), then the best-ranked products
    (near misses of the names when nothing matches, on PostgreSQL)."""
    query = parse_query(q)
    if query is None:
        return []
    search = get_backend(db.session)
    # Words are a-z and 0-9 only: nothing for LIKE to interpret.
    words = [
        or_(Producer.search_text.like(f"{word}%"), Producer.search_text.like(f"% {word}%"))
        for word in query.words
    ]
    found = [
        Suggestion("producer", slug, name, name_en)
        for slug, name, name_en in db.session.execute(
            select(Producer.slug, Producer.name, Producer.name_en)
            .where(Producer.status == ProducerStatus.APPROVED, *words)
            .order_by(Producer.name, Producer.id)
            .limit(min(SUGGEST_PRODUCERS, limit))
        )
    ]
    for fuzzy in (False, True):
        if fuzzy and not search.typo_tolerant:
            break
        stmt, rank = search.ranked(
            select(Product.slug, Product.name, Product.name_en)
            .select_from(Product)
            .join(Product.producer)
            .where(is_public()),
            query,
            fuzzy,
        )
        rows = db.session.execute(
            stmt.order_by(rank.desc(), Product.created_at.desc(), Product.id.desc()).limit(
                limit - len(found)
            )
        ).all()
        if rows:
            found += [Suggestion("product", *row) for row in rows]
            break
    return found


# --- home ------------------------------------------------------------------------------------


@dataclass
class HomePage:
    featured: list[CardRow]
    featured_by_group: dict[str, list[CardRow]]
    newest: list[CardRow]
    group_counts: list[tuple[str, str, int]]
    producers: list[tuple[Producer, int]]


def home_page(on: date) -> HomePage:
    """Featured (valid certificate on `on` only, admin's order), newest, groups, producers."""
    public_cards = select(*_card_columns(on)).join(Product.producer).where(is_public())
    featured = _cards(
        public_cards.where(Product.featured.is_(True), ocop_stars.at_least(3, on)).order_by(
            Product.featured_position.is_(None), Product.featured_position, Product.id
        )
    )
    newest = _cards(
        public_cards.order_by(Product.created_at.desc(), Product.id.desc()).limit(HOME_NEWEST)
    )
    by_group: dict[str, list[CardRow]] = {}
    for card in featured:
        group = by_group.setdefault(card.group, [])
        if len(group) < HOME_FEATURED_PER_GROUP:
            group.append(card)
    counts = dict(
        db.session.execute(
            select(Product.group, func.count(Product.id))
            .join(Product.producer)
            .where(is_public())
            .group_by(Product.group)
        ).all()
    )
    return HomePage(
        featured=featured[:HOME_FEATURED],
        featured_by_group=by_group,
        newest=newest,
        group_counts=[(code, label, counts.get(code, 0)) for code, label in GROUPS.items()],
        producers=_producers_with_counts(page=1, per_page=HOME_PRODUCERS),
    )


# --- product page ----------------------------------------------------------------------------


def get_public_product(slug: str) -> Product | None:
    return db.session.scalars(_public_product_by_slug(), {"slug": slug}).unique().one_or_none()


def related_products(product: Product, on: date, limit: int = RELATED_LIMIT) -> list[CardRow]:
    """Card rows: same producer first, then the same OCOP group; newest first.

    Two short index reads (the producer's few products; the group's newest, from
    ix_products_created_at or, for a small group, ix_products_status_group) give at most
    2 × `limit` candidates, ordered here. One "same producer or same group, newest first"
    statement sorted half the catalogue: 208 ms at 100,000 products on PostgreSQL, now 0.3 ms
    (tests/catalogue/test_catalogue_explain.py).
    """
    params = {
        "product_id": product.id,
        "producer_id": product.producer_id,
        "group": product.group,
        "on": on,
    }
    return _cards(_related_statement(limit), params)


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


def _producers_with_counts(page: int, per_page: int) -> list[tuple[Producer, int]]:
    """Approved producers by name, each with its number of active products."""
    counts = (
        select(Product.producer_id, func.count().label("n"))
        .where(Product.status == ProductStatus.ACTIVE)
        .group_by(Product.producer_id)
        .subquery("product_counts")
    )
    rows = db.session.execute(
        select(Producer, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.producer_id == Producer.id)
        .where(Producer.status == ProducerStatus.APPROVED)
        .order_by(Producer.name, Producer.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return [(producer, n) for producer, n in rows]


def list_producers(page: int = 1, per_page: int = PER_PAGE) -> ProducerPage:
    total = db.session.scalar(
        select(func.count(Producer.id)).where(Producer.status == ProducerStatus.APPROVED)
    )
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    return ProducerPage(
        items=_producers_with_counts(page, per_page), total=total, page=page, per_page=per_page
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


def producer_cards(
    producer: Producer, on: date, limit: int = PRODUCER_PAGE_PRODUCTS
) -> list[CardRow]:
    """The producer page's products as card rows, in producer_products' order."""
    stmt = select(*_card_columns(on)).join(Product.producer).where(is_public())
    return _cards(_producer_order(stmt, producer, limit))


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
        select(*_card_columns(bindparam("on", type_=Date())))
        .join(Product.producer)
        .where(is_public(), Product.id.in_(bindparam("ids", expanding=True)))
    )


@functools.cache
def _related_statement(limit: int):
    """related_products' statement (built once, like the others here: building it took a
    fifth of a cold product page's time in process). The limit stays a literal: as a bound
    parameter the planner cannot know it, and planned sorts of a whole group."""
    newest = (Product.created_at.desc(), Product.id.desc())
    producer_id = bindparam("producer_id", type_=Integer())
    same_producer = (
        select(Product.id)
        .where(
            Product.producer_id == producer_id,
            Product.id != bindparam("product_id", type_=Integer()),
            Product.status == ProductStatus.ACTIVE,
        )
        .order_by(*newest)
        .limit(limit)
    )
    same_group = (
        select(Product.id)
        .join(Product.producer)
        .where(
            is_public(),
            Product.group == bindparam("group", type_=String()),
            Product.producer_id != producer_id,
        )
        .order_by(*newest)
        .limit(limit)
    )
    # Each limited read in its own subquery: SQLite allows no ORDER BY/LIMIT in a UNION's arms.
    arms = [arm.subquery() for arm in (same_producer, same_group)]
    candidates = union_all(*(select(arm.c.id) for arm in arms)).subquery("related")
    return (
        select(*_card_columns(bindparam("on", type_=Date())))
        .join(Product.producer)
        .where(is_public(), Product.id.in_(select(candidates.c.id)))
        .order_by((Product.producer_id == producer_id).desc(), *newest)
        .limit(limit)
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

"""Public catalogue pages. Read-only: parse arguments, one query function, render."""

from typing import NamedTuple

from babel.dates import get_month_names
from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..clock import today_vn
from ..extensions import db
from ..promotions import rules as promotion_rules
from ..promotions import services as promotion_services
from ..promotions.pricing import percent_off
from . import cards, fragments, queries
from .cache import cached, cached_value
from .forms import MESSAGES, is_printable, is_slug, parse_listing_args, parse_page
from .models import CertificateStatus, ProductStatus
from .ocop import GROUPS, SUBGROUPS
from .qr import qr_svg

bp = Blueprint("catalogue", __name__)

SORT_LABELS = {
    "relevance": _l("Best match"),
    "newest": _l("Newest"),
    "price_asc": _l("Price: low to high"),
    "price_desc": _l("Price: high to low"),
    "stars": _l("Most stars"),
    "rating": _l("Best rated"),
}


def public_url(endpoint: str, **values) -> str:
    """Absolute URL on the configured public host (never the request's Host header)."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(endpoint, **values)


@bp.app_template_global("public_url")
def _public_url(endpoint: str, **values) -> str:
    return public_url(endpoint, **values)


@bp.app_template_global("month_name")
def month_name(month: int) -> str:
    return get_month_names("wide", locale=get_locale())[month]


@bp.app_template_global("group_label")
def group_label(code: str, subgroup: str | None = None) -> str:
    if subgroup:
        return str(SUBGROUPS.get(code, {}).get(subgroup, ""))
    return str(GROUPS.get(code, code))


bp.add_app_template_global(cards.product_cards, "product_cards")
bp.add_app_template_global(cards.localized, "localized")
bp.add_app_template_global(cards.stock_status, "stock_info")


def per_page() -> int:
    return current_app.config.get("CATALOGUE_PER_PAGE", queries.PER_PAGE)


@bp.get("/")
def home():
    today = today_vn()

    def build() -> fragments.Fragment:
        home = queries.home_page(today)
        html = fragments.render_shared(
            lambda: render_template("catalogue/_home_main.html", home=home, today=today)
        )
        rows = [*home.featured, *home.newest]
        return fragments.Fragment(
            html, ids=frozenset(row.id for row in rows), fresh_until=fragments.sale_bounds(rows)
        )

    from ..wishlist.session import recent_ids, wished_ids

    main = fragments.fragment("home", (today,), build)
    if main.ids & wished_ids():
        main = build()  # this visitor's hearts differ from the shared part's
    # Per visitor (the session), so never part of the kept page.
    recent = queries.load_cards(recent_ids()[:4], today)
    section = render_template("catalogue/_recent.html", recent=recent) if recent else ""
    return render_template("catalogue/home.html", main=fragments.fill(main, {"recent": section}))


@bp.get("/products")
def products():
    parsed = parse_listing_args(request.args)
    today = today_vn()
    size = per_page()

    def build() -> fragments.Fragment:
        page = queries.search_products(parsed.filters, today, per_page=size)
        rows = queries.load_cards(page.ids, today)
        notices = [*parsed.errors.values(), *(MESSAGES[name] for name in page.ignored)]
        html = fragments.render_shared(
            lambda: render_template(
                "catalogue/_listing_main.html",
                page=page,
                rows=rows,
                filters=page.filters,
                facets=page.facets,
                notices=notices,
                sort_labels=SORT_LABELS,
                links=cards.ListingLinks(page.filters),
            )
        )
        return fragments.Fragment(
            html,
            data=page.filters,
            ids=frozenset(page.ids),
            fresh_until=fragments.sale_bounds(rows),
        )

    # The arguments dropped as invalid are part of the key: each is a notice on the page.
    key = (parsed.filters, tuple(sorted(parsed.errors)), today, size)
    main = fragments.fragment("listing", key, build)
    from ..wishlist.session import wished_ids

    if main.ids & wished_ids():
        main = build()  # this visitor's hearts differ from the shared part's
    return render_template("catalogue/products.html", main=fragments.fill(main), filters=main.data)


class OfferTarget(NamedTuple):
    """What the vouchers on offer need of the product (promotions.services.shown_for_products),
    kept with the page's shared part so a cache hit does not load the product."""

    id: int
    producer_id: int
    group: str
    stars: int | None

    def stars_on(self, _day) -> int | None:
        return self.stars  # the fragment's key carries the day


def _truncated(text: str, length: int = 160, end: str = "…") -> str:
    # Jinja's truncate(160, True, '…') with its default leeway of 5, as the <head> uses.
    return text if len(text) <= length + 5 else text[: length - len(end)] + end


def _offers_html(target: OfferTarget) -> str:
    """The vouchers on offer for the product. A voucher's uses and window change without a
    catalogue edit, so they are kept only CATALOGUE_OFFERS_SECONDS (0: asked every time).
    Bench: these two statements were all the database work left on a cached product page."""

    def render() -> str:
        return render_template(
            "catalogue/_product_offers.html",
            offers=promotion_services.shown_for_products(db.session, [target]),
            describe_voucher=promotion_rules.describe,
        )

    seconds = current_app.config.get("CATALOGUE_OFFERS_SECONDS", 5)
    if not seconds:
        return render()
    return cached_value("offers", (str(get_locale()), target), render, seconds=seconds)


@bp.get("/products/<slug>")
def product(slug: str):
    if not is_slug(slug):
        abort(404)
    today = today_vn()
    from ..reviews import queries as review_queries
    from ..wishlist.session import recent_ids, remember_viewed, wished_ids

    review_sort = review_queries.parse_sort(request.args.get("reviews"))

    def build() -> fragments.Fragment:
        found = queries.get_public_product(slug)
        if found is None:
            abort(404)
        context = {
            "product": found,
            "reviews": review_queries.product_reviews(found, review_sort),
            "certificate": found.valid_certificate(today),
            "expired": queries.expired_certificate(found, today),
            "related": queries.related_products(found, today),
            "today": today,
            "percent_off": percent_off,
            "vn_time": promotion_rules.vn_time,
        }
        main = fragments.render_shared(
            lambda: render_template("catalogue/_product_main.html", **context)
        )
        head = fragments.render_shared(
            lambda: render_template("catalogue/_product_head.html", **context)
        )
        name = cards.localized(found, "name")
        striptags = current_app.jinja_env.filters["striptags"]  # as the <head> does
        summary = _truncated(striptags(cards.localized(found, "description") or ""))
        return fragments.Fragment(
            main,
            data={
                "head": head,
                "title": name,
                "description": summary or name,
                "offer_target": OfferTarget(
                    found.id, found.producer_id, found.group, found.stars_on(today)
                ),
            },
            ids=frozenset({found.id}),
            fresh_until=fragments.sale_bounds([found]),
        )

    # Signed-in visitors see their own forms (stock alert, review reports): rendered for them.
    if current_user.is_authenticated:
        page = build()
    else:
        page = fragments.fragment("product", (slug, today, review_sort), build)
        if page.ids & wished_ids():
            page = build()  # this visitor's heart differs from the shared part's
    target = page.data["offer_target"]
    recent = queries.load_cards(recent_ids(exclude=target.id)[:4], today)
    remember_viewed(target.id)
    sections = {
        "offers": _offers_html(target),
        "recent": render_template("catalogue/_recent.html", recent=recent) if recent else "",
    }
    return render_template(
        "catalogue/product.html",
        main=fragments.fill(page, sections),
        head=fragments.fill(fragments.Fragment(page.data["head"])),
        title=page.data["title"],
        description=page.data["description"],
    )


@bp.get("/producers")
def producers():
    number, size = parse_page(request.args.get("page")), per_page()
    page = cached("producers", (number, size), lambda: queries.list_producers(number, size))
    return render_template("catalogue/producers.html", page=page)


@bp.get("/producers/<slug>")
def producer(slug: str):
    found = queries.get_public_producer(slug) if is_slug(slug) else None
    if found is None:
        abort(404)
    today = today_vn()
    cards_ = queries.producer_cards(found, today)
    count = sum(card.rating_count for card in cards_)
    average = round(sum(card.rating_sum for card in cards_) / count, 1) if count else None
    return render_template(
        "catalogue/producer.html",
        producer=found,
        products=cards_,
        rating=(average, count),
        certificates=queries.producer_certificates(found),
        today=today,
    )


def certificate_status(certificate, today) -> str:
    """valid, expired, not_yet_valid or unverified (pending and rejected look the same)."""
    if certificate.status is not CertificateStatus.VERIFIED:
        return "unverified"
    if today < certificate.signed_on:
        return "not_yet_valid"
    return "valid" if certificate.is_valid_on(today) else "expired"


@bp.get("/certificates/<path:number>")
def certificate(number: str):
    found = queries.get_public_certificate(number) if is_printable(number) else None
    if found is None:
        abort(404)
    today = today_vn()
    return render_template(
        "catalogue/certificate.html",
        certificate=found,
        status=certificate_status(found, today),
        product_is_public=found.product.status is ProductStatus.ACTIVE,
        today=today,
    )


@bp.get("/certificates/<path:number>/qr.svg")
def certificate_qr(number: str):
    found = queries.get_public_certificate(number) if is_printable(number) else None
    if found is None:
        abort(404)
    svg = qr_svg(public_url("catalogue.certificate", number=found.number))
    response = Response(svg, mimetype="image/svg+xml")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


@bp.get("/sitemap.xml")
def sitemap():
    products, producers = queries.sitemap_entries()
    xml = render_template("catalogue/sitemap.xml", products=products, producers=producers)
    return Response(xml, mimetype="application/xml")


@bp.get("/robots.txt")
def robots():
    text = render_template("catalogue/robots.txt")
    return Response(text, mimetype="text/plain")

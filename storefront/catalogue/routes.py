"""Public catalogue pages. Read-only: parse arguments, one query function, render."""

from babel.dates import get_month_names
from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from ..clock import today_vn
from ..extensions import db
from ..promotions import rules as promotion_rules
from ..promotions import services as promotion_services
from ..promotions.pricing import percent_off
from . import cards, fragments, queries
from .cache import cached
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


@bp.get("/products/<slug>")
def product(slug: str):
    found = queries.get_public_product(slug) if is_slug(slug) else None
    if found is None or not found.active_variants:  # nothing on sale in any form
        abort(404)
    today = today_vn()
    related = cached(
        "related",
        (found.id, found.producer_id, found.group, today),
        lambda: queries.related_products(found, today),
    )
    from ..reviews import queries as review_queries
    from ..wishlist.session import recent_ids, remember_viewed

    recent = queries.load_cards(recent_ids(exclude=found.id)[:4], today)
    remember_viewed(found.id)
    return render_template(
        "catalogue/product.html",
        product=found,
        variants=found.active_variants,
        variant=_chosen_variant(found, request.args.get("variant")),
        reviews=review_queries.product_reviews(
            found, review_queries.parse_sort(request.args.get("reviews"))
        ),
        recent=recent,
        certificate=found.valid_certificate(today),
        expired=queries.expired_certificate(found, today),
        related=related,
        today=today,
        # Live, not cached: a voucher's uses and window change without a catalogue edit.
        offers=promotion_services.shown_for_products(db.session, [found]),
        describe_voucher=promotion_rules.describe,
        percent_off=percent_off,
        vn_time=promotion_rules.vn_time,
    )


def _chosen_variant(product, sku):
    """The variant the page shows: ?variant=SKU (a link per variant, no JavaScript needed),
    else the first one that can be bought, else the first."""
    variants = product.active_variants
    chosen = product.variant_by_sku(sku[:120]) if isinstance(sku, str) else None
    buyable = [v for v in variants if product.made_to_order or v.available > 0]
    return chosen or (buyable or variants)[0]


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

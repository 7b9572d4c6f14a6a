"""Read-only JSON API (/api/v1). Same filters and the same public-only rules as the pages;
the shapes are documented in openapi.py and the tests validate real responses against it."""

import re

from flask import Blueprint, jsonify, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..clock import today_vn
from ..core.places import place_label, province_name, ward_name
from ..errors import api_error, api_http_errors
from ..extensions import db
from ..money import format_vnd
from ..reviews.queries import rating_json
from ..storage import absolute_media_url
from . import queries
from .cache import cached
from .cards import in_english
from .forms import MESSAGES, is_slug, parse_listing_args
from .models import ProductVariant, VariantStatus
from .ocop import GROUPS
from .openapi import MAX_Q_LENGTH, openapi_document
from .routes import certificate_status, group_label, public_url

bp = Blueprint("api", __name__, url_prefix="/api/v1")


api_http_errors(bp)


# The API is stricter than the listing page, which forgives its own form's empty fields and
# "250.000" typed as a price: a program is told (400) whatever openapi.py does not allow.
_DIGITS = re.compile(r"[0-9]{1,15}")
_PAGE = re.compile(r"[0-9]+")  # a page past the last one is capped, however many digits
_ARGUMENT_IS_VALID = {
    "q": lambda value: len(value) <= MAX_Q_LENGTH,
    "group": lambda value: value in GROUPS,
    "stars": _DIGITS.fullmatch,
    "producer": is_slug,
    "province": _DIGITS.fullmatch,
    "price_min": _DIGITS.fullmatch,
    "price_max": _DIGITS.fullmatch,
    "in_stock": lambda value: value in ("0", "1"),
    "sort": lambda value: value in queries.SORTS,
    "page": _PAGE.fullmatch,
    "per_page": _DIGITS.fullmatch,
}
TOO_LONG = _l("The search text is too long.")


def _strict_errors(*names: str) -> dict[str, str]:
    return {
        name: str(MESSAGES.get(name, TOO_LONG))
        for name in names
        if name in request.args and not _ARGUMENT_IS_VALID[name](request.args[name])
    }


def _bad_arguments(errors: dict):
    return api_error(
        400,
        "bad_request",
        _("Some query arguments are not valid."),
        {name: str(message) for name, message in errors.items()},
    )


def _static_url(filename: str) -> str:
    return absolute_media_url(filename)


def image_json(image) -> dict:
    return {
        "url": _static_url(image.filename),
        "thumb_url": _static_url(image.thumb_filename),
        "alt": image.alt,
        "width": image.width,
        "height": image.height,
    }


def certificate_json(certificate, on) -> dict:
    status = certificate_status(certificate, on)
    return {
        "number": certificate.number,
        "status": status,
        # Stars are shown only while the certificate is verified and valid.
        "stars": certificate.stars if status == "valid" else None,
        "issuing_authority": certificate.issuing_authority,
        "decision_number": certificate.decision_number,
        "signed_on": certificate.signed_on.isoformat(),
        "valid_until": certificate.valid_until.isoformat(),
        "verify_url": public_url("catalogue.certificate", number=certificate.number),
    }


def producer_json(producer, detail: bool = False) -> dict:
    data = {
        "slug": producer.slug,
        "name": producer.name,
        "name_en": producer.name_en,
        "kind": producer.kind.value,
        "url": public_url("catalogue.producer", slug=producer.slug),
        "province_code": producer.province_code,
        "province": province_name(producer.province_code) or None,
        "ward_code": producer.ward_code,
        "ward": ward_name(producer.ward_code) or None,
        "place": place_label(producer.province_code, producer.ward_code) or None,
        "historical_address": producer.historical_address,
    }
    if detail:
        data["story"] = producer.story
        data["story_en"] = producer.story_en
    return data


def variant_json(variant) -> dict:
    return {
        "sku": variant.sku,
        "options": {option["kind"]: option["value"] for option in variant.options or ()},
        "label": variant.label,
        "price": variant.price,
        "available": max(variant.available, 0),
        "weight_grams": variant.weight_grams,
    }


def _variants_of(ids: list[int]) -> dict[int, list]:
    """The active variants of many products in one statement (the listing's page)."""
    found: dict[int, list] = {}
    if ids:
        for variant in db.session.scalars(
            select(ProductVariant)
            .where(
                ProductVariant.product_id.in_(ids),
                ProductVariant.status == VariantStatus.ACTIVE,
            )
            .order_by(ProductVariant.product_id, ProductVariant.position, ProductVariant.id)
        ):
            found.setdefault(variant.product_id, []).append(variant)
    return found


def product_json(product, on, detail: bool = False, variants: list | None = None) -> dict:
    valid = product.valid_certificate(on)
    shown = valid or queries.expired_certificate(product, on)
    season = None
    if product.season_start_month and product.season_end_month:
        season = {"start_month": product.season_start_month, "end_month": product.season_end_month}
    data = {
        "id": product.id,
        "slug": product.slug,
        "name": product.name,
        "name_en": product.name_en,
        "url": public_url("catalogue.product", slug=product.slug),
        "group": product.group,
        "group_label": group_label(product.group),
        "subgroup": product.subgroup,
        "unit": product.unit,
        "price": product.price,
        "currency": "VND",
        "price_display": format_vnd(product.price),
        "price_max": product.price_max if product.price_max is not None else product.price,
        "stars": valid.stars if valid else None,
        "certificate": certificate_json(shown, on) if shown else None,
        "producer": producer_json(product.producer),
        "made_to_order": product.made_to_order,
        "lead_time_days": product.lead_time_days,
        "available": max(product.available, 0),
        "in_stock": product.made_to_order or product.available > 0,
        "season": season,
        "image": image_json(product.images[0]) if product.images else None,
        "rating": rating_json(product.rating_count, product.rating_sum),
        "created_at": product.created_at.isoformat(timespec="seconds") + "Z",
        "variants": [
            variant_json(v) for v in (variants if variants is not None else product.active_variants)
        ],
    }
    if detail:
        data["description"] = product.description
        data["description_en"] = product.description_en
        data["images"] = [image_json(image) for image in product.images]
    return data


def _page_json(items, page) -> dict:
    return {
        "items": items,
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "pages": page.pages,
    }


@bp.get("/products")
def products():
    parsed = parse_listing_args(request.args, allow_per_page=True)
    errors = {**parsed.errors, **_strict_errors(*_ARGUMENT_IS_VALID)}
    if errors:
        return _bad_arguments(errors)
    today = today_vn()
    size = parsed.per_page or queries.PER_PAGE
    page = cached(
        "api-listing",
        (parsed.filters, today, size),
        lambda: queries.search_products(parsed.filters, today, per_page=size, with_facets=False),
    )
    if page.ignored:
        # Well formed, but it names no approved producer: not found, as /producers/<slug> says.
        return api_error(
            404,
            "not_found",
            _("Some query arguments are not valid."),
            {name: str(MESSAGES[name]) for name in page.ignored},
        )
    variants = _variants_of(page.ids)
    items = [
        product_json(p, today, variants=variants.get(p.id, []))
        for p in queries.load_public(page.ids)
    ]
    return jsonify(_page_json(items, page))


@bp.get("/products/<slug>")
def product(slug: str):
    found = queries.get_public_product(slug) if is_slug(slug) else None
    if found is None:
        return api_error(404, "not_found", _("No such product."))
    return jsonify(product_json(found, today_vn(), detail=True))


@bp.get("/producers")
def producers():
    paging = {name: request.args[name] for name in ("page", "per_page") if name in request.args}
    parsed = parse_listing_args(paging, allow_per_page=True)
    errors = {**parsed.errors, **_strict_errors("page", "per_page")}
    if errors:
        return _bad_arguments(errors)
    per_page = parsed.per_page or queries.PER_PAGE
    number = parsed.filters.page
    page = cached("producers", (number, per_page), lambda: queries.list_producers(number, per_page))
    items = [producer_json(p) | {"product_count": count} for p, count in page.items]
    return jsonify(_page_json(items, page))


@bp.get("/producers/<slug>")
def producer(slug: str):
    found = queries.get_public_producer(slug) if is_slug(slug) else None
    if found is None:
        return api_error(404, "not_found", _("No such producer."))
    today = today_vn()
    data = producer_json(found, detail=True)
    data["products"] = [product_json(p, today) for p in queries.producer_products(found)]
    data["certificates"] = [
        certificate_json(c, today) | {"product_slug": c.product.slug}
        for c in queries.producer_certificates(found)
    ]
    return jsonify(data)


@bp.get("/search/suggest")
def suggest():
    """Products and producers for the search box as the buyer types (at most 8)."""
    errors = _strict_errors("q")
    if errors:
        return _bad_arguments(errors)
    # The listing's own cleaning of q: control characters out, bounded, spaces collapsed.
    q = parse_listing_args({"q": request.args.get("q", "")}).filters.q
    found = cached("suggest", (q,), lambda: queries.suggestions(q))
    english = in_english()
    items = [
        {
            "type": item.type,
            "name": (item.name_en if english and item.name_en else item.name),
            "url": url_for(f"catalogue.{item.type}", slug=item.slug),
        }
        for item in found
    ]
    return jsonify({"items": items})


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(server_url=url_for("api.products").rsplit("/", 1)[0]))

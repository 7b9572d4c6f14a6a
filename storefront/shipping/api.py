"""GET /api/v1/shipping/quote: what a cooperative's parcel costs to a ward, by carrier.

Same error shape as the catalogue API (openapi.py's Error); no input gives a 500."""

import re

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select

from ..catalogue.forms import is_slug
from ..core import places
from ..core.validators import DB_INT_MAX
from ..errors import api_error, api_http_errors
from ..extensions import db
from ..producers.models import Producer, ProducerStatus
from .quotes import options, setups_for
from .rates import MAX_PARCEL_GRAMS

bp = Blueprint("shipping_api", __name__, url_prefix="/api/v1/shipping")
_DIGITS = re.compile(r"[0-9]+")


api_http_errors(bp)


def _number(name: str, errors: dict, message: str, minimum: int = 1, maximum: int = DB_INT_MAX):
    raw = request.args.get(name, "")
    if not _DIGITS.fullmatch(raw) or len(raw) > 30 or not minimum <= int(raw) <= maximum:
        errors[name] = message
        return None
    return int(raw)


@bp.get("/quote")
def quote():
    errors: dict[str, str] = {}
    # Every argument is checked (400, naming each bad one) before anything is looked up.
    slug = request.args.get("producer", "")
    if not is_slug(slug):
        errors["producer"] = _("Give the producer's slug.")
    province = _number("province", errors, _("Give a province code."))
    ward = _number("ward", errors, _("Give a ward code."))
    weight = _number(
        "weight_grams",
        errors,
        _("Give the weight in whole grams, from 1 to %(max)d.", max=MAX_PARCEL_GRAMS),
        maximum=MAX_PARCEL_GRAMS,
    )
    if errors:
        return api_error(400, "bad_request", _("Some query arguments are not valid."), errors)
    # Well-formed, but no such place: not found, as an unknown producer.
    if not places.is_valid_place(province, ward):
        return api_error(
            404, "not_found", _("No such ward in this province."), {"ward": _("Unknown ward.")}
        )
    producer = db.session.scalar(
        select(Producer).where(Producer.slug == slug, Producer.status == ProducerStatus.APPROVED)
    )
    if producer is None:
        return api_error(404, "not_found", _("No such producer."))
    setup = setups_for(db.session, [producer.id])[producer.id]
    found = options(producer, setup, province, weight, current_app.config)
    return jsonify(
        options=[
            {
                "carrier": option.carrier,
                "service": option.service,
                "fee": option.fee,
                "eta_days": option.eta_days,
            }
            for option in found
        ]
    )

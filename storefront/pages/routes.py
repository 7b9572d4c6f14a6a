"""/policies/<slug>: the operator's policy pages; the footer's operator details and links."""

from flask import Blueprint, abort, current_app, render_template
from flask_babel import get_locale

from ..errors import NotFound
from ..extensions import db
from . import services
from .content import KINDS
from .markdown import render

bp = Blueprint("pages", __name__)


@bp.get("/policies/<slug>")
def show(slug: str):
    try:
        page = services.text_for(db.session, slug, str(get_locale() or "vi"))
    except NotFound:
        abort(404)
    return render_template("pages/show.html", page=page, body=render(page.body))


OPERATOR_FIELDS = (
    "OPERATOR_NAME",
    "OPERATOR_ADDRESS",
    "OPERATOR_HOTLINE",
    "OPERATOR_EMAIL",
    "OPERATOR_BUSINESS_REGISTRATION",
    "OPERATOR_MOIT_NOTICE",
    "OPERATOR_MOIT_URL",
)


@bp.app_context_processor
def footer_context():
    config = current_app.config
    operator = {
        name.removeprefix("OPERATOR_").lower(): config.get(name, "") for name in OPERATOR_FIELDS
    }
    return {"site_operator": operator, "policy_links": [(k.slug, k.label) for k in KINDS]}

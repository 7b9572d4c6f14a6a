import secrets

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from . import health, observability, places
from .brand import shop_name
from .i18n import LANG_COOKIE
from .urls import safe_next

bp = Blueprint("core", __name__)


@bp.get("/healthz")
def healthz():
    """Liveness: the process answers and reaches its database."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="database unreachable"), 503
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Readiness: the database, Redis and the task broker all answer (503 otherwise), so a
    load balancer stops sending traffic to a machine that cannot do its work."""
    checks = health.readiness(current_app.config)
    ready = all(checks.values())
    return jsonify(status="ok" if ready else "unavailable", checks=checks), 200 if ready else 503


@bp.get("/metrics")
def metrics():
    """Prometheus metrics. With METRICS_TOKEN set it needs `Authorization: Bearer <token>`;
    production without a token hides it (404)."""
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not secrets.compare_digest(given.encode(), token.encode()):
            abort(404)
    elif not current_app.config.get("METRICS_PUBLIC"):
        abort(404)
    body, content_type = observability.render_metrics(current_app._get_current_object())
    return Response(body, content_type=content_type)


@bp.post("/lang")
def set_language():
    lang = request.form.get("lang", "")
    response = make_response(redirect(safe_next(request.form.get("next"), "/"), code=303))
    if lang in current_app.config["LANGUAGES"]:
        response.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=60 * 60 * 24 * 365,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
        )
    return response


@bp.get("/places/wards")
def wards():
    """Wards of a province, for the address forms' second select."""
    province = request.args.get("province", type=int)
    return jsonify([{"code": code, "name": name} for code, name in places.wards(province or 0)])


@bp.get("/favicon.ico")
def favicon():
    """Browsers and bots ask for this path whatever the page links to."""
    return send_from_directory(
        current_app.static_folder, "img/favicon.ico", mimetype="image/x-icon", max_age=86400
    )


@bp.get("/manifest.webmanifest")
def manifest():
    """The web app manifest: "add to home screen" gets the shop's name, colours and icons."""

    def icon(name: str, size: int, purpose: str = "any") -> dict:
        return {
            "src": url_for("static", filename=f"img/{name}"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": purpose,
        }

    home = "catalogue.home"
    response = jsonify(
        {
            "name": shop_name(),
            "short_name": shop_name(),
            "description": _(
                "Certified OCOP products from Vietnam's communes, sold by the cooperatives "
                "that make them."
            ),
            "lang": str(get_locale()),
            "start_url": url_for(home) if home in current_app.view_functions else "/",
            "scope": "/",
            "display": "standalone",
            "background_color": "#faf8f3",
            "theme_color": "#b8321e",
            "icons": [
                icon("icon-192.png", 192),
                icon("icon-512.png", 512),
                icon("icon-maskable-512.png", 512, "maskable"),
            ],
        }
    )
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response

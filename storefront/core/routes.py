from flask import Blueprint, current_app, jsonify, make_response, redirect, request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from . import places
from .i18n import LANG_COOKIE
from .urls import safe_next

bp = Blueprint("core", __name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="database unreachable"), 503
    return jsonify(status="ok")


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

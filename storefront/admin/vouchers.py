"""/admin/vouchers: the shop's vouchers (created and edited here), every voucher's uses and
the discount given, and stopping any voucher for good. Every change is in the audit log."""

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..auth.decorators import admin_required
from ..catalogue.models import Product
from ..core.uow import done, show_in_form
from ..errors import DomainError
from ..extensions import db
from ..producers.models import Producer
from ..promotions import queries as promotion_queries
from ..promotions import rules, services
from ..promotions.forms import (
    VoucherActionForm,
    VoucherForm,
)
from ..promotions.models import Voucher, VoucherStatus

bp = Blueprint("admin_vouchers", __name__, url_prefix="/admin/vouchers")


@bp.before_request
@admin_required
def _admins_only():
    """Administrators who passed the second factor only."""


def _form() -> VoucherForm:
    products = db.session.scalars(select(Product).order_by(Product.name).limit(500)).all()
    producers = db.session.scalars(select(Producer).order_by(Producer.name)).all()
    return VoucherForm().setup(shop=True, products=products, producers=producers)


def _voucher(voucher_id: int) -> Voucher:
    voucher = db.session.get(Voucher, voucher_id)
    if voucher is None:
        abort(404)
    return voucher


@bp.get("/")
def index():
    return render_template(
        "admin/vouchers.html",
        rows=promotion_queries.vouchers_with_figures(db.session, all_funders=True),
        describe=rules.describe,
        vn_time=rules.vn_time,
        action_form=VoucherActionForm(),
        admin_section="vouchers",
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = _form()
    if form.validate_on_submit():
        try:
            voucher = services.create_voucher(db.session, form.terms(), None, current_user.id)
        except DomainError as error:
            show_in_form(form, error)
        else:
            return done(
                _("The voucher %(code)s is created.", code=voucher.code or _("(automatic)")),
                url_for("admin_vouchers.index"),
            )
    status = 422 if request.method == "POST" else 200
    return render_template(
        "admin/voucher_form.html",
        form=form,
        voucher=None,
        admin_section="vouchers",
    ), status


@bp.route("/<int:voucher_id>", methods=["GET", "POST"])
def edit(voucher_id: int):
    # Only the shop's own vouchers are edited here; a cooperative's is its to change
    # (an administrator can still stop it from the list).
    voucher = promotion_queries.own_voucher(db.session, None, voucher_id)
    if voucher is None:
        abort(404)
    form = _form()
    if request.method == "GET":
        form.fill(voucher)
    elif form.validate_on_submit():
        try:
            services.update_voucher(db.session, voucher, form.terms(), current_user.id)
        except DomainError as error:
            show_in_form(form, error)
        else:
            return done(_("The voucher is saved."), url_for("admin_vouchers.index"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "admin/voucher_form.html",
        form=form,
        voucher=voucher,
        admin_section="vouchers",
    ), status


@bp.post("/<int:voucher_id>/<any(pause, resume, stop):action>")
def change_status(voucher_id: int, action: str):
    if not VoucherActionForm().validate_on_submit():
        abort(400)
    voucher = _voucher(voucher_id)
    if action != "stop" and voucher.producer_id is not None:
        abort(404)  # pausing is the cooperative's call; an administrator stops
    target = {
        "pause": VoucherStatus.PAUSED,
        "resume": VoucherStatus.ACTIVE,
        "stop": VoucherStatus.STOPPED,
    }[action]
    services.set_status(db.session, voucher, target, current_user.id)
    return done(
        _("The voucher is now: %(status)s.", status=target.label),
        url_for("admin_vouchers.index"),
    )

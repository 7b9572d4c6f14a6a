"""A cooperative's own vouchers and sale prices. Every query starts from the producer:
another producer's voucher or product is a 404."""

from flask import abort, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ...catalogue.models import Product
from ...core.uow import done, show_in_form
from ...errors import DomainError
from ...extensions import db
from ...promotions import queries as promotion_queries
from ...promotions import rules, services
from ...promotions.forms import SaleForm, VoucherForm
from ...promotions.forms import VoucherActionForm as ConfirmForm
from ...promotions.models import VoucherStatus
from ...promotions.pricing import sale_running
from .. import queries
from . import bp, form_status, producer_view


def _own_products():
    return db.session.scalars(
        select(Product).where(Product.producer_id == g.producer.id).order_by(Product.name)
    ).all()


def _own_voucher(voucher_id: int):
    voucher = promotion_queries.own_voucher(db.session, g.producer.id, voucher_id)
    if voucher is None:
        abort(404)
    return voucher


@bp.get("/dashboard/vouchers")
@producer_view
def vouchers():
    return render_template(
        "dashboard/vouchers.html",
        rows=promotion_queries.vouchers_with_figures(db.session, g.producer.id),
        describe=rules.describe,
        vn_time=rules.vn_time,
        products=_own_products(),
        sale_running=sale_running,
        action_form=ConfirmForm(),
    )


@bp.route("/dashboard/vouchers/new", methods=["GET", "POST"])
@producer_view
def voucher_new():
    form = VoucherForm().setup(shop=False, products=_own_products())
    if form.validate_on_submit():
        try:
            voucher = services.create_voucher(
                db.session, form.terms(), g.producer.id, current_user.id
            )
        except DomainError as error:
            show_in_form(form, error)
        else:
            return done(
                _("The voucher %(code)s is created.", code=voucher.code or _("(automatic)")),
                url_for("dashboard.vouchers"),
            )
    return render_template("dashboard/voucher_form.html", form=form, voucher=None), form_status()


@bp.route("/dashboard/vouchers/<int:voucher_id>", methods=["GET", "POST"])
@producer_view
def voucher_edit(voucher_id: int):
    voucher = _own_voucher(voucher_id)
    form = VoucherForm().setup(shop=False, products=_own_products())
    if request.method == "GET":
        form.fill(voucher)
    elif form.validate_on_submit():
        try:
            services.update_voucher(db.session, voucher, form.terms(), current_user.id)
        except DomainError as error:
            show_in_form(form, error)
        else:
            return done(_("The voucher is saved."), url_for("dashboard.vouchers"))
    return render_template("dashboard/voucher_form.html", form=form, voucher=voucher), form_status()


@bp.post("/dashboard/vouchers/<int:voucher_id>/<any(pause, resume):action>")
@producer_view
def voucher_status(voucher_id: int, action: str):
    voucher = _own_voucher(voucher_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    target = VoucherStatus.PAUSED if action == "pause" else VoucherStatus.ACTIVE
    services.set_status(db.session, voucher, target, current_user.id)
    message = _("The voucher is paused.") if action == "pause" else _("The voucher runs again.")
    return done(message, url_for("dashboard.vouchers"))


@bp.route("/dashboard/products/<int:product_id>/sale", methods=["GET", "POST"])
@producer_view
def product_sale(product_id: int):
    product = queries.get_own_product_or_404(g.producer, product_id)
    form = SaleForm()
    if request.method == "GET":
        form.sale_price.data = product.sale_price
        form.starts_at.data = services.utc_to_vn(product.sale_starts_at)
        form.ends_at.data = services.utc_to_vn(product.sale_ends_at)
    elif form.validate_on_submit():
        try:
            services.set_sale(
                db.session,
                product,
                form.sale_price.data,
                form.starts_at.data,
                form.ends_at.data,
                current_user.id,
            )
        except DomainError as error:
            show_in_form(form, error)
        else:
            return done(_("The sale price is saved."), url_for("dashboard.vouchers"))
    return render_template("dashboard/product_sale.html", form=form, product=product), form_status()

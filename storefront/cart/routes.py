from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.urls import safe_next
from ..errors import DomainError
from ..extensions import db
from ..promotions import rules as promotion_rules
from ..promotions import services as promotion_services
from . import services
from .forms import AddToCartForm, CartActionForm, UpdateLineForm, VoucherForm
from .session import current_cart

bp = Blueprint("cart", __name__)


def _buyer_key() -> str | None:
    return services.buyer_key(current_user if current_user.is_authenticated else None)


def _render_cart(status: int = 200, error: str | None = None, voucher_form=None):
    summary = services.summarize(
        db.session,
        current_cart(),
        services.ShippingPolicy.from_config(current_app.config),
        buyer_key=_buyer_key(),
    )
    products = [view.product for view in summary.all_lines if not view.unavailable]
    return (
        render_template(
            "cart/view.html",
            summary=summary,
            error=error,
            action_form=CartActionForm(),
            voucher_form=voucher_form or VoucherForm(formdata=None),
            offers=promotion_services.shown_for_products(db.session, products),
            describe_voucher=promotion_rules.describe,
            max_quantity=services.MAX_LINE_QUANTITY,
            free_threshold=current_app.config["FREE_SHIPPING_THRESHOLD_VND"],
        ),
        status,
    )


def _first_error(form) -> str:
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return _("Please check the values you entered.")


@bp.get("/cart")
def view():
    return _render_cart()


@bp.post("/cart/add")
def add():
    form = AddToCartForm()
    if not form.validate_on_submit():
        return _render_cart(422, _first_error(form))
    cart = current_cart(create=True)
    try:
        line = services.add_item(
            db.session,
            cart,
            form.product_id.data,
            form.quantity.data,
            price=form.price.data,
            currency=form.currency.data,
            variant_id=form.variant_id.data,
        )
    except DomainError as error:
        db.session.rollback()
        return _render_cart(422, str(error.message))
    name = services.display_name(line.product, line.variant)
    db.session.commit()
    flash(_("%(name)s is in your cart.", name=name), "success")
    return redirect(safe_next(form.next.data, url_for("cart.view")), code=303)


@bp.post("/cart/lines/<int:line_id>")
def update(line_id: int):
    form = UpdateLineForm()
    if not form.validate_on_submit():
        return _render_cart(422, _first_error(form))
    try:
        services.set_quantity(db.session, current_cart(create=True), line_id, form.quantity.data)
    except DomainError as error:
        db.session.rollback()
        return _render_cart(422, str(error.message))
    db.session.commit()
    flash(_("Your cart was updated."), "success")
    return redirect(url_for("cart.view"), code=303)


@bp.post("/cart/lines/<int:line_id>/remove")
def remove(line_id: int):
    form = CartActionForm()
    if not form.validate_on_submit():
        return _render_cart(400, _first_error(form))
    try:
        services.remove_line(db.session, current_cart(create=True), line_id)
    except DomainError as error:
        db.session.rollback()
        return _render_cart(404, str(error.message))
    db.session.commit()
    flash(_("The item was removed from your cart."), "success")
    return redirect(url_for("cart.view"), code=303)


@bp.post("/cart/accept-changes")
def accept_changes():
    form = CartActionForm()
    if not form.validate_on_submit():
        return _render_cart(400, _first_error(form))
    services.accept_changes(db.session, current_cart(create=True))
    db.session.commit()
    flash(_("Your cart now shows today's prices and stock."), "success")
    return redirect(url_for("cart.view"), code=303)


def _back_from_voucher(form: VoucherForm, error: str | None = None):
    """Back where the code was typed: the checkout (flash, redirect) or the cart (its page)."""
    target = safe_next(form.next.data, url_for("cart.view"))
    at_checkout = "orders.checkout" in current_app.view_functions and target == url_for(
        "orders.checkout"
    )
    if at_checkout:
        if error:
            flash(error, "error")
        return redirect(target, code=303)
    if error:
        return _render_cart(422, error, voucher_form=form)
    return redirect(target, code=303)


@bp.post("/cart/voucher")
def apply_voucher():
    form = VoucherForm()
    if not form.validate_on_submit():
        return _back_from_voucher(form, _first_error(form))
    try:
        voucher = promotion_services.apply_code(
            db.session,
            current_cart(create=True),
            form.code.data,
            services.ShippingPolicy.from_config(current_app.config),
            buyer_key=_buyer_key(),
        )
    except DomainError as error:
        db.session.rollback()
        return _back_from_voucher(form, str(error.message))
    db.session.commit()
    flash(_("Code %(code)s is applied.", code=voucher.code), "success")
    return _back_from_voucher(form)


@bp.post("/cart/voucher/remove")
def remove_voucher():
    form = VoucherForm()
    if not form.validate_on_submit():
        return _back_from_voucher(form, _first_error(form))
    try:
        promotion_services.remove_code(db.session, current_cart(create=True), form.code.data)
    except DomainError as error:
        db.session.rollback()
        return _back_from_voucher(form, str(error.message))
    db.session.commit()
    flash(_("The code was removed."), "success")
    return _back_from_voucher(form)

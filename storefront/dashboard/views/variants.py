"""Variants: a product's sizes, colours and bags; add, edit, archive and restore."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...catalogue.models import VariantStatus
from ...catalogue.variants import (
    add_variant,
    own_variant,
    set_variant_status,
    update_variant,
)
from ...core.uow import done, show_in_form
from ...errors import DomainError, NotFound
from ...extensions import db
from .. import queries
from ..forms import VariantForm
from . import bp, producer_view


def _variants_url(product) -> str:
    return url_for("dashboard.product_variants", product_id=product.id)


def _variants_page(product, status=200, form=None):
    return (
        render_template(
            "dashboard/product_variants.html",
            product=product,
            form=form or VariantForm(formdata=None, product=product),
        ),
        status,
    )


def _own_variant_or_404(variant_id: int):
    try:
        return own_variant(db.session, g.producer, variant_id)
    except NotFound:
        abort(404)


@bp.route("/dashboard/products/<int:product_id>/variants", methods=["GET", "POST"])
@producer_view
def product_variants(product_id: int):
    product = queries.get_own_product_or_404(g.producer, product_id)
    if request.method in ("GET", "HEAD"):
        return _variants_page(product)
    form = VariantForm(product=product)
    if form.validate_on_submit():
        try:
            add_variant(
                db.session,
                g.producer,
                product,
                form.to_input(),
                initial_stock=form.initial_stock.data or 0,
                actor_id=current_user.id,
            )
        except DomainError as error:
            show_in_form(form, error)
        else:
            return done(_("Variant added."), _variants_url(product))
    return _variants_page(product, 422, form)


@bp.route("/dashboard/variants/<int:variant_id>", methods=["GET", "POST"])
@producer_view
def variant_edit(variant_id: int):
    variant = _own_variant_or_404(variant_id)
    product = variant.product
    if request.method in ("GET", "HEAD"):
        form = VariantForm(formdata=None, product=product)
        form.fill_from(variant)
        return render_template("dashboard/variant_edit.html", variant=variant, form=form)
    form = VariantForm(product=product)
    if form.validate_on_submit():
        try:
            update_variant(db.session, g.producer, variant, form.to_input(), current_user.id)
        except DomainError as error:
            show_in_form(form, error)
        else:
            return done(_("Variant saved."), _variants_url(product))
    return render_template("dashboard/variant_edit.html", variant=variant, form=form), 422


@bp.post("/dashboard/variants/<int:variant_id>/status")
@producer_view
def variant_status(variant_id: int):
    variant = _own_variant_or_404(variant_id)
    product = variant.product
    target = next((s for s in VariantStatus if s.value == request.form.get("status")), None)
    if target is None:
        flash(_("Choose archive or restore."), "error")
        return redirect(_variants_url(product), code=303)
    try:
        set_variant_status(db.session, g.producer, variant, target, current_user.id)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(_variants_url(product), code=303)
    message = _("Variant archived.") if target is VariantStatus.ARCHIVED else _("Variant restored.")
    return done(message, _variants_url(product))

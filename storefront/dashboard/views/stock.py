"""Stock: the stock list, adjustments, low-stock alerts, movements, CSV export and import."""

from flask import flash, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...clock import today_vn
from ...core.pagination import paginate
from ...core.uow import done, show_in_form
from ...core.validators import parse_id
from ...errors import DomainError, FieldError
from ...extensions import db
from ...producers import stock_import as csv_counts
from ...producers.models import StockReason
from ...producers.stock import adjust_stock, set_low_stock_threshold
from .. import queries
from ..forms import AdjustStockForm, StockImportApplyForm, StockImportForm, ThresholdForm
from . import (
    PER_PAGE,
    bp,
    csv_response,
    form_status,
    page_number,
    producer_view,
    see_other,
)


@bp.get("/dashboard/stock")
@producer_view
def stock():
    return render_template("dashboard/stock.html", products=queries.all_products(g.producer))


def _stock_page(product, status=200, adjust_form=None, threshold_form=None):
    movements = db.session.scalars(queries.movements_query(g.producer, product).limit(10))
    return (
        render_template(
            "dashboard/product_stock.html",
            product=product,
            adjust_form=adjust_form or AdjustStockForm(formdata=None, product=product),
            threshold_form=threshold_form
            or ThresholdForm(formdata=None, threshold=product.low_stock_threshold),
            movements=list(movements),
        ),
        status,
    )


def _stock_url(product) -> str:
    return url_for("dashboard.product_stock", product_id=product.id)


@bp.route("/dashboard/products/<int:product_id>/stock", methods=["GET", "POST"])
@producer_view
def product_stock(product_id: int):
    product = queries.get_own_product_or_404(g.producer, product_id)
    if request.method in ("GET", "HEAD"):
        return _stock_page(product)
    form = AdjustStockForm(product=product)
    if form.validate_on_submit():
        try:
            adjust_stock(
                db.session,
                g.producer,
                product,
                StockReason(form.reason.data),
                form.quantity.data,
                form.note.data,
                current_user.id,
                variant=_chosen_variant(product, form.variant_id.data),
            )
        except DomainError as error:
            show_in_form(form, error)
        else:
            return done(_("Stock updated."), _stock_url(product))
    return _stock_page(product, 422, adjust_form=form)


def _chosen_variant(product, variant_id):
    """The variant picked on the form, of this product; none picked: the service decides
    (a product with one variant needs no choice). Another product's variant is refused."""
    if variant_id is None:
        return None
    variant = next((v for v in product.active_variants if v.id == variant_id), None)
    if variant is None:
        raise FieldError("variant_id", _("Choose one of this product's variants."))
    return variant


@bp.post("/dashboard/products/<int:product_id>/threshold")
@producer_view
def product_threshold(product_id: int):
    product = queries.get_own_product_or_404(g.producer, product_id)
    form = ThresholdForm()
    if form.validate_on_submit():
        try:
            set_low_stock_threshold(
                db.session, g.producer, product, form.threshold.data, current_user.id
            )
        except DomainError as error:
            show_in_form(form, error)
        else:
            return done(_("Low-stock alert saved."), _stock_url(product))
    return _stock_page(product, 422, threshold_form=form)


@bp.get("/dashboard/stock/movements")
@producer_view
def movements():
    product_id = request.args.get("product", type=parse_id)
    product = queries.get_own_product_or_404(g.producer, product_id) if product_id else None
    page = paginate(
        db.session, queries.movements_query(g.producer, product), page_number(), PER_PAGE
    )
    return render_template("dashboard/movements.html", page=page, product=product)


@bp.get("/dashboard/stock/movements/<int:movement_id>")
@producer_view
def movement(movement_id: int):
    found = queries.get_own_movement_or_404(g.producer, movement_id)
    return render_template("dashboard/movement.html", movement=found)


@bp.get("/dashboard/stock/export.csv")
@producer_view
def stock_export():
    # One row per variant on sale, keyed by SKU: the import reads `sku` and `count` back.
    rows = [["sku", "product_id", "name", "variant", "unit", "on_hand", "reserved", "count"]]
    for product in queries.all_products(g.producer):
        for variant in product.active_variants:
            rows.append(
                [
                    variant.sku,
                    product.id,
                    product.name,
                    variant.label,
                    product.unit,
                    variant.stock_on_hand,
                    variant.stock_reserved,
                    variant.stock_on_hand,
                ]
            )
    return csv_response(rows, f"stock-{g.producer.slug}-{today_vn().isoformat()}.csv")


@bp.route("/dashboard/stock/import", methods=["GET", "POST"])
@producer_view
def stock_import():
    form = StockImportForm()
    if form.validate_on_submit():
        try:
            text = csv_counts.decode(form.csv_file.data.read())
            result = csv_counts.preview(db.session, g.producer, text)
        except DomainError as error:
            show_in_form(form, error, "csv_file")
        else:
            return render_template(
                "dashboard/stock_import_preview.html",
                preview=result,
                apply_form=StockImportApplyForm(formdata=None, csv_text=text),
            ), (200 if result.ok else 422)
    return render_template("dashboard/stock_import.html", form=form), form_status()


@bp.post("/dashboard/stock/import/apply")
@producer_view
def stock_import_apply():
    form = StockImportApplyForm()
    if not form.validate_on_submit():
        flash(_("The import expired. Upload the file again."), "error")
        return see_other("dashboard.stock_import")
    text = form.csv_text.data
    try:
        changed = csv_counts.apply_counts(db.session, g.producer, text, current_user.id)
    except DomainError as error:
        show_in_form(form, error)
        try:
            result = csv_counts.preview(db.session, g.producer, text)
        except DomainError:
            return see_other("dashboard.stock_import")
        return render_template(
            "dashboard/stock_import_preview.html", preview=result, apply_form=form
        ), 422
    return done(
        _("Stock counts imported: %(n)d products changed.", n=changed), url_for("dashboard.stock")
    )

"""The producer dashboard: thin views over dashboard.services and dashboard.queries.

The current producer is resolved on every request from the member's own
memberships (the id kept in the session is only a preference), and every object
in a URL is loaded through a `get_own_*_or_404(producer, id)` helper.
"""

import csv
import io
from datetime import date, timedelta
from functools import wraps

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..auth.decorators import producer_required
from ..catalogue import ocop
from ..catalogue.models import CertificateStatus, ProductStatus
from ..clock import add_months, today_vn, utcnow
from ..core.places import place_label
from ..errors import DomainError, NotFound, PermissionDenied
from ..extensions import db
from ..orders.models import PaymentMethod, SubOrderStatus
from ..orders.routing import SETTLED_PAYMENT, STATUS_LABELS, can_move
from ..orders.totals import sub_order_totals
from ..producers import ledger
from ..producers.models import MemberRole, StockReason
from ..producers.statements import statement
from . import charts, csv_import, queries, services
from .forms import (
    REASON_LABELS,
    AdjustStockForm,
    ApplyForm,
    CancelForm,
    CertificateForm,
    DeliverForm,
    ImageForm,
    InviteForm,
    ProductForm,
    ShipForm,
    StockImportApplyForm,
    StockImportForm,
    ThresholdForm,
)
from .services import FieldError

bp = Blueprint("dashboard", __name__)

SESSION_KEY = "dashboard_producer_id"
PER_PAGE = 20
CHART_DAYS = (30, 90)
SUBGROUP_LABELS = {code: label for subs in ocop.SUBGROUPS.values() for code, label in subs.items()}


# --- access --------------------------------------------------------------------------------


def producer_view(view):
    """Producer role and membership (else 403), then the current producer in g."""

    @wraps(view)
    @producer_required
    def wrapped(*args, **kwargs):
        membership = queries.resolve_membership(current_user.id, session.get(SESSION_KEY))
        if membership is None:
            abort(403)
        g.membership = membership
        g.producer = membership.producer
        return view(*args, **kwargs)

    return wrapped


@bp.app_template_global()
def dashboard_image_url(filename: str | None) -> str:
    return url_for("static", filename=f"uploads/{filename}") if filename else ""


@bp.context_processor
def dashboard_context():
    producer = g.get("producer")
    if producer is None:
        return {}
    return {
        "producer": producer,
        "membership": g.membership,
        "is_owner": g.membership.role is MemberRole.OWNER,
        "memberships": queries.memberships_of(current_user.id),
        "status_labels": STATUS_LABELS,
        "SubOrderStatus": SubOrderStatus,
        "ProductStatus": ProductStatus,
        "CertificateStatus": CertificateStatus,
        "groups": ocop.GROUPS,
        "subgroups": SUBGROUP_LABELS,
        "reason_labels": REASON_LABELS,
    }


@bp.errorhandler(413)
def too_large(error):
    limit_mb = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
    message = _(
        "This file is larger than %(mb)d MB, so nothing was saved. Choose a smaller photo "
        "(or resize it on your phone) and try again.",
        mb=limit_mb,
    )
    return render_template("errors/413.html", message=message), 413


def _show_error(form, error: DomainError) -> None:
    """A field rule goes next to its field; anything else at the top of the form."""
    if isinstance(error, FieldError) and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        form.form_errors.append(error.message)


def _abort_for(error: DomainError):
    if isinstance(error, PermissionDenied):
        abort(403, description=str(error.message))
    if isinstance(error, NotFound):
        abort(404, description=str(error.message))


def _see_other(endpoint: str, **values):
    return redirect(url_for(endpoint, **values), code=303)


def _upload_folder() -> str:
    return current_app.config["UPLOAD_FOLDER"]


def _max_pixels() -> int:
    return current_app.config["UPLOAD_MAX_PIXELS"]


def _page() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


# --- overview and switching ----------------------------------------------------------------


@bp.get("/dashboard")
@producer_view
def index():
    producer = g.producer
    days = request.args.get("days", 30, type=int)
    days = days if days in CHART_DAYS else 30
    today = today_vn()
    to_confirm_count, to_confirm = queries.sub_orders_to_confirm(producer)
    month_revenue, month_units = queries.sales_between(producer, today.replace(day=1), today)
    points = queries.daily_sales(producer, today - timedelta(days=days - 1), today)
    chart = charts.sales_chart(
        points,
        title=_("Sales over the last %(n)d days", n=days),
        revenue_label=_("Bars: revenue per day (đồng)"),
        units_label=_("Line: units sold per day"),
    )
    return render_template(
        "dashboard/index.html",
        to_confirm=to_confirm,
        to_confirm_count=to_confirm_count,
        low_stock=queries.low_stock_products(producer, limit=6),
        month_revenue=month_revenue,
        month_units=month_units,
        balance=ledger.balance(db.session, producer.id),
        chart=chart,
        points=points,
        days=days,
        chart_days=CHART_DAYS,
    )


@bp.post("/dashboard/switch")
@producer_required
def switch():
    wanted = request.form.get("producer_id", type=int)
    membership = queries.resolve_membership(current_user.id, wanted)
    if membership is None or membership.producer_id != wanted:
        abort(404)
    session[SESSION_KEY] = membership.producer_id
    flash(_("You are now working for %(name)s.", name=membership.producer.name), "success")
    return _see_other("dashboard.index")


@bp.route("/dashboard/apply", methods=["GET", "POST"])
@login_required
def apply():
    form = ApplyForm()
    # Without JavaScript, "Show wards" re-renders the form with the chosen province's wards.
    if request.method == "POST" and "refresh_wards" not in request.form:
        if form.validate_on_submit():
            try:
                producer = services.apply_for_producer(db.session, current_user, form.to_input())
            except DomainError as error:
                _show_error(form, error)
            else:
                db.session.commit()
                session[SESSION_KEY] = producer.id
                flash(
                    _(
                        "Thank you. %(name)s is waiting for approval; meanwhile you can "
                        "prepare draft products.",
                        name=producer.name,
                    ),
                    "success",
                )
                return _see_other("dashboard.index")
        return render_template("dashboard/apply.html", form=form), 422
    return render_template("dashboard/apply.html", form=form)


# --- products ------------------------------------------------------------------------------


def _product_page(product, status=200, **forms):
    forms.setdefault("form", ProductForm(obj=product, formdata=None))
    forms["form"].subgroup.data = forms["form"].subgroup.data or ""
    forms.setdefault("image_form", ImageForm(formdata=None))
    return (
        render_template(
            "dashboard/product_edit.html",
            product=product,
            max_mb=(current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024),
            **forms,
        ),
        status,
    )


@bp.get("/dashboard/products")
@producer_view
def products():
    raw = request.args.get("status", "")
    status = next((s for s in ProductStatus if s.value == raw), None)
    pagination = db.paginate(
        queries.products_query(g.producer, status),
        page=_page(),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template("dashboard/products.html", pagination=pagination, status=status)


@bp.route("/dashboard/products/new", methods=["GET", "POST"])
@producer_view
def product_new():
    form = ProductForm()
    if form.validate_on_submit():
        try:
            product = services.create_product(
                db.session,
                g.producer,
                form.to_input(),
                initial_stock=form.initial_stock.data or 0,
                user_id=current_user.id,
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("Draft saved. Add photos, then publish it."), "success")
            return _see_other("dashboard.product_edit", product_id=product.id)
    status = 422 if request.method == "POST" else 200
    return render_template("dashboard/product_new.html", form=form), status


@bp.route("/dashboard/products/<int:product_id>", methods=["GET", "POST"])
@producer_view
def product_edit(product_id: int):
    product = queries.get_own_product_or_404(g.producer, product_id)
    if request.method == "GET":
        return _product_page(product)
    form = ProductForm()
    if form.validate_on_submit():
        try:
            services.update_product(db.session, g.producer, product, form.to_input())
        except DomainError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return _see_other("dashboard.product_edit", product_id=product.id)
    db.session.rollback()
    return _product_page(product, 422, form=form)


@bp.post("/dashboard/products/<int:product_id>/status")
@producer_view
def product_status(product_id: int):
    product = queries.get_own_product_or_404(g.producer, product_id)
    target = next((s for s in ProductStatus if s.value == request.form.get("status")), None)
    if target is None:
        abort(400)
    try:
        services.set_product_status(db.session, g.producer, product, target)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        messages = {
            ProductStatus.ACTIVE: _("The product is live in the shop."),
            ProductStatus.DRAFT: _("The product is hidden from the shop (draft)."),
            ProductStatus.ARCHIVED: _("The product is archived."),
        }
        flash(messages[target], "success")
    return _see_other("dashboard.product_edit", product_id=product.id)


@bp.post("/dashboard/products/<int:product_id>/images")
@producer_view
def image_upload(product_id: int):
    product = queries.get_own_product_or_404(g.producer, product_id)
    image_form = ImageForm()
    if image_form.validate_on_submit():
        try:
            services.add_product_image(
                db.session,
                g.producer,
                product,
                image_form.photo.data.read(),
                image_form.alt.data,
                _upload_folder(),
                _max_pixels(),
            )
        except DomainError as error:
            image_form.photo.errors = [*image_form.photo.errors, error.message]
        else:
            db.session.commit()
            flash(_("Photo added."), "success")
            return _see_other("dashboard.product_edit", product_id=product.id)
    db.session.rollback()
    return _product_page(product, 422, image_form=image_form)


@bp.post("/dashboard/products/<int:product_id>/images/<int:image_id>/delete")
@producer_view
def image_delete(product_id: int, image_id: int):
    product = queries.get_own_product_or_404(g.producer, product_id)
    image = queries.get_own_image_or_404(g.producer, product, image_id)
    services.delete_product_image(db.session, g.producer, image, _upload_folder())
    db.session.commit()
    flash(_("Photo removed."), "success")
    return _see_other("dashboard.product_edit", product_id=product.id)


@bp.route("/dashboard/products/<int:product_id>/certificates/new", methods=["GET", "POST"])
@producer_view
def certificate_new(product_id: int):
    product = queries.get_own_product_or_404(g.producer, product_id)
    form = CertificateForm()
    if form.validate_on_submit():
        try:
            services.submit_certificate(
                db.session,
                g.producer,
                product,
                form.to_input(),
                form.scan.data.read(),
                _upload_folder(),
                _max_pixels(),
                today_vn(),
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash(
                _("Certificate submitted. It shows on the product once an admin verifies it."),
                "success",
            )
            return _see_other("dashboard.product_edit", product_id=product.id)
    db.session.rollback()
    status = 422 if request.method == "POST" else 200
    return render_template("dashboard/certificate_new.html", form=form, product=product), status


@bp.get("/dashboard/certificates/<int:certificate_id>")
@producer_view
def certificate(certificate_id: int):
    found = queries.get_own_certificate_or_404(g.producer, certificate_id)
    return render_template("dashboard/certificate.html", certificate=found)


# --- stock ---------------------------------------------------------------------------------


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
            adjust_form=adjust_form or AdjustStockForm(formdata=None),
            threshold_form=threshold_form
            or ThresholdForm(formdata=None, threshold=product.low_stock_threshold),
            movements=list(movements),
        ),
        status,
    )


@bp.route("/dashboard/products/<int:product_id>/stock", methods=["GET", "POST"])
@producer_view
def product_stock(product_id: int):
    product = queries.get_own_product_or_404(g.producer, product_id)
    if request.method == "GET":
        return _stock_page(product)
    form = AdjustStockForm()
    if form.validate_on_submit():
        try:
            services.adjust_stock(
                db.session,
                g.producer,
                product,
                StockReason(form.reason.data),
                form.quantity.data,
                form.note.data,
                current_user.id,
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("Stock updated."), "success")
            return _see_other("dashboard.product_stock", product_id=product.id)
    db.session.rollback()
    return _stock_page(product, 422, adjust_form=form)


@bp.post("/dashboard/products/<int:product_id>/threshold")
@producer_view
def product_threshold(product_id: int):
    product = queries.get_own_product_or_404(g.producer, product_id)
    form = ThresholdForm()
    if form.validate_on_submit():
        try:
            services.set_low_stock_threshold(db.session, g.producer, product, form.threshold.data)
        except DomainError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("Low-stock alert saved."), "success")
            return _see_other("dashboard.product_stock", product_id=product.id)
    db.session.rollback()
    return _stock_page(product, 422, threshold_form=form)


@bp.get("/dashboard/stock/movements")
@producer_view
def movements():
    product_id = request.args.get("product", type=int)
    product = queries.get_own_product_or_404(g.producer, product_id) if product_id else None
    pagination = db.paginate(
        queries.movements_query(g.producer, product),
        page=_page(),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template("dashboard/movements.html", pagination=pagination, product=product)


@bp.get("/dashboard/stock/movements/<int:movement_id>")
@producer_view
def movement(movement_id: int):
    found = queries.get_own_movement_or_404(g.producer, movement_id)
    return render_template("dashboard/movement.html", movement=found)


def _csv_cell(value) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas; neutralise buyer-typed text."""
    text = "" if value is None else str(value)
    if text and text[0] in "=+-@\t\r" and not text.lstrip("-").isdigit():
        return "'" + text
    return text


def _csv_response(rows: list[list], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    # The BOM makes Excel read the Vietnamese text as UTF-8.
    return Response(
        "\ufeff" + buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/dashboard/stock/export.csv")
@producer_view
def stock_export():
    rows = [["product_id", "name", "unit", "on_hand", "reserved", "count"]]
    for product in queries.all_products(g.producer):
        rows.append(
            [
                product.id,
                product.name,
                product.unit,
                product.stock_on_hand,
                product.stock_reserved,
                product.stock_on_hand,
            ]
        )
    return _csv_response(rows, f"stock-{g.producer.slug}-{today_vn().isoformat()}.csv")


@bp.route("/dashboard/stock/import", methods=["GET", "POST"])
@producer_view
def stock_import():
    form = StockImportForm()
    if form.validate_on_submit():
        try:
            text = csv_import.decode(form.csv_file.data.read())
            result = csv_import.preview(db.session, g.producer, text)
        except DomainError as error:
            form.csv_file.errors = [*form.csv_file.errors, error.message]
        else:
            return render_template(
                "dashboard/stock_import_preview.html",
                preview=result,
                apply_form=StockImportApplyForm(formdata=None, csv_text=text),
            ), (200 if result.ok else 422)
    status = 422 if request.method == "POST" else 200
    return render_template("dashboard/stock_import.html", form=form), status


@bp.post("/dashboard/stock/import/apply")
@producer_view
def stock_import_apply():
    form = StockImportApplyForm()
    if not form.validate_on_submit():
        flash(_("The import expired. Upload the file again."), "error")
        return _see_other("dashboard.stock_import")
    text = form.csv_text.data
    try:
        changed = csv_import.apply_counts(db.session, g.producer, text, current_user.id)
    except DomainError as error:
        db.session.rollback()
        form.form_errors.append(error.message)
        try:
            result = csv_import.preview(db.session, g.producer, text)
        except DomainError:
            return _see_other("dashboard.stock_import")
        return render_template(
            "dashboard/stock_import_preview.html", preview=result, apply_form=form
        ), 422
    db.session.commit()
    flash(_("Stock counts imported: %(n)d products changed.", n=changed), "success")
    return _see_other("dashboard.stock")


# --- sub-orders ----------------------------------------------------------------------------


def _status_from_args() -> SubOrderStatus | None:
    raw = request.args.get("status", "")
    return next((s for s in SubOrderStatus if s.value == raw), None)


@bp.get("/dashboard/orders")
@producer_view
def orders():
    status = _status_from_args()
    pagination = db.paginate(
        queries.sub_orders_query(g.producer, status),
        page=_page(),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "dashboard/orders.html",
        pagination=pagination,
        status=status,
        counts=queries.status_counts(g.producer),
        settled=SETTLED_PAYMENT,
    )


def _order_page(sub_order, status=200, **forms):
    forms.setdefault("ship_form", ShipForm(formdata=None))
    forms.setdefault("deliver_form", DeliverForm(formdata=None))
    forms.setdefault("cancel_form", CancelForm(formdata=None))
    return (
        render_template(
            "dashboard/order.html",
            sub_order=sub_order,
            order=sub_order.order,
            can_move=lambda target: can_move(sub_order, target),
            settled=sub_order.order.payment_status in SETTLED_PAYMENT,
            is_cod=sub_order.order.payment_method is PaymentMethod.COD,
            **forms,
        ),
        status,
    )


@bp.get("/dashboard/orders/<int:sub_order_id>")
@producer_view
def order(sub_order_id: int):
    return _order_page(queries.get_own_sub_order_or_404(g.producer, sub_order_id))


ACTION_FORMS = {"ship": ("ship_form", ShipForm), "deliver": ("deliver_form", DeliverForm)}
ACTION_FORMS["cancel"] = ("cancel_form", CancelForm)
ACTION_MESSAGES = {
    "confirm": _l("Sub-order confirmed. The buyer was told."),
    "pack": _l("Marked as packed."),
    "ship": _l("Marked as shipped. The buyer has the tracking number."),
    "deliver": _l("Marked as delivered."),
    "cancel": _l("Sub-order cancelled. The stock is back and the buyer was told."),
}


@bp.post("/dashboard/orders/<int:sub_order_id>/<any(confirm,pack,ship,deliver,cancel):action>")
@producer_view
def order_action(sub_order_id: int, action: str):
    sub_order = queries.get_own_sub_order_or_404(g.producer, sub_order_id)
    if action not in services.SUB_ORDER_ACTIONS:
        abort(404)
    form_name, form_class = ACTION_FORMS.get(action, (None, None))
    form = form_class() if form_class else None
    fields = {}
    if form is not None:
        if not form.validate_on_submit():
            return _order_page(sub_order, 422, **{form_name: form})
        fields = {
            "ship": lambda: {
                "carrier": form.carrier.data,
                "tracking_number": form.tracking_number.data,
            },
            "deliver": lambda: {"cash_received": bool(form.cash_received.data)},
            "cancel": lambda: {"reason": form.reason.data},
        }[action]()
    try:
        services.act_on_sub_order(
            db.session, g.producer, sub_order, action, current_user.id, **fields
        )
    except DomainError as error:
        db.session.rollback()
        if form is not None:
            form.form_errors.append(error.message)
            return _order_page(
                queries.get_own_sub_order_or_404(g.producer, sub_order_id),
                422,
                **{form_name: form},
            )
        flash(error.message, "error")
        return _see_other("dashboard.order", sub_order_id=sub_order_id)
    db.session.commit()
    flash(str(ACTION_MESSAGES[action]), "success")
    return _see_other("dashboard.order", sub_order_id=sub_order_id)


@bp.get("/dashboard/orders/<int:sub_order_id>/slip")
@producer_view
def packing_slip(sub_order_id: int):
    sub_order = queries.get_own_sub_order_or_404(g.producer, sub_order_id)
    return render_template(
        "dashboard/packing_slip.html", sub_order=sub_order, order=sub_order.order
    )


@bp.get("/dashboard/orders/export.csv")
@producer_view
def orders_export():
    status = _status_from_args()
    rows = [
        [
            "order",
            "sub_order_id",
            "placed_at_utc",
            "status",
            "payment_method",
            "payment_status",
            "buyer",
            "phone",
            "address",
            "items",
            "subtotal",
            "shipping_fee",
            "total",
            "refunded",
            "amount_due",
            "carrier",
            "tracking_number",
        ]
    ]
    query = queries.sub_orders_query(g.producer, status)
    for sub_order in db.session.scalars(query.limit(5000)):
        order = sub_order.order
        part = sub_order_totals(sub_order)
        rows.append(
            [
                order.number,
                sub_order.id,
                sub_order.created_at.strftime("%Y-%m-%d %H:%M"),
                sub_order.status.value,
                order.payment_method.value,
                order.payment_status.value,
                order.name,
                order.phone,
                f"{order.street}, {place_label(order.province_code, order.ward_code)}",
                "; ".join(f"{line.product_name} x{line.quantity}" for line in sub_order.lines),
                sub_order.subtotal,
                sub_order.shipping_fee,
                part.charged,
                part.refunded,
                part.due,
                sub_order.carrier,
                sub_order.tracking_number,
            ]
        )
    return _csv_response(rows, f"orders-{g.producer.slug}-{today_vn().isoformat()}.csv")


# --- payouts -------------------------------------------------------------------------------


def _period_from_args() -> tuple[date, date, bool]:
    today = today_vn()
    default_start = today.replace(day=1)
    try:
        start = date.fromisoformat(request.args.get("start") or default_start.isoformat())
        end = date.fromisoformat(request.args.get("end") or today.isoformat())
    except ValueError:
        return default_start, today, False
    if end < start or (end - start).days > 366:
        return default_start, today, False
    return start, end, True


@bp.get("/dashboard/payouts")
@producer_view
def payouts():
    start, end, valid = _period_from_args()
    if not valid:
        flash(_("That period is not valid; showing this month instead."), "warning")
    today = today_vn()
    last_month_start = add_months(today.replace(day=1), -1)
    presets = [
        (_("This month"), today.replace(day=1), today),
        (_("Last month"), last_month_start, today.replace(day=1) - timedelta(days=1)),
        (_("Last 90 days"), today - timedelta(days=89), today),
    ]
    return render_template(
        "dashboard/payouts.html",
        statement=statement(db.session, g.producer, start, end),
        payouts=queries.payouts(g.producer),
        presets=presets,
    )


@bp.get("/dashboard/payouts/<int:payout_id>")
@producer_view
def payout(payout_id: int):
    found = queries.get_own_payout_or_404(g.producer, payout_id)
    return render_template(
        "dashboard/payout.html",
        payout=found,
        entries=queries.payout_entries(g.producer, found),
    )


# --- team ----------------------------------------------------------------------------------


def _team_page(form=None, status=200):
    return (
        render_template(
            "dashboard/team.html",
            form=form or InviteForm(formdata=None),
            members=queries.members(g.producer),
            invitations=queries.open_invitations(g.producer),
        ),
        status,
    )


@bp.get("/dashboard/team")
@producer_view
def team():
    return _team_page()


@bp.post("/dashboard/team/invite")
@producer_view
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        try:
            services.invite_member(
                db.session, g.producer, g.membership, form.email.data, str(get_locale())
            )
        except PermissionDenied:
            abort(403)
        except DomainError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("Invitation sent to %(email)s.", email=form.email.data.strip()), "success")
            return _see_other("dashboard.team")
    db.session.rollback()
    return _team_page(form, 422)


@bp.post("/dashboard/team/invitations/<int:invitation_id>/revoke")
@producer_view
def invitation_revoke(invitation_id: int):
    invitation = queries.get_own_invitation_or_404(g.producer, invitation_id)
    try:
        services.revoke_invitation(db.session, g.producer, g.membership, invitation)
    except PermissionDenied:
        abort(403)
    db.session.commit()
    flash(_("Invitation withdrawn."), "success")
    return _see_other("dashboard.team")


@bp.post("/dashboard/team/members/<int:member_id>/remove")
@producer_view
def member_remove(member_id: int):
    member = queries.get_own_member_or_404(g.producer, member_id)
    try:
        services.remove_member(db.session, g.producer, g.membership, member)
    except PermissionDenied:
        abort(403)
    except DomainError as error:
        flash(error.message, "error")
        return _see_other("dashboard.team")
    db.session.commit()
    flash(_("Member removed."), "success")
    return _see_other("dashboard.team")


@bp.route("/dashboard/invitations/<token>", methods=["GET", "POST"])
@login_required
def invitation_accept(token: str):
    if request.method == "GET":
        invitation = services.find_open_invitation(db.session, token, utcnow())
        if invitation is None:
            abort(404, description=_("This invitation has expired or was already used."))
        if invitation.email.lower() != current_user.email.lower():
            abort(
                403,
                description=_(
                    "This invitation was sent to another email address. Log in with that address."
                ),
            )
        return render_template("dashboard/invitation.html", invitation=invitation, token=token)
    try:
        membership = services.accept_invitation(db.session, current_user, token, utcnow())
    except (NotFound, PermissionDenied) as error:
        _abort_for(error)
    db.session.commit()
    session[SESSION_KEY] = membership.producer_id
    flash(_("Welcome to %(name)s.", name=membership.producer.name), "success")
    return _see_other("dashboard.index")


# Views that live in their own modules but share this blueprint.
from . import returns_views  # noqa: E402, F401

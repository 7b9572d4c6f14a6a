"""Sub-orders: the producer's list, one sub-order and its actions, the packing slip, CSV."""

from flask import abort, g, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...clock import today_vn
from ...core.pagination import paginate
from ...core.places import place_label
from ...core.uow import done, show_in_form
from ...errors import DomainError, InvalidTransition, back_to
from ...extensions import db
from ...orders.actions import SUB_ORDER_ACTIONS, act_on_sub_order
from ...orders.models import PaymentMethod, SubOrderStatus
from ...orders.routing import SETTLED_PAYMENT, can_move
from ...orders.totals import sub_order_totals
from ...shipping import quotes as shipping_quotes
from ...shipping.carriers import CARRIER_LABELS
from .. import queries
from ..forms import CancelForm, DeliverForm, ShipForm
from . import PER_PAGE, bp, csv_response, page_number, producer_view


def _status_from_args() -> SubOrderStatus | None:
    raw = request.args.get("status", "")
    return next((s for s in SubOrderStatus if s.value == raw), None)


@bp.get("/dashboard/orders")
@producer_view
def orders():
    status = _status_from_args()
    page = paginate(
        db.session, queries.sub_orders_query(g.producer, status), page_number(), PER_PAGE
    )
    return render_template(
        "dashboard/orders.html",
        page=page,
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
            carrier_linked=bool(shipping_quotes.accounts_of(db.session, sub_order.producer_id)),
            carrier_labels=CARRIER_LABELS,
            **forms,
        ),
        status,
    )


@bp.get("/dashboard/orders/<int:sub_order_id>")
@producer_view
def order(sub_order_id: int):
    return _order_page(queries.get_own_sub_order_or_404(g.producer, sub_order_id))


ACTION_FORMS = {
    "ship": ("ship_form", ShipForm),
    "deliver": ("deliver_form", DeliverForm),
    "cancel": ("cancel_form", CancelForm),
}
ACTION_MESSAGES = {
    "confirm": _l("Sub-order confirmed. The buyer was told."),
    "pack": _l("Marked as packed."),
    "ship": _l("Marked as shipped. The buyer has the tracking number."),
    "deliver": _l("Marked as delivered."),
    "cancel": _l("Sub-order cancelled. The stock is back and the buyer was told."),
}


def _action_fields(action: str, form) -> dict:
    if action == "ship":
        return {"carrier": form.carrier.data, "tracking_number": form.tracking_number.data}
    if action == "deliver":
        return {"cash_received": bool(form.cash_received.data)}
    if action == "cancel":
        return {"reason": form.reason.data}
    return {}


@bp.post("/dashboard/orders/<int:sub_order_id>/<any(confirm,pack,ship,deliver,cancel):action>")
@producer_view
def order_action(sub_order_id: int, action: str):
    sub_order = queries.get_own_sub_order_or_404(g.producer, sub_order_id)
    if action not in SUB_ORDER_ACTIONS:
        abort(404)
    back = back_to(url_for("dashboard.order", sub_order_id=sub_order_id))
    form_name, form_class = ACTION_FORMS.get(action, (None, None))
    if form_class is None:
        # A one-button action: a refusal is flashed on the sub-order's page.
        act_on_sub_order(db.session, g.producer, sub_order, action, current_user.id)
        return done(ACTION_MESSAGES[action], back)
    form = form_class()
    if form.validate_on_submit():
        try:
            act_on_sub_order(
                db.session,
                g.producer,
                sub_order,
                action,
                current_user.id,
                **_action_fields(action, form),
            )
        except InvalidTransition:
            # The sub-order moved on (a double click, a colleague): the page as it is now,
            # with the reason, as for a button without a form.
            raise
        except DomainError as error:
            show_in_form(form, error)
        else:
            return done(ACTION_MESSAGES[action], back)
    return _order_page(sub_order, 422, **{form_name: form})


@bp.get("/dashboard/orders/<int:sub_order_id>/slip")
@producer_view
def packing_slip(sub_order_id: int):
    sub_order = queries.get_own_sub_order_or_404(g.producer, sub_order_id)
    return render_template(
        "dashboard/packing_slip.html", sub_order=sub_order, order=sub_order.order
    )


ORDERS_CSV_HEADER = [
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


@bp.get("/dashboard/orders/export.csv")
@producer_view
def orders_export():
    rows = [ORDERS_CSV_HEADER]
    query = queries.sub_orders_query(g.producer, _status_from_args())
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
    return csv_response(rows, f"orders-{g.producer.slug}-{today_vn().isoformat()}.csv")

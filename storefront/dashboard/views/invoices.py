"""VAT invoices: the sub-orders waiting for one, their export for the cooperative's
e-invoice service, and attaching the issued invoice. Thin views over orders.invoices."""

from flask import abort, current_app, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...clock import today_vn
from ...core.uow import done
from ...errors import back_to
from ...extensions import db
from ...orders import invoices
from ...orders.forms import ActionForm
from ...orders.models import ProducerOrder, SubOrderInvoice
from .. import queries
from . import bp, csv_response, producer_view


def _awaiting() -> list[ProducerOrder]:
    query = invoices.awaiting_query(g.producer.id).options(
        selectinload(ProducerOrder.lines), selectinload(ProducerOrder.order)
    )
    return list(db.session.scalars(query.limit(500)))


@bp.get("/dashboard/invoices", endpoint="invoices")
@producer_view
def invoices_list():
    issued = db.session.scalars(
        select(SubOrderInvoice)
        .join(ProducerOrder, ProducerOrder.id == SubOrderInvoice.producer_order_id)
        .where(ProducerOrder.producer_id == g.producer.id)
        .order_by(SubOrderInvoice.id.desc())
        .limit(50)
    ).all()
    return render_template(
        "dashboard/invoices.html",
        awaiting=_awaiting(),
        issued=issued,
        form=ActionForm(),
        active="invoices",
        display_tax_code=invoices.display_tax_code,
    )


@bp.get("/dashboard/invoices/export.csv")
@producer_view
def invoices_export():
    rows = invoices.export_rows(_awaiting(), _("Shipping"))
    return csv_response(rows, f"invoices-{g.producer.slug}-{today_vn().isoformat()}.csv")


@bp.post("/dashboard/invoices/<int:sub_order_id>")
@producer_view
def invoice_attach(sub_order_id: int):
    sub_order = queries.get_own_sub_order_or_404(g.producer, sub_order_id)
    target = back_to(url_for("dashboard.invoices"))
    if not ActionForm().validate_on_submit():
        abort(400)
    upload = request.files.get("pdf")
    invoices.attach_invoice(
        db.session,
        sub_order,
        request.form.get("invoice_number", ""),
        request.form.get("lookup_code", ""),
        upload.read() if upload else b"",
        current_app.config["INVOICE_FOLDER"],
        current_app.config["INVOICE_MAX_BYTES"],
        current_user.id,
    )
    return done(_("Invoice attached. The buyer can download it now."), target)

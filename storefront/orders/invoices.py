"""VAT invoices (Decree 123/2020/NĐ-CP): asked for at checkout, issued by each cooperative.

The buyer gives the company's name, tax code, address and an email at checkout. The
cooperative is the seller of its goods, so each sub-order is invoiced by its own
cooperative: the dashboard lists the sub-orders waiting for an invoice, exports them for
the cooperative's e-invoice service, and takes the issued invoice back (its number, the
lookup code and the PDF), which the buyer then downloads from the order page.

Tax codes are 10 digits (an organisation) or 13 (a dependent unit, often written 10-3).
"""

import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..admin import audit
from ..errors import InvalidTransition, ValidationFailed
from . import emails
from .models import (
    InvoiceRequest,
    Order,
    OrderEvent,
    ProducerOrder,
    SubOrderInvoice,
    SubOrderStatus,
)

TAX_CODE_RE = re.compile(r"^(\d{10}|\d{13})$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
PLAIN_CODE_RE = re.compile(r"^[A-Za-z0-9._/-]{1,64}$")


@dataclass(frozen=True)
class InvoiceDetails:
    company_name: str
    tax_code: str
    address: str
    email: str


def normalise_tax_code(raw: str) -> str:
    """'0101234567-001' and ' 0101234567001 ' are the same 13-digit code."""
    return re.sub(r"[\s.-]", "", raw or "")


def validate(details: InvoiceDetails) -> InvoiceDetails:
    company = (details.company_name or "").strip()
    address = (details.address or "").strip()
    email = (details.email or "").strip().lower()
    tax_code = normalise_tax_code(details.tax_code)
    if not company or len(company) > 200 or _CONTROL.search(company):
        raise ValidationFailed(_l("Enter the company's name as registered (up to 200 characters)."))
    if not TAX_CODE_RE.fullmatch(tax_code):
        raise ValidationFailed(
            _l("A tax code has 10 digits, or 13 for a branch (for example 0101234567-001).")
        )
    if not address or len(address) > 255 or _CONTROL.search(address):
        raise ValidationFailed(_l("Enter the company's registered address."))
    if len(email) > 254 or not EMAIL_RE.fullmatch(email):
        raise ValidationFailed(_l("Enter the email address that receives the invoice."))
    return InvoiceDetails(company, tax_code, address, email)


def display_tax_code(tax_code: str) -> str:
    return f"{tax_code[:10]}-{tax_code[10:]}" if len(tax_code) == 13 else tax_code


def request_invoice(session: Session, order: Order, details: InvoiceDetails) -> InvoiceRequest:
    clean = validate(details)
    invoice_request = InvoiceRequest(
        order_id=order.id,
        company_name=clean.company_name,
        tax_code=clean.tax_code,
        address=clean.address,
        email=clean.email,
    )
    session.add(invoice_request)
    session.flush()
    return invoice_request


def awaiting_query(producer_id: int):
    """The producer's sub-orders whose buyer asked for an invoice not issued yet."""
    return (
        select(ProducerOrder)
        .join(InvoiceRequest, InvoiceRequest.order_id == ProducerOrder.order_id)
        .outerjoin(SubOrderInvoice, SubOrderInvoice.producer_order_id == ProducerOrder.id)
        .where(
            ProducerOrder.producer_id == producer_id,
            ProducerOrder.status != SubOrderStatus.CANCELLED,
            SubOrderInvoice.id.is_(None),
        )
        .order_by(ProducerOrder.id)
    )


# The column names of the common Vietnamese e-invoice services' spreadsheet import
# (MISA meInvoice, Viettel S-Invoice, VNPT): one row per invoice line, the buyer's
# details repeated, rows of one invoice sharing its "Số đơn hàng".
EXPORT_HEADER = [
    "Số đơn hàng",
    "Ngày đơn hàng",
    "Tên đơn vị mua hàng",
    "Mã số thuế",
    "Địa chỉ",
    "Email nhận hóa đơn",
    "Hình thức thanh toán",
    "Tên hàng hóa, dịch vụ",
    "Đơn vị tính",
    "Số lượng",
    "Đơn giá",
    "Thành tiền",
]
DISCOUNT_LABEL = "Chiết khấu thương mại (mã giảm giá)"
PAYMENT_FORM = "TM/CK"  # cash or transfer: what these services expect when both may apply


def export_rows(sub_orders: list[ProducerOrder], shipping_label: str) -> list[list]:
    rows = [EXPORT_HEADER]
    for sub_order in sub_orders:
        order = sub_order.order
        buyer = order.invoice_request
        head = [
            f"{order.number}-{sub_order.id}",
            order.created_at.strftime("%d/%m/%Y"),
            buyer.company_name,
            display_tax_code(buyer.tax_code),
            buyer.address,
            buyer.email,
            PAYMENT_FORM,
        ]
        for line in sub_order.lines:
            kept = line.quantity - line.refunded_quantity
            if kept <= 0:
                continue
            rows.append(
                [*head, line.product_name, line.unit, kept, line.unit_price, line.unit_price * kept]
            )
        if sub_order.shipping_fee:
            rows.append(
                [*head, shipping_label, "", 1, sub_order.shipping_fee, sub_order.shipping_fee]
            )
        if sub_order.producer_discount:
            # The cooperative's own voucher is its trade discount (chiết khấu thương mại) on
            # this invoice; the shop's voucher is the shop's cost, the cooperative sells whole.
            amount = -sub_order.producer_discount
            rows.append([*head, DISCOUNT_LABEL, "", 1, amount, amount])
    return rows


def _clean_code(value: str, message) -> str:
    value = (value or "").strip()
    if not PLAIN_CODE_RE.fullmatch(value):
        raise ValidationFailed(message)
    return value


def attach_invoice(
    session: Session,
    sub_order: ProducerOrder,
    invoice_number: str,
    lookup_code: str,
    pdf: bytes,
    folder: str,
    max_bytes: int,
    actor_id: int | None,
) -> SubOrderInvoice:
    """Keep the issued invoice. A second attachment for the same sub-order is refused."""
    if sub_order.order.invoice_request is None:
        raise InvalidTransition(_l("The buyer did not ask for a VAT invoice for this order."))
    if sub_order.invoice is not None:
        raise InvalidTransition(_l("The invoice of this order is already attached."))
    invoice_number = _clean_code(
        invoice_number, _l("Enter the invoice number (letters, digits, . / - only).")
    )
    lookup_code = _clean_code(
        lookup_code, _l("Enter the lookup code (letters, digits, . / - only).")
    )
    if not pdf or len(pdf) > max_bytes or not pdf.startswith(b"%PDF-"):
        raise ValidationFailed(
            _l("Attach the invoice as a PDF file of at most %(mb)d MB.", mb=max_bytes // 2**20)
        )
    name = f"{sub_order.producer_id}/{secrets.token_hex(16)}.pdf"
    path = Path(folder) / name
    invoice = SubOrderInvoice(
        producer_order_id=sub_order.id,
        invoice_number=invoice_number,
        lookup_code=lookup_code,
        pdf_filename=name,
        created_by_id=actor_id,
    )
    session.add(invoice)
    try:
        # The UNIQUE sub-order key decides between two submits at once.
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:
        raise InvalidTransition(_l("The invoice of this order is already attached.")) from error
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pdf)
    session.add(
        OrderEvent(
            order_id=sub_order.order_id,
            producer_order_id=sub_order.id,
            kind="invoice_issued",
            message=invoice_number,
            data={"lookup_code": lookup_code},
            actor_id=actor_id,
        )
    )
    session.flush()
    session.refresh(sub_order)
    emails.invoice_issued(sub_order.order, sub_order)
    audit.record(
        session,
        actor_id,
        "sub_order.invoice",
        sub_order,
        None,
        {"invoice_number": invoice_number, "lookup_code": lookup_code},
    )
    return invoice

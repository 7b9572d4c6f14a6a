"""How the audit log reads: the action in words, the object by its name with a link to its
page, and the values before and after as people read them (labels, đồng, Vietnam's time).

The rows keep codes and plain JSON (admin.audit); this module is their one translation.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import url_for
from flask_babel import format_date, format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth.models import User, UserRole
from ..catalogue.models import (
    Certificate,
    CertificateStatus,
    Product,
    ProductStatus,
    VariantStatus,
)
from ..core import places
from ..money import format_vnd
from ..orders.labels import REFUND_METHOD_LABELS
from ..orders.models import (
    Order,
    PaymentStatus,
    ProducerOrder,
    ReturnRequest,
    ReturnStatus,
    SubOrderStatus,
)
from ..pages.models import PolicyPage
from ..producers.models import (
    DocumentKind,
    Payout,
    Producer,
    ProducerKind,
    ProducerStatus,
    StockReason,
)
from .audit import action_label

DOCUMENT_KINDS = {kind.value for kind in DocumentKind}

OBJECT_TYPES = {
    "producer": _l("Producer"),
    "product": _l("Product"),
    "certificate": _l("Certificate"),
    "order": _l("Order"),
    "producer_order": _l("Cooperative's part of an order"),
    "return_request": _l("Return"),
    "payout": _l("Payout"),
    "user": _l("Account"),
    "policy_page": _l("Policy page"),
}

FIELDS = {
    "name": _l("Name"),
    "name_en": _l("Name (English)"),
    "story_en": _l("Story (English)"),
    "legal_name": _l("Legal name"),
    "registration_number": _l("Registration number"),
    "tax_code": _l("Tax code"),
    "photo": _l("Photo"),
    "document_id": _l("Document"),
    "kind": _l("Kind"),
    "story": _l("Story"),
    "contact_name": _l("Contact person"),
    "contact_phone": _l("Contact phone"),
    "contact_email": _l("Contact email"),
    "province_code": _l("Province"),
    "ward_code": _l("Ward or commune"),
    "street": _l("Street"),
    "historical_address": _l("Former address"),
    "commission_rate_bp": _l("Commission"),
    "bank_bin": _l("Bank"),
    "bank_name": _l("Bank"),
    "bank_account": _l("Account number"),
    "bank_account_name": _l("Account holder"),
    "pending_bank_bin": _l("New bank"),
    "pending_bank_account": _l("New account number"),
    "pending_bank_account_name": _l("New account holder"),
    "status": _l("Status"),
    "reason": _l("Reason"),
    "note": _l("Note"),
    "unfeatured_product_ids": _l("No longer featured"),
    "unfeatured_product_id": _l("No longer featured"),
    "verified_by_id": _l("Reviewed by"),
    "verified_at": _l("Reviewed at"),
    "rejection_reason": _l("Reason for rejection"),
    "featured": _l("Featured"),
    "featured_position": _l("Place in the list"),
    "order": _l("Order"),
    "payment_status": _l("Payment"),
    "paid_at": _l("Paid at"),
    "paid_on": _l("Paid on"),
    "refunded_total": _l("Refunded in total"),
    "order_refunded_total": _l("Order refunded in total"),
    "refunded_amount": _l("Refunded"),
    "cancel_reason": _l("Reason for cancelling"),
    "refund_id": _l("Refund"),
    "amount": _l("Amount"),
    "method": _l("Method"),
    "bank_reference": _l("Bank reference"),
    "lines": _l("Lines"),
    "audience": _l("Recipients"),
    "emails": _l("Emails"),
    "to": _l("To"),
    "balance": _l("Balance"),
    "producer_id": _l("Producer"),
    "is_active_flag": _l("Account enabled"),
    "role": _l("Role"),
    "session_version": _l("Sign-outs everywhere"),
    "email": _l("Email"),
    "photos": _l("Photos"),
    "stock_on_hand": _l("Stock on hand"),
    "sku": _l("SKU"),
    "options": _l("Options"),
    "weight_grams": _l("Weight (g)"),
    "barcode": _l("Barcode"),
    "variant_status": _l("Variant status"),
    "stock_reason": _l("Reason"),
    "low_stock_threshold": _l("Low-stock alert at"),
    "group": _l("OCOP group"),
    "subgroup": _l("Subgroup"),
    "unit": _l("Unit"),
    "price": _l("Price"),
    "made_to_order": _l("Made to order"),
    "rows": _l("Rows"),
    "products_changed": _l("Products changed"),
    "number": _l("Number"),
    "stars": _l("Stars"),
    "signed_on": _l("Signed on"),
    "valid_until": _l("Valid until"),
    "on": _l("On"),
    "invoice_number": _l("Invoice number"),
    "lookup_code": _l("Lookup code"),
    "by_admin": _l("By an administrator"),
    "restocked": _l("Back in stock"),
    "title_vi": _l("Title (Vietnamese)"),
    "title_en": _l("Title (English)"),
    "body_vi": _l("Text (Vietnamese)"),
    "body_en": _l("Text (English)"),
}

MONEY = {
    "price",
    "amount",
    "balance",
    "refunded_total",
    "order_refunded_total",
    "refunded_amount",
}

# Which enum a "status" value belongs to, by the kind of object the row is about.
STATUSES = {
    "producer": ProducerStatus,
    "product": ProductStatus,
    "certificate": CertificateStatus,
    "producer_order": SubOrderStatus,
    "return_request": ReturnStatus,
}
ENUM_FIELDS = {
    "payment_status": PaymentStatus,
    "role": UserRole,
    "kind": ProducerKind,
    "stock_reason": StockReason,
    "variant_status": VariantStatus,
}


def _enum_label(enum_cls, value):
    try:
        return enum_cls(value).label
    except ValueError:
        return value


def _when(value: str):
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if "T" not in value:
        return format_date(moment.date())
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return format_datetime(moment, "short")  # stored UTC; Babel shows Vietnam's time


def value_text(object_type: str, key: str, value):
    """One recorded value, as a person reads it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _l("Yes") if value else _l("No")
    if key == "status" and object_type in STATUSES:
        return _enum_label(STATUSES[object_type], value)
    if key == "kind" and value in DOCUMENT_KINDS:  # a paper sent with an application
        return _enum_label(DocumentKind, value)
    if key in ENUM_FIELDS:
        return _enum_label(ENUM_FIELDS[key], value)
    if key == "options" and isinstance(value, list):
        from ..catalogue.models import variant_label

        return variant_label(value) or "—"
    if key == "method":
        return REFUND_METHOD_LABELS.get(value, value)
    if key in MONEY and isinstance(value, int):
        return format_vnd(value)
    if key == "commission_rate_bp" and isinstance(value, int):
        return f"{value / 100:g} %"
    if key == "province_code":
        return places.province_name(value) or value
    if key == "ward_code":
        return places.ward_name(value) or value
    if isinstance(value, str) and (
        key.endswith("_at") or key in ("on", "paid_on", "signed_on", "valid_until")
    ):
        return _when(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items()) or "—"
    return value


def values(object_type: str, data: dict | None) -> list[tuple]:
    """(label, text) pairs of a before or after snapshot."""
    if not data:
        return []
    return [
        (FIELDS.get(key, key.replace("_", " ")), value_text(object_type, key, value))
        for key, value in data.items()
    ]


@dataclass(frozen=True)
class ObjectRef:
    text: str
    url: str | None


# How each kind of audited object is named and linked: its model, then its name and page.
_REFERENCES = {
    "producer": (
        Producer,
        lambda p: ObjectRef(p.name, url_for("admin.producer_detail", producer_id=p.id)),
    ),
    "product": (
        Product,
        lambda p: ObjectRef(p.name, url_for("catalogue.product", slug=p.slug)),
    ),
    "certificate": (
        Certificate,
        lambda c: ObjectRef(
            str(_l("Certificate %(number)s", number=c.number)),
            url_for("admin.certificate_detail", certificate_id=c.id),
        ),
    ),
    "order": (
        Order,
        lambda o: ObjectRef(
            str(_l("Order %(number)s", number=o.number)),
            url_for("admin.order_detail", order_id=o.id),
        ),
    ),
    "producer_order": (
        ProducerOrder,
        lambda so: ObjectRef(
            f"{so.order.number} · {so.producer_name}",
            url_for("admin.order_detail", order_id=so.order_id),
        ),
    ),
    "return_request": (
        ReturnRequest,
        lambda r: ObjectRef(
            str(_l("Return for order %(number)s", number=r.order.number)),
            url_for("admin.order_detail", order_id=r.order_id),
        ),
    ),
    "payout": (
        Payout,
        lambda p: ObjectRef(
            str(_l("Payout to %(producer)s", producer=p.producer.name)),
            url_for("admin.producer_payouts", producer_id=p.producer_id),
        ),
    ),
    "user": (
        User,
        lambda u: ObjectRef(u.email, url_for("admin.user_detail", user_id=u.id)),
    ),
    "policy_page": (
        PolicyPage,
        lambda p: ObjectRef(p.title_vi or p.slug, url_for("admin_pages.edit", slug=p.slug)),
    ),
}


def _refs_for(session: Session, object_type: str, ids: list[int]) -> dict[int, ObjectRef]:
    if object_type not in _REFERENCES:
        return {}
    model, reference = _REFERENCES[object_type]
    return {
        row.id: reference(row) for row in session.scalars(select(model).where(model.id.in_(ids)))
    }


def object_refs(session: Session, events) -> dict[tuple[str, str], ObjectRef]:
    """The name and page of every object the events are about, a few statements in all.
    An object deleted since is named by its kind only."""
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.object_id.isdigit():
            wanted.setdefault(event.object_type, set()).add(int(event.object_id))
    refs = {}
    for object_type, ids in wanted.items():
        for object_id, ref in _refs_for(session, object_type, sorted(ids)).items():
            refs[(object_type, str(object_id))] = ref
    for event in events:
        key = (event.object_type, event.object_id)
        if key not in refs:
            kind = OBJECT_TYPES.get(event.object_type, event.object_type.replace("_", " "))
            refs[key] = ObjectRef(str(_l("%(kind)s (deleted)", kind=kind)), None)
    return refs


def object_type_label(object_type: str):
    return OBJECT_TYPES.get(object_type, object_type.replace("_", " "))


TEMPLATE_HELPERS = {
    "audit_action_label": action_label,
    "audit_values": values,
    "audit_object_type_label": object_type_label,
}

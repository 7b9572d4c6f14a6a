"""Display names of what orders record as plain codes rather than enums: refund methods and
the timeline's events."""

from flask_babel import lazy_gettext as _l

REFUND_METHOD_LABELS = {
    "stripe": _l("Back to your card"),
    "demo": _l("Card, demo mode: no real money moved"),
    "bank_transfer": _l("Bank transfer to you"),
    "manual": _l("Paid back by hand"),
}


# The order timeline's entries (OrderEvent.kind), as the admins read them.
ORDER_EVENT_LABELS = {
    "placed": _l("Order placed"),
    "paid": _l("Payment received"),
    "payment_mismatch": _l("Payment amount did not match the order"),
    "late_payment": _l("Payment arrived after the order was closed"),
    "payment_failed": _l("Payment failed"),
    "expired": _l("Expired (not paid in time)"),
    "refund": _l("Refund recorded"),
    "invoice_issued": _l("VAT invoice issued"),
    "sub_order_placed": _l("Cooperative's part placed"),
    "sub_order_confirmed": _l("Cooperative confirmed its part"),
    "sub_order_packed": _l("Cooperative packed its part"),
    "sub_order_shipped": _l("Cooperative shipped its part"),
    "sub_order_delivered": _l("Cooperative's part delivered"),
    "sub_order_cancelled": _l("Cooperative's part cancelled"),
    "return_requested": _l("Return requested"),
    "return_accepted": _l("Return accepted"),
    "return_refused": _l("Return refused"),
    "return_escalated": _l("Return sent to an admin to decide"),
    "return_closed": _l("Return closed"),
    "return_received": _l("Returned goods received"),
    "return_refunded": _l("Return refunded"),
}


def order_event_label(kind: str):
    """Words for a timeline entry; a kind without words shows as a neutral "Update"."""
    return ORDER_EVENT_LABELS.get(kind) or _l("Update")

"""Display names of the order enums, shared by pages, emails and services."""

from flask_babel import lazy_gettext as _l

from .models import PaymentMethod, PaymentStatus

PAYMENT_METHOD_LABELS = {
    PaymentMethod.COD: _l("Cash on delivery"),
    PaymentMethod.BANK_TRANSFER: _l("Bank transfer"),
    PaymentMethod.CARD: _l("Card"),
}

REFUND_METHOD_LABELS = {
    "stripe": _l("Back to your card"),
    "demo": _l("Card, demo mode: no real money moved"),
    "bank_transfer": _l("Bank transfer to you"),
    "manual": _l("Paid back by hand"),
}

PAYMENT_STATUS_LABELS = {
    PaymentStatus.PENDING: _l("Waiting for payment"),
    PaymentStatus.COD: _l("Cash on delivery"),
    PaymentStatus.PAID: _l("Paid"),
    PaymentStatus.PARTIALLY_REFUNDED: _l("Partially refunded"),
    PaymentStatus.REFUNDED: _l("Refunded"),
    PaymentStatus.FAILED: _l("Payment failed"),
    PaymentStatus.EXPIRED: _l("Expired (not paid in time)"),
    PaymentStatus.CANCELLED: _l("Cancelled"),
}

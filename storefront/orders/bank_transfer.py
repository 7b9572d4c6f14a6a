"""Bank transfers (VietQR): the payload of the QR code and the admin's confirmation."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..clock import utcnow
from ..errors import InvalidTransition, ValidationFailed
from . import fulfilment
from .models import Order, PaymentMethod, PaymentStatus


def confirm_bank_transfer(
    session: Session, order: Order, actor_id: int | None, now: datetime | None = None
) -> Order:
    """The transfer arrived: the order becomes PAID, exactly once.

    A second confirmation (a double click, two admins, a rerun of the CLI) raises
    InvalidTransition and changes nothing; the conditional UPDATE decides, so it
    holds under concurrency too.
    """
    if order.payment_method is not PaymentMethod.BANK_TRANSFER:
        raise ValidationFailed(
            _l("Order %(number)s is not paid by bank transfer.", number=order.number)
        )
    outcome = fulfilment.mark_paid(
        session,
        order,
        amount=order.grand_total,
        currency="vnd",
        provider="bank",
        provider_ref=None,
        actor_id=actor_id,
        now=now or utcnow(),
    )
    if outcome == "already_paid":
        raise InvalidTransition(
            _l("The transfer for order %(number)s was already confirmed.", number=order.number)
        )
    if outcome == "late_payment":
        raise InvalidTransition(
            _l(
                "Order %(number)s is %(status)s and its stock was released; refund the "
                "transfer to the buyer instead.",
                number=order.number,
                status=order.payment_status.label,
            )
        )
    return order


def _tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def _crc16_ccitt(data: str) -> str:
    crc = 0xFFFF
    for byte in data.encode("utf-8"):
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def vietqr_payload(bank_bin: str, account: str, amount: int, reference: str) -> str:
    """An EMVCo / NAPAS VietQR string that banking apps scan to pre-fill the transfer."""
    beneficiary = _tlv("00", bank_bin) + _tlv("01", account)
    merchant = _tlv("00", "A000000727") + _tlv("01", beneficiary) + _tlv("02", "QRIBFTTA")
    body = (
        _tlv("00", "01")
        + _tlv("01", "12")  # dynamic: this QR is for one amount
        + _tlv("38", merchant)
        + _tlv("53", "704")  # VND
        + _tlv("54", str(int(amount)))
        + _tlv("58", "VN")
        + _tlv("62", _tlv("08", reference))
        + "6304"
    )
    return body + _crc16_ccitt(body)


def qr_svg(payload: str) -> bytes:
    import io

    import segno

    buffer = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(
        buffer, kind="svg", scale=5, border=4, dark="#1d1d1b", light="#ffffff"
    )
    return buffer.getvalue()


def qr_png(payload: str) -> bytes:
    """The same code as a PNG: what a phone's gallery keeps and a banking app's "scan from
    image" opens (neither takes SVG)."""
    import io

    import segno

    buffer = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(
        buffer, kind="png", scale=10, border=4, dark="#1d1d1b", light="#ffffff"
    )
    return buffer.getvalue()


def amount_due(order: Order) -> int:
    return order.grand_total if order.payment_status is PaymentStatus.PENDING else 0

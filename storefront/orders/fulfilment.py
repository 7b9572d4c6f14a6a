"""Payment outcomes applied to an order: paid, failed, expired.

The Stripe webhook, the demo payment page, the bank-transfer confirmation and
the expiry job all come through here, so each effect exists once.

Every change of Order.payment_status is a conditional UPDATE (`WHERE status IN
(...)`) whose rowcount is checked: two deliveries of the same news racing each
other cannot both win, and a state never moves backwards (a late "failed"
finds the order PAID, matches no row, and changes nothing).
"""

import logging
from datetime import datetime

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.orm import Session

from ..clock import utcnow
from ..core.hooks import on_commit
from ..core.observability import PAYMENT_FAILURES
from ..producers import inventory
from ..promotions import services as promotion_services
from . import emails
from .models import Order, OrderEvent, PaymentStatus, SubOrderStatus
from .routing import claim

log = logging.getLogger(__name__)

P = PaymentStatus


def move_payment_status(
    session: Session,
    order: Order,
    allowed_from: set[PaymentStatus],
    target: PaymentStatus,
    **values,
) -> bool:
    """Move the order's payment state if (and only if) it is still in `allowed_from`."""
    result = session.execute(
        update(Order)
        .where(Order.id == order.id, Order.payment_status.in_(allowed_from))
        .values(payment_status=target, **values),
        execution_options={"synchronize_session": False},
    )
    session.refresh(order)
    return result.rowcount == 1


def _event(session: Session, order: Order, kind: str, message="", data=None, actor_id=None):
    session.add(
        OrderEvent(order_id=order.id, kind=kind, message=str(message), data=data, actor_id=actor_id)
    )


def _card_payment(order: Order):
    return next((p for p in reversed(order.payments) if p.method is order.payment_method), None)


def mark_paid(
    session: Session,
    order: Order,
    *,
    amount: int,
    currency: str,
    provider: str,
    provider_ref: str | None = None,
    payment_intent_id: str | None = None,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> str:
    """Record a successful payment. Returns an outcome word for the webhook log."""
    now = now or utcnow()
    if amount != order.grand_total or (currency or "").lower() != "vnd":
        log.warning(
            "Payment for %s does not match: got %s %s, expected %s vnd",
            order.number,
            amount,
            currency,
            order.grand_total,
        )
        _event(
            session,
            order,
            "payment_mismatch",
            data={"amount": amount, "currency": currency, "provider_ref": provider_ref},
        )
        session.flush()
        return "amount_mismatch"
    moved = move_payment_status(
        session, order, {P.PENDING}, P.PAID, paid_at=now, reservation_expires_at=None
    )
    if not moved:
        if order.payment_status in (P.EXPIRED, P.FAILED, P.CANCELLED):
            # Money arrived for an order whose stock was already released: an admin refunds it.
            log.warning("Late payment for %s (%s)", order.number, order.payment_status.value)
            _event(
                session,
                order,
                "late_payment",
                message=_l("Payment arrived after the order was closed; refund it."),
                data={"amount": amount, "provider_ref": provider_ref},
            )
            session.flush()
            return "late_payment"
        return "already_paid"
    payment = _card_payment(order)
    if payment is not None:
        payment.status = P.PAID
        payment.provider = provider
        payment.updated_at = now
        if provider_ref and not payment.provider_ref:
            payment.provider_ref = provider_ref
        if payment_intent_id:
            payment.payment_intent_id = payment_intent_id
    _event(
        session,
        order,
        "paid",
        data={"provider": provider, "amount": amount, "provider_ref": provider_ref},
        actor_id=actor_id,
    )
    session.flush()
    emails.order_paid(order)
    emails.new_sub_orders(order)
    return "paid"


def _in_buyer_language(order: Order, message) -> str:
    """Reasons are stored as text the buyer reads on the order page, in the buyer's language."""
    with force_locale(order.locale or "vi"):
        return str(message)


def release_order(session: Session, order: Order, reason, now: datetime) -> None:
    """Cancel every open sub-order of an unpaid order and return its reserved stock."""
    reason = _in_buyer_language(order, reason)[:255]
    # The caller's payment-status UPDATE holds the order's row lock; each sub-order is still
    # claimed conditionally, so one a cooperative cancelled meanwhile is not released twice.
    for sub_order in order.sub_orders:
        if not claim(session, sub_order, SubOrderStatus.CANCELLED, now):
            continue
        sub_order.cancel_reason = reason
        inventory.release_lines(session, sub_order.lines, sub_order.id)
        session.add(
            OrderEvent(
                order_id=order.id,
                producer_order_id=sub_order.id,
                kind="sub_order_cancelled",
                message=reason,
            )
        )
    session.flush()
    # The whole order is over unpaid: its vouchers' uses go back to the vouchers.
    promotion_services.release_uses(session, order, now)


def mark_failed(
    session: Session, order: Order, *, provider_ref: str | None = None, now: datetime | None = None
) -> str:
    now = now or utcnow()
    if not move_payment_status(session, order, {P.PENDING}, P.FAILED, reservation_expires_at=None):
        return "ignored_" + order.payment_status.value
    payment = _card_payment(order)
    if payment is not None and payment.status is P.PENDING:
        payment.status = P.FAILED
        payment.updated_at = now
    release_order(session, order, _l("The payment failed."), now)
    _event(session, order, "payment_failed", data={"provider_ref": provider_ref})
    session.flush()
    emails.payment_failed(order)
    on_commit(session, PAYMENT_FAILURES.labels(stage="declined").inc)
    return "failed"


def expire(session: Session, order: Order, now: datetime | None = None, source: str = "") -> str:
    """An unpaid order ran out of time (our clock, or Stripe's session expiry)."""
    now = now or utcnow()
    if not move_payment_status(session, order, {P.PENDING}, P.EXPIRED, reservation_expires_at=None):
        return "ignored_" + order.payment_status.value
    payment = _card_payment(order)
    if payment is not None and payment.status is P.PENDING:
        payment.status = P.EXPIRED
        payment.updated_at = now
    release_order(session, order, _l("The payment did not arrive in time."), now)
    _event(session, order, "expired", data={"source": source} if source else None)
    session.flush()
    emails.order_expired(order)
    return "expired"

"""Refunds per sub-order, full or partial, idempotent and recorded everywhere they count:
a Refund row, the sub-order's and the order's refunded totals, the order's payment
state, the order timeline and the producer's payout ledger.

Card refunds go through Stripe with the same idempotency key as the Refund row,
so a retry after a crash between Stripe's answer and our commit cannot pay twice.
Cash and bank-transfer refunds are sent back by hand ("manual").
"""

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..clock import utcnow
from ..errors import ValidationFailed
from ..money import format_vnd
from ..producers import ledger
from . import emails, payments
from .models import (
    Order,
    OrderEvent,
    PaymentMethod,
    PaymentStatus,
    ProducerOrder,
    Refund,
)
from .totals import PAID_STATES, paid_amount


def refundable_amount(sub_order: ProducerOrder) -> int:
    return max(paid_amount(sub_order) - sub_order.refunded_amount, 0)


def default_idempotency_key(sub_order: ProducerOrder, amount: int) -> str:
    # The same request against the same state gets the same key: a double submit refunds once.
    return f"po{sub_order.id}-after{sub_order.refunded_amount}-amt{amount}"


def refund_sub_order(
    session: Session,
    sub_order: ProducerOrder,
    amount: int,
    reason: str,
    actor_id: int | None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
    config=None,
) -> Refund:
    """Refund `amount` đồng of one sub-order. A repeated idempotency key returns the first
    Refund and changes nothing."""
    now = now or utcnow()
    config = config if config is not None else current_app.config
    if idempotency_key:
        existing = session.scalar(select(Refund).where(Refund.idempotency_key == idempotency_key))
        if existing is not None:
            if existing.producer_order_id != sub_order.id or existing.amount != amount:
                raise ValidationFailed(_l("This refund key was already used for another refund."))
            return existing
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationFailed(_l("Enter a refund amount in whole đồng, above zero."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("Give a reason for the refund."))
    order = sub_order.order
    refundable = refundable_amount(sub_order)
    if refundable <= 0:
        raise ValidationFailed(_l("Nothing is left to refund for this part of the order."))
    if amount > refundable:
        raise ValidationFailed(
            _l(
                "You can refund at most %(amount)s for this part of the order.",
                amount=format_vnd(refundable),
            )
        )
    key = idempotency_key or default_idempotency_key(sub_order, amount)

    # Claim the money first with conditional UPDATEs, so two concurrent refunds cannot
    # together exceed what was paid (Stripe's fakes, and banks, would let them).
    claimed = session.execute(
        update(ProducerOrder)
        .where(
            ProducerOrder.id == sub_order.id,
            ProducerOrder.refunded_amount + amount <= paid_amount(sub_order),
        )
        .values(refunded_amount=ProducerOrder.refunded_amount + amount),
        execution_options={"synchronize_session": False},
    )
    if claimed.rowcount != 1:
        raise ValidationFailed(_l("Another refund changed this order; reload and try again."))
    session.execute(
        update(Order)
        .where(Order.id == order.id)
        .values(refunded_total=Order.refunded_total + amount),
        execution_options={"synchronize_session": False},
    )
    session.refresh(sub_order)
    session.refresh(order)

    manual = order.payment_method is not PaymentMethod.CARD
    provider_refund_id = None
    if not manual:
        payment = next(
            (p for p in order.payments if p.method is PaymentMethod.CARD and p.payment_intent_id),
            None,
        )
        if payment is None:
            raise ValidationFailed(
                _l("The card payment of this order is not known; refund manually.")
            )
        provider_refund_id = payments.create_refund(config, payment.payment_intent_id, amount, key)

    refund = Refund(
        order_id=order.id,
        producer_order_id=sub_order.id,
        amount=amount,
        reason=reason[:255],
        method="manual" if manual else "stripe",
        provider_refund_id=provider_refund_id,
        idempotency_key=key,
        created_by_id=actor_id,
    )
    session.add(refund)
    if order.payment_status in PAID_STATES:
        order.payment_status = (
            PaymentStatus.REFUNDED
            if order.refunded_total >= order.grand_total
            else PaymentStatus.PARTIALLY_REFUNDED
        )
    session.add(
        OrderEvent(
            order_id=order.id,
            producer_order_id=sub_order.id,
            kind="refund",
            message=reason[:500],
            data={"amount": amount, "method": refund.method, "key": key},
            actor_id=actor_id,
        )
    )
    session.flush()
    ledger.post_refund(session, sub_order, amount, key)
    emails.refund_recorded(order, sub_order, amount, manual)
    return refund

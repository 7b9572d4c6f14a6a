"""Unpaid card and bank-transfer orders hold stock only until reservation_expires_at."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import fulfilment
from .models import Order, PaymentStatus


def release_expired_reservations(session: Session, now: datetime, limit: int = 500) -> int:
    """Expire unpaid orders whose time ran out and return their stock. Returns how many.

    Safe to run from cron, twice at once or again after a crash: each order moves
    PENDING -> EXPIRED through a conditional UPDATE, so only one run releases its stock.
    """
    candidates = session.scalars(
        select(Order)
        .where(
            Order.payment_status == PaymentStatus.PENDING,
            Order.reservation_expires_at.is_not(None),
            Order.reservation_expires_at <= now,
        )
        .order_by(Order.id)
        .limit(limit)
    ).all()
    expired = 0
    for order in candidates:
        if fulfilment.expire(session, order, now=now, source="reservation timeout") == "expired":
            expired += 1
    return expired

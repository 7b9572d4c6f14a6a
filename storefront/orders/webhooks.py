"""POST /webhooks/stripe: verify, dedupe by event id, dispatch. The only CSRF-exempt route.

Stripe delivers at least once and in any order. The event id is stored under a
UNIQUE constraint in the same transaction as its effect, so a redelivery (even a
concurrent one) finds the row, or loses the insert race, and changes nothing.
"""

import logging
from datetime import datetime

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..clock import utcnow
from ..core.observability import WEBHOOK_FAILURES
from ..extensions import csrf, db
from . import fulfilment, payments
from .models import Order, Payment, PaymentMethod, WebhookEvent

bp = Blueprint("webhooks", __name__)
log = logging.getLogger(__name__)

PROVIDER = "stripe"


def _find_order(session: Session, checkout_session: dict) -> Order | None:
    metadata = checkout_session.get("metadata")
    number = _text(checkout_session.get("client_reference_id")) or (
        _text(metadata.get("order_number")) if isinstance(metadata, dict) else None
    )
    if number:
        order = session.scalar(select(Order).where(Order.number == number[:32]))
        if order is not None:
            return order
    session_id = _text(checkout_session.get("id"))
    if session_id:
        return session.scalar(select(Order).join(Payment).where(Payment.provider_ref == session_id))
    return None


def _paid(session: Session, order: Order, obj: dict, now: datetime) -> str:
    return fulfilment.mark_paid(
        session,
        order,
        amount=obj.get("amount_total"),
        currency=_text(obj.get("currency")) or "",
        provider=PROVIDER,
        provider_ref=_text(obj.get("id")),
        payment_intent_id=_text(obj.get("payment_intent")),
        now=now,
    )


def _text(value) -> str | None:
    """An id or code from the event: a short string, or nothing (never a nested object)."""
    return value[:255] if isinstance(value, str) and value else None


def _remember_intent(order: Order, obj: dict) -> None:
    """A delayed method: keep the PaymentIntent now, so a later refund can find it."""
    intent, session_id = _text(obj.get("payment_intent")), _text(obj.get("id"))
    for payment in order.payments:
        if payment.method is PaymentMethod.CARD:
            if intent and not payment.payment_intent_id:
                payment.payment_intent_id = intent
            if session_id and not payment.provider_ref:
                payment.provider_ref = session_id


def dispatch(session: Session, event: dict, now: datetime) -> str:
    kind = event.get("type", "")
    obj = (event.get("data") or {}).get("object") or {}
    if not isinstance(kind, str) or not kind.startswith("checkout.session."):
        return "ignored"
    order = _find_order(session, obj)
    if order is None:
        log.warning("Stripe event %s for an unknown order", event.get("id"))
        return "unknown_order"
    if order.payment_method is not PaymentMethod.CARD:
        return "not_a_card_order"
    if kind == "checkout.session.completed":
        if obj.get("payment_status") == "paid":
            return _paid(session, order, obj, now)
        _remember_intent(order, obj)
        session.flush()
        return "awaiting_async_payment"
    if kind == "checkout.session.async_payment_succeeded":
        return _paid(session, order, obj, now)
    if kind == "checkout.session.async_payment_failed":
        return fulfilment.mark_failed(session, order, provider_ref=_text(obj.get("id")), now=now)
    if kind == "checkout.session.expired":
        return fulfilment.expire(session, order, now=now, source="stripe checkout expired")
    return "ignored"


def already_recorded(session: Session, event_id: str) -> bool:
    return (
        session.scalar(
            select(WebhookEvent.id).where(
                WebhookEvent.provider == PROVIDER, WebhookEvent.event_id == event_id
            )
        )
        is not None
    )


def process_event(session: Session, event: dict, now: datetime | None = None) -> str:
    """Record the event and apply it, in the caller's transaction. Repeats return 'duplicate'."""
    now = now or utcnow()
    event_id = _text(event.get("id")) or ""
    if not event_id:
        return "no_event_id"
    if already_recorded(session, event_id):
        return "duplicate"
    record = WebhookEvent(
        provider=PROVIDER,
        event_id=event_id,
        event_type=str(event.get("type", ""))[:100],
        received_at=now,
    )
    session.add(record)
    # Claim the id before any effect: a concurrent twin blocks here, then fails on the key.
    session.flush()
    record.outcome = dispatch(session, event, now)[:60]
    session.flush()
    return record.outcome


@bp.post("/webhooks/stripe")
@csrf.exempt
def stripe_webhook():
    payload = request.get_data(cache=False)
    try:
        event = payments.verify_webhook(
            payload,
            request.headers.get("Stripe-Signature"),
            current_app.config.get("STRIPE_WEBHOOK_SECRET", ""),
        )
    except payments.WebhookRejected:
        WEBHOOK_FAILURES.labels(reason="signature").inc()
        return jsonify(error="invalid signature"), 400
    except ValueError:
        WEBHOOK_FAILURES.labels(reason="payload").inc()
        return jsonify(error="invalid payload"), 400
    try:
        outcome = process_event(db.session, event)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        # A twin delivery committed the same event id first. Anything else is a real error:
        # answer 500, so that Stripe delivers the event again.
        if not already_recorded(db.session, _text(event.get("id")) or ""):
            WEBHOOK_FAILURES.labels(reason="error").inc()
            raise
        outcome = "duplicate"
    return jsonify(received=True, outcome=outcome), 200

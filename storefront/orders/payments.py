"""The edge to Stripe: the only module that imports `stripe`.

Card payments use hosted Stripe Checkout, so no card field is ever on our pages
(PCI SAQ A). Amounts are integer đồng and VND is zero-decimal at Stripe:
`unit_amount=250000` is 250.000 ₫, never ×100.

One `stripe.StripeClient` is built from the config: STRIPE_API_BASE and the
optional STRIPE_HTTP_CLIENT let tests and local runs point it at a fake.
"""

import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import stripe
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..clock import utcnow
from ..core.observability import PAYMENT_FAILURES
from ..errors import PaymentError
from .checkout import check_card_amount
from .models import Order, PaymentMethod, PaymentStatus

log = logging.getLogger(__name__)

# Stripe refuses expires_at sooner than 30 minutes or later than 24 hours from now.
SESSION_MIN_SECONDS = 30 * 60 + 60
SESSION_MAX_SECONDS = 24 * 60 * 60 - 60
WEBHOOK_TOLERANCE_SECONDS = 300


def demo_mode(config) -> bool:
    """No secret key: the demo page stands in for Stripe, if this config allows it at all."""
    return not config.get("STRIPE_SECRET_KEY") and bool(config.get("STRIPE_DEMO_MODE_ALLOWED"))


def card_available(config) -> bool:
    return bool(config.get("STRIPE_SECRET_KEY")) or demo_mode(config)


def make_client(config) -> stripe.StripeClient:
    return stripe.StripeClient(
        config["STRIPE_SECRET_KEY"],
        base_addresses={"api": config.get("STRIPE_API_BASE") or "https://api.stripe.com"},
        http_client=config.get("STRIPE_HTTP_CLIENT"),
        max_network_retries=config.get("STRIPE_MAX_NETWORK_RETRIES", 2),
    )


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str


def checkout_idempotency_key(order: Order) -> str:
    return f"order-{order.number}-checkout"


def _line_item(line) -> dict:
    if line.discount:
        # A voucher's share is whole đồng per line, not per unit: the line is one item at
        # what the buyer pays for it, so Stripe charges the discounted total to the đồng.
        return {
            "quantity": 1,
            "price_data": {
                "currency": "vnd",
                "unit_amount": line.line_total - line.discount,
                "product_data": {
                    "name": f"{line.product_name} ({line.unit}) × {line.quantity}"[:250]
                },
            },
        }
    return {
        "quantity": line.quantity,
        "price_data": {
            "currency": "vnd",
            "unit_amount": line.unit_price,
            "product_data": {"name": f"{line.product_name} ({line.unit})"[:250]},
        },
    }


def line_items(order: Order) -> list[dict]:
    items = [_line_item(line) for line in order.lines if line.line_total > line.discount]
    for sub_order in order.sub_orders:
        if sub_order.shipping_fee:
            items.append(
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": "vnd",
                        "unit_amount": sub_order.shipping_fee,
                        "product_data": {
                            "name": str(
                                _l("Shipping from %(producer)s", producer=sub_order.producer_name)
                            )[:250]
                        },
                    },
                }
            )
    return items


def create_checkout_session(
    order: Order, success_url: str, cancel_url: str, config
) -> CheckoutSession:
    if order.payment_method is not PaymentMethod.CARD:
        raise PaymentError(_l("This order is not paid by card."))
    if order.payment_status is not PaymentStatus.PENDING:
        raise PaymentError(_l("This order is not waiting for a card payment."))
    check_card_amount(order.grand_total)
    items = line_items(order)
    if sum(i["price_data"]["unit_amount"] * i["quantity"] for i in items) != order.grand_total:
        raise PaymentError(_l("The order total could not be prepared for payment."))
    params = {
        "mode": "payment",
        "line_items": items,
        "client_reference_id": order.number,
        "metadata": {"order_number": order.number},
        "payment_intent_data": {"metadata": {"order_number": order.number}},
        "customer_email": order.email,
        "locale": "vi" if order.locale == "vi" else "en",
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    if order.reservation_expires_at is not None:
        params["expires_at"] = _expires_at(order)
    try:
        session = make_client(config).v1.checkout.sessions.create(
            params=params, options={"idempotency_key": checkout_idempotency_key(order)}
        )
    except stripe.StripeError as error:
        log.warning("Stripe Checkout Session for %s failed: %s", order.number, error)
        PAYMENT_FAILURES.labels(stage="start").inc()
        raise PaymentError(
            _l("We could not reach the card payment service. Please try again in a moment.")
        ) from error
    return CheckoutSession(id=session.id, url=session.url)


def _expires_at(order: Order) -> int:
    """When our reservation ends, kept inside Stripe's window. It depends on the order alone,
    so a retry with the same idempotency key sends exactly the same parameters."""
    placed = order.created_at.replace(tzinfo=UTC).timestamp()
    expires = order.reservation_expires_at.replace(tzinfo=UTC).timestamp()
    return int(min(max(expires, placed + SESSION_MIN_SECONDS), placed + SESSION_MAX_SECONDS))


def start_card_payment(
    session: Session,
    order: Order,
    success_url: str,
    cancel_url: str,
    demo_url: str,
    config,
    now: datetime | None = None,
) -> str:
    """Where to send the buyer to pay: Stripe's hosted page, or the demo page."""
    if demo_mode(config):
        if order.payment_status is not PaymentStatus.PENDING:
            raise PaymentError(_l("This order is not waiting for a card payment."))
        check_card_amount(order.grand_total)
        return demo_url
    if not config.get("STRIPE_SECRET_KEY"):
        raise PaymentError(_l("Card payments are not available right now."))
    checkout = create_checkout_session(order, success_url, cancel_url, config)
    payment = next((p for p in order.payments if p.method is PaymentMethod.CARD), None)
    if payment is not None and payment.provider_ref != checkout.id:
        payment.provider_ref = checkout.id
        payment.updated_at = now or utcnow()
        session.flush()
    return checkout.url


def create_refund(config, payment_intent_id: str, amount: int, idempotency_key: str) -> str:
    """Refund `amount` đồng of a card payment. Returns Stripe's refund id."""
    if not config.get("STRIPE_SECRET_KEY"):
        raise PaymentError(_l("Card refunds need the Stripe secret key; refund manually."))
    try:
        refund = make_client(config).v1.refunds.create(
            params={"payment_intent": payment_intent_id, "amount": int(amount)},
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        log.warning("Stripe refund of %s failed: %s", payment_intent_id, error)
        raise PaymentError(
            _l("The card refund was refused by the payment service: %(reason)s", reason=str(error))
        ) from error
    return refund.id


class WebhookRejected(PaymentError):
    default_message = _l("Invalid webhook signature.")


def verify_webhook(payload: bytes, signature_header: str | None, secret: str) -> dict:
    """Check Stripe's signature on the raw body (and its age), then return the event."""
    if not secret or not signature_header:
        raise WebhookRejected()
    try:
        # Only the signature: construct_event would also build an Event from any JSON.
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"), signature_header, secret, tolerance=WEBHOOK_TOLERANCE_SECONDS
        )
    except (stripe.SignatureVerificationError, ValueError) as error:
        raise WebhookRejected() from error
    # Stripe's check only refuses old timestamps; a signature dated ahead of our clock
    # would stay replayable for as long as it is in the future.
    if _signed_at(signature_header) > time.time() + WEBHOOK_TOLERANCE_SECONDS:
        raise WebhookRejected()
    # The signature covers these exact bytes, so the plain JSON is as trustworthy,
    # but not necessarily shaped like an event.
    event = json.loads(payload)
    data = event.get("data", {}) if isinstance(event, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("object", {}), dict):
        raise ValueError("a Stripe event is a JSON object whose data.object is an object")
    return event


def _signed_at(signature_header: str) -> int:
    """The t= of a Stripe-Signature header (construct_event has checked that it is there)."""
    for part in signature_header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isascii() and value.isdigit():
            return int(value)
    raise WebhookRejected()

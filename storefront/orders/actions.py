"""Audited actions on placed orders, by an admin (payment, cancellation, refund, emails) or
by a cooperative's member (its own sub-order's steps).

Each hands the change to the module that owns the rule (bank_transfer, cancellation,
refunds, routing) and records it in the audit log. They flush, never commit.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..admin import audit
from ..errors import NotFound, ValidationFailed
from ..producers.models import Producer
from ..producers.notify import producer_recipients
from ..producers.scoping import ensure_own
from . import cancellation, emails, refunds, routing
from .bank_transfer import confirm_bank_transfer
from .models import Order, PaymentStatus, ProducerOrder

ORDER_FIELDS = ("payment_status", "paid_at", "refunded_total")


SUB_ORDER_FIELDS = ("status", "cancel_reason", "refunded_amount")


def confirm_transfer(
    session: Session, order: Order, actor_id: int | None, now: datetime | None = None
) -> None:
    """The shop's bank shows the transfer: the order is paid (once, whatever the clicks)."""
    before = audit.snapshot(order, *ORDER_FIELDS)
    confirm_bank_transfer(session, order, actor_id, now=now)
    session.flush()
    audit.record(
        session,
        actor_id,
        "order.confirm_bank_transfer",
        order,
        before,
        audit.snapshot(order, *ORDER_FIELDS),
    )


def cancel_sub_order(
    session: Session, sub_order: ProducerOrder, actor_id: int | None, reason: str
) -> None:
    before = audit.snapshot(sub_order, *SUB_ORDER_FIELDS)
    cancellation.cancel_part(session, sub_order, actor_id, reason)
    session.flush()
    audit.record(
        session,
        actor_id,
        "sub_order.cancel",
        sub_order,
        before,
        audit.snapshot(sub_order, *SUB_ORDER_FIELDS),
    )


def refund_sub_order(
    session: Session,
    sub_order: ProducerOrder,
    amount: int,
    reason: str,
    actor_id: int | None,
    idempotency_key: str | None = None,
    *,
    lines: dict[int, int] | None = None,
    bank_reference: str | None = None,
    paid_on=None,
):
    """Refund part or all of a sub-order: a card automatically (Stripe or the demo), else a
    bank transfer the admin sent and records. A replayed idempotency key changes nothing,
    so it records nothing either."""
    before = audit.snapshot(sub_order, *SUB_ORDER_FIELDS)
    before["order_refunded_total"] = sub_order.order.refunded_total
    refund = refunds.refund_sub_order(
        session,
        sub_order,
        amount,
        reason,
        actor_id,
        idempotency_key=idempotency_key,
        lines=lines,
        bank_reference=bank_reference,
        paid_on=paid_on,
    )
    session.flush()
    after = audit.snapshot(sub_order, *SUB_ORDER_FIELDS)
    after["order_refunded_total"] = sub_order.order.refunded_total
    if after == before:
        return refund
    after.update(
        refund_id=refund.id,
        amount=refund.amount,
        method=refund.method,
        reason=refund.reason,
        bank_reference=refund.bank_reference,
        paid_on=refund.paid_on.isoformat() if refund.paid_on else None,
        lines={str(line.order_line_id): line.quantity for line in refund.lines},
    )
    audit.record(session, actor_id, "sub_order.refund", sub_order, before, after)
    return refund


RESEND_AUDIENCES = ("buyer", "producers")


def resend_order_emails(session: Session, order: Order, audience: str, actor_id: int | None) -> int:
    """Send the order's emails again: the buyer's confirmation (and receipt, once paid),
    or each cooperative's own part. Returns how many messages were queued."""
    if audience not in RESEND_AUDIENCES:
        raise ValidationFailed(_l("Choose who should receive the emails."))
    if audience == "buyer":
        emails.order_placed(order)
        sent = 1
        if order.payment_status in (
            PaymentStatus.PAID,
            PaymentStatus.PARTIALLY_REFUNDED,
            PaymentStatus.REFUNDED,
        ):
            emails.order_paid(order)
            sent += 1
        recipients = [order.email]
    else:
        recipients = sorted(
            {r for so in order.sub_orders for r in producer_recipients(so.producer)}
        )
        sent = sum(len(producer_recipients(so.producer)) for so in order.sub_orders)
        if not sent:
            raise ValidationFailed(_l("None of the cooperatives has an email address."))
        emails.new_sub_orders(order)
    audit.record(
        session,
        actor_id,
        "order.resend_emails",
        order,
        None,
        {"audience": audience, "emails": sent, "to": recipients},
    )
    return sent


SUB_ORDER_ACTIONS = ("confirm", "pack", "ship", "deliver", "cancel")


def act_on_sub_order(
    session: Session,
    producer: Producer,
    sub_order: ProducerOrder,
    action: str,
    actor_id: int | None,
    *,
    carrier: str = "",
    tracking_number: str = "",
    cash_received: bool = False,
    reason: str = "",
    now: datetime | None = None,
) -> None:
    """Hand the sub-order to the status machine in orders.routing; no transition rules here.
    A repeated click that changes nothing records nothing."""
    ensure_own(producer, sub_order.producer_id)
    if action not in SUB_ORDER_ACTIONS:
        raise NotFound()
    before = audit.snapshot(sub_order, *SUB_ORDER_FIELDS)
    _move_sub_order(
        session,
        sub_order,
        action,
        actor_id,
        carrier=carrier,
        tracking_number=tracking_number,
        cash_received=cash_received,
        reason=reason,
        now=now,
    )
    session.flush()
    after = audit.snapshot(sub_order, *SUB_ORDER_FIELDS)
    if after != before:
        audit.record(session, actor_id, f"sub_order.{action}", sub_order, before, after)


def _move_sub_order(
    session, sub_order, action, actor_id, *, carrier, tracking_number, cash_received, reason, now
):
    if action == "confirm":
        routing.confirm(session, sub_order, actor_id, now=now)
    elif action == "pack":
        routing.pack(session, sub_order, actor_id, now=now)
    elif action == "ship":
        routing.ship(session, sub_order, actor_id, carrier, tracking_number, now=now)
    elif action == "deliver":
        routing.deliver(session, sub_order, actor_id, cash_received=cash_received, now=now)
    elif action == "cancel":
        cancellation.cancel_part(session, sub_order, actor_id, reason, now=now)
    else:
        raise NotFound()

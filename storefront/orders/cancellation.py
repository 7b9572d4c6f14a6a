"""A buyer cancels part of an order (until the cooperative has packed it)."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..clock import utcnow
from ..errors import InvalidTransition
from . import fulfilment, refunds, routing
from .models import Order, PaymentStatus, ProducerOrder


def cancel_by_buyer(
    session: Session,
    order: Order,
    sub_order: ProducerOrder | None,
    actor_id: int | None,
    reason: str,
    now: datetime | None = None,
) -> None:
    """Cancel one sub-order, or the whole order when it is still waiting for payment.

    An unpaid card or transfer order is cancelled as a whole: the amount the buyer
    is about to pay covers every part. Paid money for a cancelled part is refunded.
    """
    now = now or utcnow()
    if order.payment_status is PaymentStatus.PENDING:
        if any(
            so.status not in routing.BUYER_CANCELLABLE
            for so in order.sub_orders
            if so.status is not routing.S.CANCELLED
        ):
            raise InvalidTransition(
                _l("This part of the order is already packed; contact the cooperative.")
            )
        if not fulfilment.move_payment_status(
            session,
            order,
            {PaymentStatus.PENDING},
            PaymentStatus.CANCELLED,
            reservation_expires_at=None,
        ):
            raise InvalidTransition(_l("This order can no longer be cancelled."))
        fulfilment.release_order(
            session, order, reason.strip() or _l("Cancelled by the buyer."), now
        )
        session.flush()
        return
    if sub_order is None or sub_order.order_id != order.id:
        raise InvalidTransition(_l("Choose which part of the order to cancel."))
    cancel_part(session, sub_order, actor_id, reason, by_buyer=True, now=now)


def cancel_part(
    session: Session,
    sub_order: ProducerOrder,
    actor_id: int | None,
    reason: str,
    by_buyer: bool = False,
    now: datetime | None = None,
) -> None:
    """Cancel one sub-order, whoever asks. Money paid by card goes back at once (Stripe or
    the demo); money paid by bank transfer stays "to refund" until an admin sends it back
    and records the transfer, so no refund is claimed before it is made."""
    now = now or utcnow()
    routing.cancel(session, sub_order, actor_id, reason, by_buyer=by_buyer, now=now)
    refundable = refunds.refundable_amount(sub_order)
    if refundable > 0 and refunds.automatic_method(sub_order.order) is not None:
        refunds.refund_sub_order(
            session,
            sub_order,
            refundable,
            reason,
            actor_id,
            idempotency_key=f"cancel-po{sub_order.id}",
            now=now,
        )

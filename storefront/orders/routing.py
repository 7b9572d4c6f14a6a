"""The sub-order status machine: placed → confirmed → packed → shipped → delivered, or cancelled.

Each cooperative moves only its own sub-order. Transitions are plain functions
that take the sub-order, the actor and the time; they flush, never commit.
Shipping consumes the reserved stock; cancelling releases it; delivery posts the
payout ledger. The buyer hears about each step by email after the commit.

Every move is one conditional UPDATE (`WHERE id = :id AND status IN (:sources)`)
whose row count decides, taken under the order's row lock: of ten identical
clicks arriving together exactly one moves the sub-order, and only that one
touches stock, the ledger or the mail; the others get the same InvalidTransition
as a click arriving later. Locks are always taken in one order (the order, then
its sub-orders, then products by id), so transitions, payments and refunds
racing each other queue instead of deadlocking.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..clock import utcnow
from ..errors import InvalidTransition, ValidationFailed
from ..mail import queue_email
from ..producers import inventory, ledger
from ..promotions import services as promotion_services
from .models import (
    Order,
    OrderEvent,
    PaymentMethod,
    PaymentStatus,
    ProducerOrder,
    SubOrderStatus,
)

S = SubOrderStatus

ALLOWED = {
    S.PLACED: {S.CONFIRMED, S.CANCELLED},
    S.CONFIRMED: {S.PACKED, S.CANCELLED},
    S.PACKED: {S.SHIPPED, S.CANCELLED},
    S.SHIPPED: {S.DELIVERED},
    S.DELIVERED: set(),
    S.CANCELLED: set(),
}
# Where each status can be reached from: the WHERE clause of the conditional UPDATE.
SOURCES = {
    target: frozenset(source for source, targets in ALLOWED.items() if target in targets)
    for target in SubOrderStatus
}
# A buyer may cancel until the cooperative has packed the parcel.
BUYER_CANCELLABLE = {S.PLACED, S.CONFIRMED}
# Money is settled (or will be, at the door): the cooperative may start work.
SETTLED_PAYMENT = {PaymentStatus.PAID, PaymentStatus.COD, PaymentStatus.PARTIALLY_REFUNDED}


def can_move(sub_order: ProducerOrder, target: SubOrderStatus) -> bool:
    return target in ALLOWED[sub_order.status]


def lock_order(session: Session, order: Order) -> Order:
    """Take the order's row lock (FOR NO KEY UPDATE: inserts that merely reference the order
    still pass) and reload it, so what is checked next is the committed state."""
    session.flush()
    session.execute(
        select(Order.id).where(Order.id == order.id).with_for_update(key_share=True)
    ).one()
    session.refresh(order)
    return order


def claim(
    session: Session,
    sub_order: ProducerOrder,
    target: SubOrderStatus,
    now: datetime,
    sources=None,
) -> bool:
    """Move the sub-order to `target` if, in the database, it is still in one of `sources`.

    True for the one request that moved it; the loaded object is reloaded either way.
    """
    result = session.execute(
        update(ProducerOrder)
        .where(
            ProducerOrder.id == sub_order.id,
            ProducerOrder.status.in_(sources if sources is not None else SOURCES[target]),
        )
        .values({"status": target, f"{target.value}_at": now}),
        execution_options={"synchronize_session": False},
    )
    session.refresh(sub_order)
    return result.rowcount == 1


def _refuse(sub_order: ProducerOrder, target: SubOrderStatus) -> InvalidTransition:
    return InvalidTransition(
        _l(
            "This sub-order is %(current)s and cannot become %(target)s.",
            current=sub_order.status.label,
            target=target.label,
        )
    )


def _record(
    session: Session,
    sub_order: ProducerOrder,
    target: SubOrderStatus,
    actor_id: int | None,
    message: str = "",
    data: dict | None = None,
) -> None:
    session.add(
        OrderEvent(
            order_id=sub_order.order_id,
            producer_order_id=sub_order.id,
            kind=f"sub_order_{target.value}",
            message=message,
            data=data,
            actor_id=actor_id,
        )
    )
    session.flush()


def _move(
    session: Session,
    sub_order: ProducerOrder,
    target: SubOrderStatus,
    actor_id: int | None,
    now: datetime,
    data: dict | None = None,
) -> None:
    if not claim(session, sub_order, target, now):
        raise _refuse(sub_order, target)
    _record(session, sub_order, target, actor_id, data=data)


def _live_statuses(session: Session, order: Order) -> list[SubOrderStatus]:
    """The statuses of the order's sub-orders as committed (read under the order's lock)."""
    return list(
        session.scalars(select(ProducerOrder.status).where(ProducerOrder.order_id == order.id))
    )


def _notify_buyer(sub_order: ProducerOrder, template: str = "sub_order_status") -> None:
    order = sub_order.order
    queue_email(
        order.email,
        _l(
            "Order %(number)s: %(producer)s — %(status)s",
            number=order.number,
            producer=sub_order.producer_name,
            status=sub_order.status.label,
        ),
        template,
        locale=order.locale,
        order=order,
        sub_order=sub_order,
        status_label=sub_order.status.label,
    )


def confirm(
    session: Session, sub_order: ProducerOrder, actor_id: int | None, now: datetime | None = None
) -> None:
    order = lock_order(session, sub_order.order)
    if order.payment_status not in SETTLED_PAYMENT:
        raise InvalidTransition(_l("This order is waiting for payment; do not prepare it yet."))
    _move(session, sub_order, S.CONFIRMED, actor_id, now or utcnow())
    _notify_buyer(sub_order)


def pack(
    session: Session, sub_order: ProducerOrder, actor_id: int | None, now: datetime | None = None
) -> None:
    lock_order(session, sub_order.order)
    _move(session, sub_order, S.PACKED, actor_id, now or utcnow())


def ship(
    session: Session,
    sub_order: ProducerOrder,
    actor_id: int | None,
    carrier: str,
    tracking_number: str,
    now: datetime | None = None,
) -> None:
    carrier, tracking_number = carrier.strip(), tracking_number.strip()
    if not carrier or not tracking_number:
        raise ValidationFailed(_l("Enter the carrier and the tracking number."))
    lock_order(session, sub_order.order)
    _move(
        session,
        sub_order,
        S.SHIPPED,
        actor_id,
        now or utcnow(),
        data={"carrier": carrier, "tracking_number": tracking_number},
    )
    sub_order.carrier, sub_order.tracking_number = carrier, tracking_number
    inventory.consume_lines(session, sub_order.lines, sub_order.id)
    _notify_buyer(sub_order)


def deliver(
    session: Session,
    sub_order: ProducerOrder,
    actor_id: int | None,
    cash_received: bool = False,
    now: datetime | None = None,
) -> None:
    """Mark delivered. For cash on delivery the cash must have been received: that is payment."""
    now = now or utcnow()
    is_cod = sub_order.order.payment_method is PaymentMethod.COD
    if is_cod and not cash_received:
        raise ValidationFailed(_l("Confirm that the cash was received before marking delivered."))
    order = lock_order(session, sub_order.order)
    _move(session, sub_order, S.DELIVERED, actor_id, now)
    if is_cod:
        sub_order.cash_received = True
        sub_order.paid_at = now
        _settle_cod_order_if_complete(session, order, now)
    ledger.post_delivery(session, sub_order)
    _notify_buyer(sub_order)
    from ..tasks import enqueue

    enqueue("storefront.invite_review", sub_order.id)  # one email asking for a review


def _settle_cod_order_if_complete(session: Session, order: Order, now: datetime) -> None:
    """A COD order is paid once every sub-order that was not cancelled has been delivered."""
    live = [status for status in _live_statuses(session, order) if status is not S.CANCELLED]
    if live and all(status is S.DELIVERED for status in live):
        order.payment_status = PaymentStatus.PAID
        order.paid_at = now


def cancel(
    session: Session,
    sub_order: ProducerOrder,
    actor_id: int | None,
    reason: str,
    by_buyer: bool = False,
    now: datetime | None = None,
) -> None:
    """Cancel and return the reserved stock. Refunding paid money is the refund service's job."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(_l("Give a reason for the cancellation."))
    now = now or utcnow()
    order = lock_order(session, sub_order.order)
    if by_buyer and not claim(session, sub_order, S.CANCELLED, now, BUYER_CANCELLABLE):
        if sub_order.status is S.CANCELLED:
            raise _refuse(sub_order, S.CANCELLED)
        raise InvalidTransition(
            _l("This part of the order is already packed; contact the cooperative.")
        )
    if not by_buyer and not claim(session, sub_order, S.CANCELLED, now):
        raise _refuse(sub_order, S.CANCELLED)
    _record(session, sub_order, S.CANCELLED, actor_id, message=reason)
    sub_order.cancel_reason = reason
    inventory.release_lines(session, sub_order.lines, sub_order.id)
    if all(status is S.CANCELLED for status in _live_statuses(session, order)):
        if order.payment_status in (PaymentStatus.PENDING, PaymentStatus.COD):
            order.payment_status = PaymentStatus.CANCELLED
        order.reservation_expires_at = None
        # The whole order is cancelled: its vouchers' uses go back (once, conditionally).
        promotion_services.release_uses(session, order, now)
    elif order.payment_method is PaymentMethod.COD:
        _settle_cod_order_if_complete(session, order, now)
    _notify_buyer(sub_order)

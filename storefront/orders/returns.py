"""Returns: a buyer sends lines of a delivered sub-order back, within the return window.

    requested ─► accepted ─► received ─► refunded
        │            ▲
        ▼            │ (an admin decides)
     refused ─► escalated ─► closed

Each step is a conditional UPDATE on the request's status, so a double submit or two
people deciding at once do one thing. The quantities asked for are claimed on the order
lines (`returned_quantity`), so a line is never returned twice; a final "no" gives them
back. When the goods arrive the cooperative says whether they go back into stock (a
stock movement), and the refund follows: at once for a card paid online, otherwise
when an admin records the bank transfer. Every step is on the order's timeline, emailed
to whoever acts next, and in the audit log.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.orm import Session

from ..admin import audit
from ..catalogue.images import store_image
from ..clock import utcnow
from ..errors import InvalidTransition, NotFound, ValidationFailed
from ..mail import queue_email
from ..producers import inventory
from ..producers.models import StockReason
from ..producers.notify import producer_recipients
from ..storage import FilesystemStorage
from . import emails, refunds
from .models import (
    Order,
    OrderEvent,
    OrderLine,
    ProducerOrder,
    ReturnLine,
    ReturnPhoto,
    ReturnRequest,
    ReturnStatus,
    SubOrderStatus,
)

R = ReturnStatus
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

REASONS = {
    "damaged": _l("Arrived damaged"),
    "wrong_item": _l("Wrong product sent"),
    "not_as_described": _l("Not as described"),
    "quality": _l("Quality problem (taste, freshness)"),
    "changed_mind": _l("Changed my mind"),
    "other": _l("Another reason"),
}


@dataclass(frozen=True)
class ReturnSettings:
    window_days: int
    photo_folder: str
    max_photos: int
    max_pixels: int

    @classmethod
    def from_config(cls, config) -> "ReturnSettings":
        return cls(
            window_days=int(config.get("RETURN_WINDOW_DAYS", 7)),
            photo_folder=config["RETURN_PHOTO_FOLDER"],
            max_photos=int(config.get("RETURN_MAX_PHOTOS", 4)),
            max_pixels=int(config.get("UPLOAD_MAX_PIXELS", 40_000_000)),
        )


def _text(value: str | None, max_length: int, message) -> str:
    value = (value or "").strip()
    if len(value) > max_length or _CONTROL.search(value):
        raise ValidationFailed(message)
    return value


def window_ends(sub_order: ProducerOrder, settings: ReturnSettings) -> datetime | None:
    if sub_order.delivered_at is None:
        return None
    return sub_order.delivered_at + timedelta(days=settings.window_days)


def returnable_quantity(line: OrderLine) -> int:
    """Units not yet in a return and not refunded otherwise."""
    return max(line.quantity - max(line.returned_quantity, line.refunded_quantity), 0)


def can_request(sub_order: ProducerOrder, settings: ReturnSettings, now: datetime) -> bool:
    ends = window_ends(sub_order, settings)
    return (
        sub_order.status is SubOrderStatus.DELIVERED
        and ends is not None
        and now <= ends
        and any(returnable_quantity(line) > 0 for line in sub_order.lines)
    )


def _event(session, ret: ReturnRequest, kind: str, message="", actor_id=None, **data):
    session.add(
        OrderEvent(
            order_id=ret.order_id,
            producer_order_id=ret.producer_order_id,
            kind=kind,
            message=str(message)[:1000],
            data={"return_id": ret.id, **data},
            actor_id=actor_id,
        )
    )


def _move(session: Session, ret: ReturnRequest, allowed: set[ReturnStatus], target, **values):
    """The one place a return changes status: only from `allowed`, and only once."""
    result = session.execute(
        update(ReturnRequest)
        .where(ReturnRequest.id == ret.id, ReturnRequest.status.in_(allowed))
        .values(status=target, **values),
        execution_options={"synchronize_session": False},
    )
    session.refresh(ret)
    if result.rowcount != 1:
        raise InvalidTransition(
            _l(
                "This return is now “%(status)s”; reload the page.",
                status=ret.status.label,
            )
        )


def _audit(session, actor_id, action: str, ret: ReturnRequest, before: ReturnStatus, **after):
    audit.record(
        session,
        actor_id,
        action,
        ret,
        {"status": before.value},
        {"status": ret.status.value, "order": ret.order.number, **after},
    )


def _tell_buyer(ret: ReturnRequest) -> None:
    order = ret.order
    emails.return_update(order, ret, ret.status.label, REASONS)


def _tell_cooperative(ret: ReturnRequest) -> None:
    for recipient in producer_recipients(ret.producer_order.producer):
        queue_email(
            recipient,
            _l(
                "Return for order %(number)s: %(status)s",
                number=ret.order.number,
                status=ret.status.label,
            ),
            "return_producer",
            locale="vi",
            order=ret.order,
            ret=ret,
            status_label=ret.status.label,
            reason_label=REASONS.get(ret.reason_code, ret.reason_code),
        )


def request_return(
    session: Session,
    order: Order,
    sub_order: ProducerOrder,
    quantities: dict[int, int],
    reason_code: str,
    reason_text: str,
    photos: list[bytes],
    actor_id: int | None,
    settings: ReturnSettings,
    now: datetime | None = None,
) -> ReturnRequest:
    now = now or utcnow()
    if sub_order.order_id != order.id:
        raise NotFound()
    if sub_order.status is not SubOrderStatus.DELIVERED:
        raise InvalidTransition(_l("Only delivered items can be returned."))
    ends = window_ends(sub_order, settings)
    if ends is None or now > ends:
        raise InvalidTransition(
            _l(
                "The return window of %(days)d days after delivery has ended.",
                days=settings.window_days,
            )
        )
    if reason_code not in REASONS:
        raise ValidationFailed(_l("Choose a reason for the return."))
    reason_text = _text(reason_text, 1000, _l("Describe the problem in at most 1000 characters."))
    if reason_code == "other" and not reason_text:
        raise ValidationFailed(_l("Describe the problem in a few words."))
    if len(photos) > settings.max_photos:
        raise ValidationFailed(_l("Attach at most %(n)d photos.", n=settings.max_photos))
    by_id = {line.id: line for line in sub_order.lines}
    chosen: dict[OrderLine, int] = {}
    for line_id, quantity in quantities.items():
        line = by_id.get(line_id)
        if line is None:
            raise ValidationFailed(_l("That product is not part of this order."))
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            raise ValidationFailed(_l("Enter whole quantities, zero or more."))
        if quantity == 0:
            continue
        if quantity > returnable_quantity(line):
            raise ValidationFailed(
                _l(
                    "%(product)s: at most %(n)d can be returned.",
                    product=line.product_name,
                    n=returnable_quantity(line),
                )
            )
        chosen[line] = quantity
    if not chosen:
        raise ValidationFailed(_l("Choose at least one product and how many to return."))

    for line, quantity in sorted(chosen.items(), key=lambda item: item[0].id):
        won = session.execute(
            update(OrderLine)
            .where(
                OrderLine.id == line.id,
                OrderLine.returned_quantity + quantity <= OrderLine.quantity,
                OrderLine.refunded_quantity + quantity <= OrderLine.quantity,
            )
            .values(returned_quantity=OrderLine.returned_quantity + quantity),
            execution_options={"synchronize_session": False},
        )
        if won.rowcount != 1:
            raise ValidationFailed(
                _l("%(product)s is already being returned.", product=line.product_name)
            )
        session.refresh(line)
    ret = ReturnRequest(
        order_id=order.id,
        producer_order_id=sub_order.id,
        reason_code=reason_code,
        reason_text=reason_text,
        requested_by_id=actor_id,
        lines=[
            ReturnLine(order_line_id=line.id, quantity=quantity)
            for line, quantity in sorted(chosen.items(), key=lambda item: item[0].id)
        ],
    )
    session.add(ret)
    session.flush()
    for data in photos:
        # Private photos stay on the server's disk, outside the public media store.
        stored = store_image(
            data, FilesystemStorage(settings.photo_folder), f"r{ret.id}", settings.max_pixels
        )
        ret.photos.append(
            ReturnPhoto(filename=stored.filename, thumb_filename=stored.thumb_filename)
        )
    _event(
        session,
        ret,
        "return_requested",
        reason_text or REASONS[reason_code],
        actor_id,
        lines={str(line.id): quantity for line, quantity in chosen.items()},
    )
    session.flush()
    _audit(session, actor_id, "return.request", ret, R.REQUESTED, reason=reason_code)
    _tell_buyer(ret)
    _tell_cooperative(ret)
    return ret


def _release_lines(session: Session, ret: ReturnRequest) -> None:
    """A final "no": the quantities may be asked for again (within the window)."""
    for rl in sorted(ret.lines, key=lambda rl: rl.order_line_id):
        session.execute(
            update(OrderLine)
            .where(OrderLine.id == rl.order_line_id, OrderLine.returned_quantity >= rl.quantity)
            .values(returned_quantity=OrderLine.returned_quantity - rl.quantity),
            execution_options={"synchronize_session": False},
        )
        session.refresh(rl.order_line)


def accept(
    session: Session,
    ret: ReturnRequest,
    instructions: str,
    actor_id: int | None,
    now: datetime | None = None,
    by_admin: bool = False,
) -> None:
    instructions = _text(
        instructions, 1000, _l("Write the return instructions in at most 1000 characters.")
    )
    if not instructions:
        raise ValidationFailed(_l("Tell the buyer how to send the goods back."))
    before = ret.status
    allowed = {R.ESCALATED} if by_admin else {R.REQUESTED}
    _move(session, ret, allowed, R.ACCEPTED, instructions=instructions, decided_at=now or utcnow())
    _event(session, ret, "return_accepted", instructions, actor_id)
    session.flush()
    _audit(session, actor_id, "return.accept", ret, before, by_admin=by_admin)
    _tell_buyer(ret)
    if by_admin:
        _tell_cooperative(ret)


def refuse(
    session: Session,
    ret: ReturnRequest,
    reason: str,
    actor_id: int | None,
    now: datetime | None = None,
) -> None:
    reason = _text(reason, 500, _l("Give the reason in at most 500 characters."))
    if not reason:
        raise ValidationFailed(_l("Give the buyer a reason for refusing."))
    _move(session, ret, {R.REQUESTED}, R.REFUSED, refusal_reason=reason, decided_at=now or utcnow())
    _event(session, ret, "return_refused", reason, actor_id)
    session.flush()
    _audit(session, actor_id, "return.refuse", ret, R.REQUESTED, reason=reason)
    _tell_buyer(ret)


def escalate(
    session: Session,
    ret: ReturnRequest,
    note: str,
    actor_id: int | None,
    admin_emails: list[str],
    now: datetime | None = None,
) -> None:
    note = _text(note, 1000, _l("Write at most 1000 characters."))
    if not note:
        raise ValidationFailed(_l("Tell the admin why the refusal is wrong."))
    _move(
        session, ret, {R.REFUSED}, R.ESCALATED, escalation_note=note, escalated_at=now or utcnow()
    )
    _event(session, ret, "return_escalated", note, actor_id)
    session.flush()
    _audit(session, actor_id, "return.escalate", ret, R.REFUSED)
    _tell_buyer(ret)
    for recipient in admin_emails:
        queue_email(
            recipient,
            _l("Return for order %(number)s needs a decision", number=ret.order.number),
            "return_producer",
            locale="vi",
            order=ret.order,
            ret=ret,
            status_label=ret.status.label,
            reason_label=REASONS.get(ret.reason_code, ret.reason_code),
        )


def close(session: Session, ret: ReturnRequest, note: str, actor_id: int | None) -> None:
    """An admin upholds the cooperative's refusal."""
    note = _text(note, 1000, _l("Write at most 1000 characters."))
    if not note:
        raise ValidationFailed(_l("Tell the buyer why the return is refused."))
    _move(session, ret, {R.ESCALATED}, R.CLOSED, admin_note=note)
    _release_lines(session, ret)
    _event(session, ret, "return_closed", note, actor_id)
    session.flush()
    _audit(session, actor_id, "return.close", ret, R.ESCALATED)
    _tell_buyer(ret)
    _tell_cooperative(ret)


def return_value(ret: ReturnRequest) -> int:
    # What the buyer paid for those units: their price less their share of any voucher.
    return sum(refunds.line_refund_value(rl.order_line, rl.quantity) for rl in ret.lines)


def receive(
    session: Session,
    ret: ReturnRequest,
    restock: bool,
    actor_id: int | None,
    now: datetime | None = None,
) -> None:
    """The goods are back. Restock if asked; a card paid online is refunded at once."""
    now = now or utcnow()
    _move(session, ret, {R.ACCEPTED}, R.RECEIVED, received_at=now, restocked=bool(restock))
    if restock:
        back: dict[int, int] = {}
        for rl in ret.lines:
            variant_id = rl.order_line.variant_id
            if variant_id is not None:  # a deleted variant has no shelf to go back to
                back[variant_id] = back.get(variant_id, 0) + rl.quantity
        if back:
            inventory.restock_many(
                session,
                back,
                StockReason.RETURN,
                note=f"{ret.order.number} #{ret.id}"[:255],
                user_id=actor_id,
            )
    _event(session, ret, "return_received", "", actor_id, restocked=bool(restock))
    session.flush()
    _audit(session, actor_id, "return.receive", ret, R.ACCEPTED, restocked=bool(restock))
    if refunds.automatic_method(ret.order) is not None:
        refund_return(session, ret, actor_id, now=now)
    else:
        _tell_buyer(ret)


def refund_return(
    session: Session,
    ret: ReturnRequest,
    actor_id: int | None,
    bank_reference: str | None = None,
    paid_on: date | None = None,
    now: datetime | None = None,
) -> None:
    """Refund the returned lines: automatically for a card, else the bank transfer sent."""
    if ret.status is not R.RECEIVED:
        raise InvalidTransition(_l("Refund a return once its goods were received."))
    amount = min(return_value(ret), refunds.refundable_amount(ret.producer_order))
    if amount <= 0:
        raise ValidationFailed(_l("Nothing is left to refund for this part of the order."))
    refund = refunds.refund_sub_order(
        session,
        ret.producer_order,
        amount,
        str(_l("Return #%(id)d", id=ret.id)),
        actor_id,
        idempotency_key=f"return-{ret.id}",
        now=now,
        lines={rl.order_line_id: rl.quantity for rl in ret.lines},
        bank_reference=bank_reference,
        paid_on=paid_on,
    )
    _move(session, ret, {R.RECEIVED}, R.REFUNDED, refund_id=refund.id, refunded_at=now or utcnow())
    _event(session, ret, "return_refunded", "", actor_id, refund_id=refund.id, amount=amount)
    session.flush()
    _audit(session, actor_id, "return.refund", ret, R.RECEIVED, amount=amount, method=refund.method)
    _tell_cooperative(ret)

"""Refunds per sub-order, full or partial, idempotent and recorded everywhere they count:
a Refund row, the sub-order's and the order's refunded totals, the order's payment
state, the order timeline and the producer's payout ledger.

Card refunds go through Stripe with the same idempotency key as the Refund row,
so a retry after a crash between Stripe's answer and our commit cannot pay twice.
A card paid on the demo page is refunded the same way, labelled "demo": no money moves.
Bank-transfer and cash-on-delivery money goes back by bank transfer: an admin sends
it, then records the amount, the bank reference and the day ("bank_transfer").

A refund may name lines and quantities; each line's refunded quantity is claimed
with a conditional UPDATE, so a line is never refunded twice.
"""

import re
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..clock import today_vn, utcnow
from ..errors import ValidationFailed
from ..money import format_vnd
from ..producers import ledger
from . import emails, payments, routing
from .models import (
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    PaymentMethod,
    PaymentStatus,
    ProducerOrder,
    Refund,
    RefundLine,
)
from .totals import PAID_STATES, paid_amount


def refundable_amount(sub_order: ProducerOrder) -> int:
    return max(paid_amount(sub_order) - sub_order.refunded_amount, 0)


REFUND_METHODS = ("stripe", "demo", "bank_transfer", "manual")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def default_idempotency_key(sub_order: ProducerOrder, amount: int) -> str:
    # The same request against the same state gets the same key: a double submit refunds once.
    return f"po{sub_order.id}-after{sub_order.refunded_amount}-amt{amount}"


def card_payment(order: Order) -> Payment | None:
    return next(
        (p for p in reversed(order.payments) if p.method is PaymentMethod.CARD),
        None,
    )


def automatic_method(order: Order) -> str | None:
    """How this order's money goes back without anyone sending it: "stripe" or "demo"
    for a card paid online, None when an admin must send a bank transfer."""
    if order.payment_method is not PaymentMethod.CARD:
        return None
    payment = card_payment(order)
    if payment is None:
        return None
    if payment.provider == "demo":
        return "demo"
    return "stripe" if payment.payment_intent_id else None


def line_refund_value(line: OrderLine, quantity: int) -> int:
    """What `quantity` more of `line` cost the buyer: the price less that many units' share
    of the line's voucher discount (pro rata, rounded down, so the last unit refunded takes
    what is left and the shares add up to the line's discount exactly)."""
    done, total = line.refunded_quantity, line.quantity
    share = line.discount * (done + quantity) // total - line.discount * done // total
    return line.unit_price * quantity - share


def line_shop_share(line: OrderLine, quantity: int) -> int:
    """The shop-funded part of `quantity` more units' voucher share, by the same rule."""
    done, total = line.refunded_quantity, line.quantity
    return line.shop_discount * (done + quantity) // total - line.shop_discount * done // total


def shop_share_of(sub_order: ProducerOrder, before: int, after: int) -> int:
    """For a refund of an amount (no lines): the shop's goods share pro rata of the goods
    paid, then its shipping share once the refunds reach the shipping fee; refunding the
    whole sub-order gives back exactly its shop share."""

    def share(refunded: int) -> int:
        goods, shipping = sub_order.subtotal, sub_order.shipping_fee
        on_goods = min(refunded, goods)
        taken = (
            sub_order.shop_goods_discount * on_goods // goods
            if goods > 0
            else (sub_order.shop_goods_discount if refunded > 0 else 0)
        )
        if refunded > goods and shipping > 0:
            on_shipping = min(refunded - goods, shipping)
            taken += sub_order.shop_shipping_discount * on_shipping // shipping
        return taken

    return share(after) - share(before)


def _line_amounts(sub_order: ProducerOrder, lines: dict[int, int]) -> dict[OrderLine, int]:
    by_id = {line.id: line for line in sub_order.lines}
    chosen: dict[OrderLine, int] = {}
    for line_id, quantity in lines.items():
        line = by_id.get(line_id)
        if line is None:
            raise ValidationFailed(_l("That product is not part of this order."))
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            raise ValidationFailed(_l("Enter whole quantities, zero or more."))
        if quantity == 0:
            continue
        left = line.quantity - line.refunded_quantity
        if left <= 0:
            raise ValidationFailed(
                _l("%(product)s was already refunded in full.", product=line.product_name)
            )
        if quantity > left:
            raise ValidationFailed(
                _l(
                    "At most %(n)d of %(product)s can still be refunded.",
                    n=left,
                    product=line.product_name,
                )
            )
        chosen[line] = quantity
    if not chosen:
        raise ValidationFailed(_l("Choose at least one product and how many to refund."))
    return chosen


def _clean_bank_details(bank_reference: str | None, paid_on, order: Order, today: date):
    reference = (bank_reference or "").strip()
    if not reference or paid_on is None:
        raise ValidationFailed(
            _l("Enter the bank reference and the day of the refund transfer you sent.")
        )
    if len(reference) > 64 or _CONTROL.search(reference):
        raise ValidationFailed(_l("The bank reference is at most 64 plain characters."))
    if not isinstance(paid_on, date) or isinstance(paid_on, datetime):
        raise ValidationFailed(_l("Enter the day of the transfer as a date."))
    if paid_on > today or paid_on < order.created_at.date():
        raise ValidationFailed(_l("The transfer day must be between the order day and today."))
    return reference


def refund_sub_order(
    session: Session,
    sub_order: ProducerOrder,
    amount: int | None,
    reason: str,
    actor_id: int | None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
    config=None,
    *,
    lines: dict[int, int] | None = None,
    bank_reference: str | None = None,
    paid_on: date | None = None,
) -> Refund:
    """Refund `amount` đồng of one sub-order (or, with `lines`, those quantities of its lines).

    A card paid online goes back automatically (Stripe, or the demo); otherwise the admin
    has sent a bank transfer and gives its reference and day. A repeated idempotency key
    returns the first Refund and changes nothing."""
    now = now or utcnow()
    config = config if config is not None else current_app.config
    # Under the order's lock a concurrent twin of this request has either committed its
    # Refund (found below by its key) or not started: never both halfway.
    routing.lock_order(session, sub_order.order)
    session.refresh(sub_order)
    if idempotency_key:
        existing = session.scalar(select(Refund).where(Refund.idempotency_key == idempotency_key))
        if existing is not None:
            if existing.producer_order_id != sub_order.id or (
                amount is not None and existing.amount != amount
            ):
                raise ValidationFailed(_l("This refund key was already used for another refund."))
            return existing
    chosen = _line_amounts(sub_order, lines) if lines else {}
    lines_value = sum(line_refund_value(line, quantity) for line, quantity in chosen.items())
    if amount is None and chosen:
        amount = lines_value
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationFailed(_l("Enter a refund amount in whole đồng, above zero."))
    if chosen and amount > lines_value:
        raise ValidationFailed(
            _l(
                "The products chosen are worth %(amount)s; refund at most that.",
                amount=format_vnd(lines_value),
            )
        )
    reason = (reason or "").strip()
    if not reason or _CONTROL.search(reason):
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
    method = "bank_transfer" if bank_reference or paid_on else automatic_method(order)
    if method is None:
        if order.payment_method is PaymentMethod.CARD:
            raise ValidationFailed(
                _l(
                    "The card payment of this order is not known: send a bank transfer, "
                    "then record its reference and day."
                )
            )
        method = "bank_transfer"
    if method == "bank_transfer":
        bank_reference = _clean_bank_details(bank_reference, paid_on, order, today_vn())
    key = idempotency_key or default_idempotency_key(sub_order, amount)

    refunded_before = sub_order.refunded_amount
    line_values = {line.id: line_refund_value(line, quantity) for line, quantity in chosen.items()}
    if chosen:
        # The lines' own shop shares; an amount below the lines' value takes its part of them.
        lines_shop = sum(line_shop_share(line, quantity) for line, quantity in chosen.items())
        shop_share = lines_shop * amount // lines_value if lines_value else 0
    else:
        shop_share = shop_share_of(sub_order, refunded_before, refunded_before + amount)
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
    for line, quantity in sorted(chosen.items(), key=lambda item: item[0].id):
        won = session.execute(
            update(OrderLine)
            .where(
                OrderLine.id == line.id,
                OrderLine.refunded_quantity + quantity <= OrderLine.quantity,
            )
            .values(refunded_quantity=OrderLine.refunded_quantity + quantity),
            execution_options={"synchronize_session": False},
        )
        if won.rowcount != 1:
            raise ValidationFailed(
                _l("%(product)s was already refunded in full.", product=line.product_name)
            )
    session.execute(
        update(Order)
        .where(Order.id == order.id)
        .values(refunded_total=Order.refunded_total + amount),
        execution_options={"synchronize_session": False},
    )
    session.refresh(sub_order)
    session.refresh(order)
    for line in chosen:
        session.refresh(line)

    provider_refund_id = None
    if method == "stripe":
        payment = card_payment(order)
        provider_refund_id = payments.create_refund(config, payment.payment_intent_id, amount, key)
    elif method == "demo":
        provider_refund_id = f"demo_re_{key}"[:255]

    refund = Refund(
        order_id=order.id,
        producer_order_id=sub_order.id,
        amount=amount,
        reason=reason[:255],
        method=method,
        provider_refund_id=provider_refund_id,
        idempotency_key=key,
        created_by_id=actor_id,
        bank_reference=bank_reference if method == "bank_transfer" else None,
        paid_on=paid_on if method == "bank_transfer" else None,
        lines=[
            RefundLine(order_line_id=line.id, quantity=quantity, amount=line_values[line.id])
            for line, quantity in sorted(chosen.items(), key=lambda item: item[0].id)
        ],
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
            data={
                "amount": amount,
                "method": method,
                "key": key,
                "bank_reference": refund.bank_reference,
                "lines": {str(line.id): quantity for line, quantity in chosen.items()},
            },
            actor_id=actor_id,
        )
    )
    session.flush()
    ledger.post_refund(
        session,
        sub_order,
        amount,
        key,
        shop_share=shop_share,
    )
    emails.refund_recorded(order, sub_order, refund)
    return refund

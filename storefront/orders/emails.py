"""Order emails. Each is queued with mail.queue_email, so it leaves only after the commit.
A placed order's emails are written by a task after the order's commit (announce_placed).

A cooperative only ever receives its own sub-order: its lines, the delivery
address and the payment method, never the other cooperatives' parts.
"""

from datetime import timedelta
from urllib.parse import urlencode

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, exists, inspect, literal, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ..core.models import OutboundEmail
from ..extensions import db
from ..mail import mail_domain, message_id_for, queue_email
from ..producers.models import ProducerMember
from ..producers.notify import producer_recipients
from .labels import REFUND_METHOD_LABELS
from .models import Order, OrderEvent, PaymentMethod, ProducerOrder
from .totals import order_totals

PLACED_TASK = "storefront.order_placed_emails"
# The sweep leaves an order to its own task this long, and gives up on it after a day.
SWEEP_AFTER = timedelta(minutes=5)
SWEEP_WITHIN = timedelta(days=1)


def order_url(order: Order) -> str:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/orders/{order.number}?{urlencode({'token': order.access_token})}"


def _buyer(order: Order, subject, template: str, message_key=None, **context) -> None:
    queue_email(
        order.email,
        subject,
        template,
        locale=order.locale,
        message_key=message_key,
        order=order,
        order_url=order_url(order),
        method_label=order.payment_method.label,
        **context,
    )


def announce_placed(order: Order) -> None:
    """Ask for the new order's emails once it is committed. They are rendered by a task (a
    worker when there is a broker), not in the buyer's request."""
    from ..tasks import enqueue

    enqueue(PLACED_TASK, order.id)


def write_placed_emails(session, order_id: int) -> int:
    """The placed order's emails: the buyer's and, as a cash order is confirmed at once, each
    cooperative's. Their Message-IDs follow from the order, so a second run (a retry, a
    redelivery) finds them written and writes nothing. Returns how many were written."""
    order = session.scalar(
        select(Order)
        .where(Order.id == order_id)
        .options(
            selectinload(Order.sub_orders).joinedload(ProducerOrder.producer),
            selectinload(Order.sub_orders).selectinload(ProducerOrder.lines),
            selectinload(Order.lines),
            selectinload(Order.payments),
        )
    )
    if order is None:
        return 0
    key = f"order-{order.id}-placed"
    written = session.scalar(
        select(OutboundEmail.id).where(OutboundEmail.message_id == message_id_for(key))
    )
    if written is not None:
        return 0
    order_placed(order, message_key=key)
    if order.payment_method is PaymentMethod.COD:
        # Cash orders are confirmed at once: the cooperatives can start now.
        return 1 + new_sub_orders(order, message_key=key)
    return 1


def sweep_placed_emails(session, now, limit: int = 100) -> int:
    """Orders whose emails' task never reached a broker (the web process died between the
    commit and the send): write their emails now. Beat runs this every few minutes; an order
    is only looked at after SWEEP_AFTER, so a task still waiting in the queue goes first. Only
    orders marked at placing (their "placed" event) are swept, never older ones whose emails
    were written in the request. Returns how many emails were written."""
    key = literal("<order-") + cast(Order.id, String) + literal("-placed@") + mail_domain() + ">"
    due = session.scalars(
        select(Order.id)
        .join(OrderEvent, OrderEvent.order_id == Order.id)
        .where(
            OrderEvent.kind == "placed",
            OrderEvent.data["emails"].as_string() == PLACED_TASK,
            Order.created_at <= now - SWEEP_AFTER,
            Order.created_at > now - SWEEP_WITHIN,
            ~exists().where(OutboundEmail.message_id == key),
        )
        .order_by(Order.id)
        .limit(limit)
    ).all()
    return sum(write_placed_emails(session, order_id) for order_id in due)


def order_placed(order: Order, message_key: str | None = None) -> None:
    _buyer(
        order,
        _l("Order %(number)s received", number=order.number),
        "order_placed",
        message_key=message_key,
        bank=bank_details(order) if order.payment_method is PaymentMethod.BANK_TRANSFER else None,
    )


def load_recipients(order: Order) -> None:
    """Every cooperative's members and their accounts in one statement, not one per
    cooperative and one per member (the producers themselves are already loaded)."""
    producers = {so.producer_id: so.producer for so in order.sub_orders}.values()
    missing = [p for p in producers if "members" in inspect(p).unloaded]
    if not missing:
        return
    members: dict[int, list[ProducerMember]] = {p.id: [] for p in missing}
    for member in db.session.scalars(
        select(ProducerMember)
        .where(ProducerMember.producer_id.in_(members))
        .options(joinedload(ProducerMember.user))
        .order_by(ProducerMember.id)
    ):
        members[member.producer_id].append(member)
    for producer in missing:
        set_committed_value(producer, "members", members[producer.id])


def new_sub_orders(order: Order, message_key: str | None = None) -> int:
    """Tell each cooperative about its own part, once the order may be prepared. Returns how
    many emails were written."""
    load_recipients(order)
    written = 0
    for sub_order in order.sub_orders:
        for n, recipient in enumerate(producer_recipients(sub_order.producer)):
            written += 1
            # The cooperative's language is unknown; Vietnamese is the shop's default.
            queue_email(
                recipient,
                _l(
                    "New order %(number)s for %(producer)s",
                    number=order.number,
                    producer=sub_order.producer_name,
                ),
                "order_producer",
                locale="vi",
                message_key=f"{message_key}-{sub_order.id}-{n}" if message_key else None,
                order=order,
                sub_order=sub_order,
                method_label=order.payment_method.label,
            )
    return written


def order_paid(order: Order) -> None:
    _buyer(order, _l("Payment received for order %(number)s", number=order.number), "order_paid")


def payment_failed(order: Order) -> None:
    _buyer(
        order,
        _l("Payment failed for order %(number)s", number=order.number),
        "order_payment_failed",
    )


def order_expired(order: Order) -> None:
    _buyer(
        order,
        _l("Order %(number)s was cancelled: no payment", number=order.number),
        "order_expired",
    )


def refund_recorded(order: Order, sub_order: ProducerOrder, refund) -> None:
    _buyer(
        order,
        _l("Refund for order %(number)s", number=order.number),
        "order_refund",
        sub_order=sub_order,
        amount=refund.amount,
        refund=refund,
        refund_method_label=REFUND_METHOD_LABELS.get(refund.method, refund.method),
    )


def bank_details(order: Order) -> dict:
    config = current_app.config
    return {
        "bank_name": config["SHOP_BANK_NAME"],
        "bank_bin": config["SHOP_BANK_BIN"],
        "account": config["SHOP_BANK_ACCOUNT"],
        "account_name": config["SHOP_BANK_ACCOUNT_NAME"],
        "amount": order_totals(order).due,
        "reference": order.transfer_reference,
        "expires_at": order.reservation_expires_at,
    }


def return_update(order: Order, ret, status_label, reasons: dict) -> None:
    _buyer(
        order,
        _l(
            "Your return for order %(number)s: %(status)s", number=order.number, status=status_label
        ),
        "return_buyer",
        ret=ret,
        status_label=status_label,
        reason_label=reasons.get(ret.reason_code, ret.reason_code),
    )


def invoice_issued(order: Order, sub_order: ProducerOrder) -> None:
    _buyer(
        order,
        _l("VAT invoice for order %(number)s", number=order.number),
        "invoice_issued",
        sub_order=sub_order,
        invoice=sub_order.invoice,
    )

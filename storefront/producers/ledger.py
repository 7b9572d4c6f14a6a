"""The payout ledger: what the shop owes each producer, entry by entry.

Stripe has no self-serve payouts to Vietnamese accounts, so the shop settles by
bank transfer and keeps this ledger itself. The balance is the plain sum of
`amount`: positive means the shop owes the producer, negative means the
producer owes the shop (cash on delivery: the cooperative's carrier collected
the money, so it owes the commission).

A delivered sub-order posts:
  SALE           +its value before vouchers (goods and the shipping fee the producer paid)
  ADJUSTMENT     -the discount of the cooperative's own voucher (reference "voucher"):
                 a cooperative-funded discount lowers its payout; a shop-funded one does not
                 (the shop pays it, so the sale stays whole)
  COMMISSION     -rate × the goods as the ledger sells them: before the shop's voucher,
                 after the cooperative's own
  COD_COLLECTED  -total (what the buyer paid, after every voucher), when the producer's
                 carrier collected the cash
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import ValidationFailed
from ..money import apply_rate_bp
from ..orders.models import PaymentMethod, ProducerOrder
from .bank_details import check_payable
from .models import LedgerEntry, LedgerKind, Payout, Producer


def commission_base(producer_order: ProducerOrder) -> int:
    """The goods as the ledger sells them: what the buyer paid plus the shop's voucher share."""
    return producer_order.subtotal + producer_order.shop_goods_discount


def commission_for(producer_order: ProducerOrder) -> int:
    return apply_rate_bp(commission_base(producer_order), producer_order.commission_rate_bp)


def post_delivery(session: Session, producer_order: ProducerOrder) -> list[LedgerEntry]:
    """Post the sale of a delivered sub-order. The UNIQUE key makes a repeat impossible."""
    entries = [
        LedgerEntry(
            producer_id=producer_order.producer_id,
            producer_order_id=producer_order.id,
            kind=LedgerKind.SALE,
            amount=producer_order.total_before_discount,
            reference="",
        ),
        LedgerEntry(
            producer_id=producer_order.producer_id,
            producer_order_id=producer_order.id,
            kind=LedgerKind.COMMISSION,
            amount=-commission_for(producer_order),
            reference="",
        ),
    ]
    if producer_order.producer_discount:
        entries.append(
            LedgerEntry(
                producer_id=producer_order.producer_id,
                producer_order_id=producer_order.id,
                kind=LedgerKind.ADJUSTMENT,
                amount=-producer_order.producer_discount,
                reference="voucher",
                note="voucher",
            )
        )
    if producer_order.order.payment_method is PaymentMethod.COD:
        entries.append(
            LedgerEntry(
                producer_id=producer_order.producer_id,
                producer_order_id=producer_order.id,
                kind=LedgerKind.COD_COLLECTED,
                amount=-producer_order.total,
                reference="",
            )
        )
    session.add_all(entries)
    session.flush()
    return entries


def post_refund(
    session: Session,
    producer_order: ProducerOrder,
    amount: int,
    reference: str,
    shop_share: int = 0,
) -> list[LedgerEntry]:
    """A refund of a delivered sub-order reduces what the producer earned, commission included.
    `shop_share` is the shop-funded voucher discount on what was refunded: the shop had paid it
    to the producer with the sale, so it comes back too.

    Refunds before delivery touch no ledger: no sale was posted yet.
    """
    sale_posted = session.scalar(
        select(func.count())
        .select_from(LedgerEntry)
        .where(
            LedgerEntry.producer_order_id == producer_order.id,
            LedgerEntry.kind == LedgerKind.SALE,
        )
    )
    if not sale_posted:
        return []
    goods_refunded = min(amount + shop_share, commission_base(producer_order))
    entries = [
        LedgerEntry(
            producer_id=producer_order.producer_id,
            producer_order_id=producer_order.id,
            kind=LedgerKind.REFUND,
            amount=-(amount + shop_share),
            reference=reference,
        ),
        LedgerEntry(
            producer_id=producer_order.producer_id,
            producer_order_id=producer_order.id,
            kind=LedgerKind.COMMISSION,
            amount=apply_rate_bp(goods_refunded, producer_order.commission_rate_bp),
            reference=f"refund:{reference}",
        ),
    ]
    session.add_all(entries)
    session.flush()
    return entries


def balance(session: Session, producer_id: int, *conditions) -> int:
    """What the shop owes the producer (negative: what the producer owes the shop).

    Extra conditions narrow the entries summed, e.g. to a period or a kind.
    """
    total = session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
            LedgerEntry.producer_id == producer_id, *conditions
        )
    )
    return int(total)


def record_payout(
    session: Session, producer: Producer, amount: int, bank_reference: str, actor_id: int | None
) -> Payout:
    check_payable(producer)
    if amount <= 0:
        raise ValidationFailed(_l("A payout must be a positive amount."))
    if not bank_reference.strip():
        raise ValidationFailed(_l("Enter the bank reference of the transfer."))
    payout = Payout(
        producer_id=producer.id,
        amount=amount,
        bank_reference=bank_reference.strip(),
        created_by_id=actor_id,
    )
    session.add(payout)
    session.flush()
    session.add(
        LedgerEntry(
            producer_id=producer.id,
            kind=LedgerKind.PAYOUT,
            amount=-amount,
            reference=payout.bank_reference,
            payout_id=payout.id,
            created_by_id=actor_id,
        )
    )
    session.flush()
    return payout

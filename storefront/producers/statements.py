"""A producer's payout statement for a period, shared by the dashboard and the admin.

Periods are calendar days in Vietnam (start and end inclusive); timestamps are
stored as naive UTC, so the bounds are converted once here.

Per delivered sub-order:
  gross          the sub-order's value before vouchers (goods + the shipping fee the
                 producer paid)
  own_discount   the discount of the producer's own voucher: it lowers the payout
  shop_discount  the discount of the shop's voucher: shown, paid by the shop, not deducted
  commission     the shop's cut of the goods (before the shop's voucher, after the
                 producer's own), at the rate snapshotted on the sub-order
  net            gross - own_discount - commission
  cod_collected  the cash the producer's carrier already took from the buyer (after every
                 voucher)

`due` = net - cod_collected + refunds: positive, the shop owes the producer for
the period; negative, the producer owes the shop its commission on cash sales.
`voucher_lines` lists each voucher on those sub-orders: its code, who funds it, its amount.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..clock import VN_TZ
from ..orders.models import PaymentMethod, ProducerOrder, Refund, SubOrderStatus
from . import ledger
from .models import LedgerEntry, LedgerKind, Payout, Producer


def vn_day_start_utc(day: date) -> datetime:
    """Midnight in Hà Nội on `day`, as the naive UTC the database stores."""
    return datetime.combine(day, time.min, tzinfo=VN_TZ).astimezone(UTC).replace(tzinfo=None)


def to_vn_date(moment: datetime) -> date:
    return moment.replace(tzinfo=UTC).astimezone(VN_TZ).date()


@dataclass(frozen=True)
class StatementLine:
    sub_order: ProducerOrder
    order_number: str
    delivered_on: date
    rate_bp: int
    gross: int
    commission: int
    net: int
    cod_collected: int
    own_discount: int = 0
    shop_discount: int = 0


@dataclass(frozen=True)
class StatementVoucher:
    """One voucher on one delivered sub-order: the shop's (not deducted) or the producer's."""

    order_number: str
    code: str
    shop_funded: bool
    amount: int


@dataclass(frozen=True)
class StatementRefund:
    """Money given back to a buyer for one of the producer's sub-orders. Before delivery
    nothing was earned yet, so the ledger does not move (`in_ledger` is False)."""

    sub_order: ProducerOrder
    order_number: str
    refunded_on: date
    amount: int
    method: str
    in_ledger: bool


@dataclass(frozen=True)
class Statement:
    producer_id: int
    start: date
    end: date
    lines: list[StatementLine] = field(default_factory=list)
    gross: int = 0
    commission: int = 0
    net: int = 0
    cod_collected: int = 0
    refunds: int = 0  # negative: refunds less the commission given back
    due: int = 0
    payouts_paid: int = 0
    closing_balance: int = 0  # the ledger at the end of the period
    balance: int = 0  # the ledger now: >0 the shop owes the producer, <0 the reverse
    refund_lines: list[StatementRefund] = field(default_factory=list)
    own_discounts: int = 0
    shop_discounts: int = 0
    voucher_lines: list[StatementVoucher] = field(default_factory=list)


def _voucher_lines(session: Session, sub_orders: list[ProducerOrder]) -> list[StatementVoucher]:
    from ..promotions.models import Voucher, VoucherUse

    discounted = [so for so in sub_orders if so.discount]
    if not discounted:
        return []
    uses = session.execute(
        select(VoucherUse, Voucher.producer_id)
        .join(Voucher, Voucher.id == VoucherUse.voucher_id)
        .where(VoucherUse.order_id.in_({so.order_id for so in discounted}))
        .order_by(VoucherUse.id)
    ).all()
    lines = []
    for sub_order in discounted:
        for use, funder in uses:
            if use.order_id != sub_order.order_id:
                continue
            if funder is None and sub_order.shop_discount:
                amount, shop = sub_order.shop_discount, True
            elif funder == sub_order.producer_id and use.producer_order_id == sub_order.id:
                amount, shop = sub_order.producer_discount, False
            else:
                continue
            lines.append(StatementVoucher(sub_order.order.number, use.code or "—", shop, amount))
    return lines


def statement(session: Session, producer: Producer, start: date, end: date) -> Statement:
    if end < start:
        start, end = end, start
    lower, upper = vn_day_start_utc(start), vn_day_start_utc(end + timedelta(days=1))

    sub_orders = list(
        session.scalars(
            select(ProducerOrder)
            .where(
                ProducerOrder.producer_id == producer.id,
                ProducerOrder.status == SubOrderStatus.DELIVERED,
                ProducerOrder.delivered_at >= lower,
                ProducerOrder.delivered_at < upper,
            )
            .options(selectinload(ProducerOrder.order))
            .order_by(ProducerOrder.delivered_at, ProducerOrder.id)
        )
    )
    lines = []
    for sub_order in sub_orders:
        commission = ledger.commission_for(sub_order)
        cash_sale = sub_order.order.payment_method is PaymentMethod.COD and sub_order.cash_received
        lines.append(
            StatementLine(
                sub_order=sub_order,
                order_number=sub_order.order.number,
                delivered_on=to_vn_date(sub_order.delivered_at),
                rate_bp=sub_order.commission_rate_bp,
                gross=sub_order.total_before_discount,
                commission=commission,
                net=sub_order.total_before_discount - sub_order.producer_discount - commission,
                cod_collected=sub_order.total if cash_sale else 0,
                own_discount=sub_order.producer_discount,
                shop_discount=sub_order.shop_discount,
            )
        )

    in_ledger = set(
        session.scalars(
            select(LedgerEntry.reference).where(
                LedgerEntry.producer_id == producer.id, LedgerEntry.kind == LedgerKind.REFUND
            )
        )
    )
    refund_lines = [
        StatementRefund(
            sub_order=sub_order,
            order_number=sub_order.order.number,
            refunded_on=to_vn_date(refund.created_at),
            amount=refund.amount,
            method=refund.method,
            in_ledger=refund.idempotency_key in in_ledger,
        )
        for refund, sub_order in session.execute(
            select(Refund, ProducerOrder)
            .join(ProducerOrder, ProducerOrder.id == Refund.producer_order_id)
            .where(
                ProducerOrder.producer_id == producer.id,
                Refund.created_at >= lower,
                Refund.created_at < upper,
            )
            .options(selectinload(ProducerOrder.order))
            .order_by(Refund.created_at, Refund.id)
        ).all()
    ]

    def ledger_sum(*conditions) -> int:
        return ledger.balance(session, producer.id, *conditions)

    in_period = (LedgerEntry.created_at >= lower, LedgerEntry.created_at < upper)
    refunds = ledger_sum(LedgerEntry.kind == LedgerKind.REFUND, *in_period) + ledger_sum(
        LedgerEntry.kind == LedgerKind.COMMISSION,
        LedgerEntry.reference.like("refund:%"),
        *in_period,
    )
    payouts_paid = int(
        session.scalar(
            select(func.coalesce(func.sum(Payout.amount), 0)).where(
                Payout.producer_id == producer.id,
                Payout.created_at >= lower,
                Payout.created_at < upper,
            )
        )
    )
    gross = sum(line.gross for line in lines)
    commission = sum(line.commission for line in lines)
    cod_collected = sum(line.cod_collected for line in lines)
    own_discounts = sum(line.own_discount for line in lines)
    return Statement(
        producer_id=producer.id,
        start=start,
        end=end,
        lines=lines,
        gross=gross,
        commission=commission,
        net=gross - own_discounts - commission,
        cod_collected=cod_collected,
        refunds=refunds,
        due=gross - own_discounts - commission - cod_collected + refunds,
        payouts_paid=payouts_paid,
        closing_balance=ledger_sum(LedgerEntry.created_at < upper),
        balance=ledger.balance(session, producer.id),
        refund_lines=refund_lines,
        own_discounts=own_discounts,
        shop_discounts=sum(line.shop_discount for line in lines),
        voucher_lines=_voucher_lines(session, sub_orders),
    )

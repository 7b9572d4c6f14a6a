"""An order's money, derived in one place from its live sub-orders and their refunds.

The columns written at checkout (Order.grand_total, ProducerOrder.total) record what
was *ordered*; they never change. What the buyer owes now follows every cancellation
and refund, so every page, email, packing slip, CSV and API that shows money asks
this module instead of reading those columns:

  charged    what a part costs the buyer now: its goods and shipping, less what was
             refunded on it; nothing once it is cancelled
  paid       what the buyer has paid for it (cash on delivery: once the cash was received)
  refunded   what was given back
  due        still to pay: charged - (paid - refunded), when positive
             (cash on delivery: what the courier collects at the door)
  to_refund  paid and not yet given back beyond what the part costs, when positive

Vouchers: `items` and `shipping` are what the buyer pays, after the vouchers; the vouchers'
discounts (goods_discount, shipping_discount) are given beside them, so a page shows the
price before, the discount, and the total without subtracting anything twice.
"""

from dataclasses import dataclass

from .models import Order, PaymentMethod, PaymentStatus, ProducerOrder, SubOrderStatus

PAID_STATES = frozenset(
    {PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED}
)


def paid_amount(sub_order: ProducerOrder) -> int:
    """What the buyer actually paid for this sub-order (COD: only once the cash was received)."""
    order = sub_order.order
    if order.payment_method is PaymentMethod.COD:
        return sub_order.total if sub_order.cash_received else 0
    return sub_order.total if order.payment_status in PAID_STATES else 0


@dataclass(frozen=True)
class SubOrderTotals:
    sub_order_id: int
    live: bool
    ordered: int  # the part's total when ordered
    items: int  # goods still bought (0 once cancelled)
    shipping: int
    refunded: int
    charged: int
    paid: int
    due: int
    to_refund: int
    cod_to_collect: int  # cash the courier collects for this parcel
    goods_discount: int = 0  # the vouchers' share already taken off `items`
    shipping_discount: int = 0  # already taken off `shipping`

    @property
    def net_paid(self) -> int:
        return self.paid - self.refunded

    @property
    def discount(self) -> int:
        return self.goods_discount + self.shipping_discount


def sub_order_totals(sub_order: ProducerOrder) -> SubOrderTotals:
    live = sub_order.status is not SubOrderStatus.CANCELLED
    refunded = sub_order.refunded_amount or 0
    items = sub_order.subtotal if live else 0
    shipping = sub_order.shipping_fee if live else 0
    charged = max(items + shipping - refunded, 0) if live else 0
    paid = paid_amount(sub_order)
    balance = charged - (paid - refunded)
    due = max(balance, 0)
    is_cod = sub_order.order.payment_method is PaymentMethod.COD
    return SubOrderTotals(
        sub_order_id=sub_order.id,
        live=live,
        ordered=sub_order.total,
        items=items,
        shipping=shipping,
        refunded=refunded,
        charged=charged,
        paid=paid,
        due=due,
        to_refund=max(-balance, 0),
        cod_to_collect=due if is_cod and live and not sub_order.cash_received else 0,
        goods_discount=sub_order.goods_discount if live else 0,
        shipping_discount=sub_order.shipping_discount if live else 0,
    )


@dataclass(frozen=True)
class OrderTotals:
    ordered: int  # the grand total when ordered
    items: int
    shipping: int
    refunded_on_live: int  # refunds of parts still bought (returns, partial refunds)
    total: int  # what the order costs the buyer now
    paid: int
    refunded: int
    due: int
    to_refund: int
    cancelled: int  # the ordered value of cancelled parts
    parts: dict[int, SubOrderTotals]
    goods_discount: int = 0  # the vouchers on parts still bought
    shipping_discount: int = 0

    @property
    def net_paid(self) -> int:
        return self.paid - self.refunded

    @property
    def discount(self) -> int:
        return self.goods_discount + self.shipping_discount

    def part(self, sub_order: ProducerOrder) -> SubOrderTotals:
        return self.parts[sub_order.id]


def order_totals(order: Order) -> OrderTotals:
    parts = {so.id: sub_order_totals(so) for so in order.sub_orders}
    values = list(parts.values())
    return OrderTotals(
        ordered=order.grand_total,
        items=sum(p.items for p in values),
        shipping=sum(p.shipping for p in values),
        refunded_on_live=sum(p.refunded for p in values if p.live),
        total=sum(p.charged for p in values),
        paid=sum(p.paid for p in values),
        refunded=sum(p.refunded for p in values),
        due=sum(p.due for p in values),
        to_refund=sum(p.to_refund for p in values),
        cancelled=sum(p.ordered for p in values if not p.live),
        parts=parts,
        goods_discount=sum(p.goods_discount for p in values),
        shipping_discount=sum(p.shipping_discount for p in values),
    )

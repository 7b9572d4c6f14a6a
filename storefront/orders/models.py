from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ..core.types import LabelledEnum, TimestampMixin, enum_column
from ..extensions import db


class PaymentMethod(LabelledEnum):
    COD = "cod", _l("Cash on delivery")
    BANK_TRANSFER = "bank_transfer", _l("Bank transfer")
    CARD = "card", _l("Card")


class PaymentStatus(LabelledEnum):
    """Order-level payment state. Moves forward only (see orders.routing)."""

    PENDING = "pending", _l("Waiting for payment")  # by card or bank transfer
    COD = "cod", _l("Cash on delivery")  # paid per sub-order on delivery
    PAID = "paid", _l("Paid")
    PARTIALLY_REFUNDED = "partially_refunded", _l("Partially refunded")
    REFUNDED = "refunded", _l("Refunded")
    FAILED = "failed", _l("Payment failed")
    EXPIRED = "expired", _l("Expired (not paid in time)")
    CANCELLED = "cancelled", _l("Cancelled")


class SubOrderStatus(LabelledEnum):
    PLACED = "placed", _l("Placed")
    CONFIRMED = "confirmed", _l("Confirmed")
    PACKED = "packed", _l("Packed")
    SHIPPED = "shipped", _l("Shipped")
    DELIVERED = "delivered", _l("Delivered")
    CANCELLED = "cancelled", _l("Cancelled")


class Order(TimestampMixin, db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("grand_total = items_total + shipping_total", name="total_adds_up"),
        CheckConstraint("refunded_total >= 0 AND refunded_total <= grand_total", name="refund_cap"),
        CheckConstraint("discount_total >= 0", name="discount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)  # OCOP-2026-000123
    access_token: Mapped[str] = mapped_column(String(64), unique=True)  # guest link
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(20), index=True)
    province_code: Mapped[int] = mapped_column(index=True)
    ward_code: Mapped[int]
    street: Mapped[str] = mapped_column(String(255))
    note: Mapped[str | None] = mapped_column(String(500))
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    payment_method: Mapped[PaymentMethod] = mapped_column(enum_column(PaymentMethod))
    payment_status: Mapped[PaymentStatus] = mapped_column(
        enum_column(PaymentStatus), default=PaymentStatus.PENDING, index=True
    )
    items_total: Mapped[int]
    shipping_total: Mapped[int]
    grand_total: Mapped[int]
    refunded_total: Mapped[int] = mapped_column(default=0)
    # Every voucher's discount, already taken off items_total and shipping_total (which are
    # what the buyer pays): shown as its own line, never subtracted again.
    discount_total: Mapped[int] = mapped_column(default=0, server_default="0")
    transfer_reference: Mapped[str | None] = mapped_column(String(32), unique=True)
    # Unpaid card or transfer orders hold their stock until then.
    reservation_expires_at: Mapped[datetime | None] = mapped_column(index=True)
    paid_at: Mapped[datetime | None]

    sub_orders: Mapped[list["ProducerOrder"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="ProducerOrder.id"
    )
    lines: Mapped[list["OrderLine"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )
    payments: Mapped[list["Payment"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="Payment.id"
    )
    events: Mapped[list["OrderEvent"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderEvent.id"
    )
    refunds: Mapped[list["Refund"]] = relationship(order_by="Refund.id", viewonly=True)


class ProducerOrder(TimestampMixin, db.Model):
    """One cooperative's share of an order: its own status, shipping and payout line."""

    __tablename__ = "producer_orders"
    __table_args__ = (
        UniqueConstraint("order_id", "producer_id"),
        CheckConstraint("total = subtotal + shipping_fee", name="total_adds_up"),
        CheckConstraint("refunded_amount >= 0 AND refunded_amount <= total", name="refund_cap"),
        CheckConstraint(
            "shop_goods_discount >= 0 AND shop_goods_discount <= goods_discount",
            name="shop_goods_discount_range",
        ),
        CheckConstraint(
            "shop_shipping_discount >= 0 AND shop_shipping_discount <= shipping_discount",
            name="shop_shipping_discount_range",
        ),
        CheckConstraint("subtotal >= 0 AND shipping_fee >= 0", name="not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    producer_id: Mapped[int] = mapped_column(
        ForeignKey("producers.id", ondelete="RESTRICT"), index=True
    )
    producer_name: Mapped[str] = mapped_column(String(200))  # snapshot
    status: Mapped[SubOrderStatus] = mapped_column(
        enum_column(SubOrderStatus), default=SubOrderStatus.PLACED, index=True
    )
    # What the buyer pays for this part: goods and shipping after every voucher.
    subtotal: Mapped[int]
    shipping_fee: Mapped[int]
    total: Mapped[int]
    # The vouchers' discounts already taken off subtotal (goods) and shipping_fee, and the
    # parts of them the shop funds; the rest this cooperative funds (it lowers its payout).
    goods_discount: Mapped[int] = mapped_column(default=0, server_default="0")
    shipping_discount: Mapped[int] = mapped_column(default=0, server_default="0")
    shop_goods_discount: Mapped[int] = mapped_column(default=0, server_default="0")
    shop_shipping_discount: Mapped[int] = mapped_column(default=0, server_default="0")
    commission_rate_bp: Mapped[int]  # snapshot of the rate when ordered
    refunded_amount: Mapped[int] = mapped_column(default=0)
    carrier: Mapped[str | None] = mapped_column(String(60))
    tracking_number: Mapped[str | None] = mapped_column(String(60))
    # What the buyer was quoted for this parcel (storefront/shipping): the carrier and its
    # service, the fee before vouchers, the estimated days and the parcel's weight.
    shipping_carrier: Mapped[str | None] = mapped_column(String(20))
    shipping_service: Mapped[str | None] = mapped_column(String(40))
    quoted_shipping_fee: Mapped[int | None]
    shipping_eta_days: Mapped[int | None]
    parcel_weight_grams: Mapped[int | None]
    # The carrier did not answer at checkout: its rate card's fee was charged; an admin checks.
    shipping_review: Mapped[bool] = mapped_column(default=False, server_default=false())
    cancel_reason: Mapped[str | None] = mapped_column(String(255))
    cash_received: Mapped[bool] = mapped_column(default=False)
    max_lead_time_days: Mapped[int | None]
    confirmed_at: Mapped[datetime | None]
    packed_at: Mapped[datetime | None]
    shipped_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    # The one "how was it?" email after delivery (storefront/reviews): claimed conditionally.
    review_invited_at: Mapped[datetime | None]

    order: Mapped[Order] = relationship(back_populates="sub_orders")
    producer: Mapped["Producer"] = relationship()  # noqa: F821
    lines: Mapped[list["OrderLine"]] = relationship(
        back_populates="producer_order", order_by="OrderLine.id"
    )
    returns: Mapped[list["ReturnRequest"]] = relationship(
        order_by="ReturnRequest.id", viewonly=True
    )

    @property
    def discount(self) -> int:
        return self.goods_discount + self.shipping_discount

    @property
    def shop_discount(self) -> int:
        return self.shop_goods_discount + self.shop_shipping_discount

    @property
    def producer_discount(self) -> int:
        """What this cooperative's own voucher took off: it lowers the cooperative's payout."""
        return self.discount - self.shop_discount

    @property
    def total_before_discount(self) -> int:
        return self.total + self.discount


class OrderLine(db.Model):
    """A snapshot: later edits to the product never rewrite order history."""

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("line_total = unit_price * quantity", name="line_total"),
        CheckConstraint(
            "refunded_quantity >= 0 AND refunded_quantity <= quantity", name="refunded_quantity"
        ),
        CheckConstraint(
            "returned_quantity >= 0 AND returned_quantity <= quantity", name="returned_quantity"
        ),
        # A voucher never makes a line cost less than nothing.
        CheckConstraint("discount >= 0 AND discount <= line_total", name="discount_range"),
        CheckConstraint(
            "shop_discount >= 0 AND shop_discount <= discount", name="shop_discount_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    producer_order_id: Mapped[int] = mapped_column(
        ForeignKey("producer_orders.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), index=True
    )
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id", ondelete="RESTRICT"))
    # The variant bought (its stock is what the line reserved) and its snapshot: the SKU,
    # its label as the buyer read it ("Cỡ M"; "" for a product's only form) and its weight,
    # which the parcel's shipping is weighed by. variant_id carries no foreign key (a
    # snapshot, see migration 0016); variants are archived, never deleted.
    variant_id: Mapped[int | None] = mapped_column(index=True)
    sku: Mapped[str] = mapped_column(String(120), server_default="")
    variant_label: Mapped[str] = mapped_column(String(200), server_default="")
    weight_grams: Mapped[int] = mapped_column(server_default="500")
    product_name: Mapped[str] = mapped_column(String(200))
    product_slug: Mapped[str] = mapped_column(String(120))
    producer_name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(60))
    unit_price: Mapped[int]
    quantity: Mapped[int]
    line_total: Mapped[int]
    made_to_order: Mapped[bool] = mapped_column(default=False)
    lead_time_days: Mapped[int | None]
    stars: Mapped[int | None]  # the stars shown when bought
    # How many of `quantity` were refunded line by line (returns, partial refunds).
    refunded_quantity: Mapped[int] = mapped_column(default=0, server_default="0")
    # How many are in a return request that was not turned down.
    returned_quantity: Mapped[int] = mapped_column(default=0, server_default="0")
    # This line's share of the vouchers' goods discount (all funders) and of the shop's part;
    # the buyer paid line_total - discount. A cancellation or refund gives back exactly it.
    discount: Mapped[int] = mapped_column(default=0, server_default="0")
    shop_discount: Mapped[int] = mapped_column(default=0, server_default="0")

    order: Mapped[Order] = relationship(back_populates="lines")
    producer_order: Mapped[ProducerOrder] = relationship(back_populates="lines")

    @property
    def title(self) -> str:
        """“Áo lanh nam (Cỡ M)”: the product's name and the variant bought, as snapshotted."""
        return (
            f"{self.product_name} ({self.variant_label})"
            if self.variant_label
            else self.product_name
        )


class Payment(TimestampMixin, db.Model):
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    method: Mapped[PaymentMethod] = mapped_column(enum_column(PaymentMethod))
    provider: Mapped[str] = mapped_column(String(20))  # stripe, demo, bank, cod
    provider_ref: Mapped[str | None] = mapped_column(String(255), unique=True)  # cs_… session id
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), index=True)
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="vnd")
    status: Mapped[PaymentStatus] = mapped_column(
        enum_column(PaymentStatus), default=PaymentStatus.PENDING
    )
    updated_at: Mapped[datetime | None]

    order: Mapped[Order] = relationship(back_populates="payments")


class Refund(TimestampMixin, db.Model):
    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount > 0", name="positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    producer_order_id: Mapped[int] = mapped_column(
        ForeignKey("producer_orders.id", ondelete="CASCADE"), index=True
    )
    amount: Mapped[int]
    reason: Mapped[str] = mapped_column(String(255))
    # stripe, demo (a demo-mode card payment: no money moves), bank_transfer (recorded by an
    # admin after sending the money), manual (older refunds recorded without a reference)
    method: Mapped[str] = mapped_column(String(20))
    provider_refund_id: Mapped[str | None] = mapped_column(String(255))
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    bank_reference: Mapped[str | None] = mapped_column(String(64))
    paid_on: Mapped[date | None]  # the day the bank transfer was sent

    lines: Mapped[list["RefundLine"]] = relationship(
        back_populates="refund", cascade="all, delete-orphan", order_by="RefundLine.id"
    )


class RefundLine(db.Model):
    """Which lines, and how many of each, a refund paid back."""

    __tablename__ = "refund_lines"
    __table_args__ = (
        UniqueConstraint("refund_id", "order_line_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    refund_id: Mapped[int] = mapped_column(ForeignKey("refunds.id", ondelete="CASCADE"))
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("order_lines.id", ondelete="CASCADE"), index=True
    )
    quantity: Mapped[int]
    amount: Mapped[int]

    refund: Mapped[Refund] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()


class WebhookEvent(db.Model):
    """Every processed provider event, unique by id: a redelivery finds its row and stops."""

    __tablename__ = "webhook_events"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(255))
    event_type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(60), default="")


class OrderEvent(TimestampMixin, db.Model):
    """The order's timeline, shown to the buyer and the admins."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    producer_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("producer_orders.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict | None] = mapped_column(JSON)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    order: Mapped[Order] = relationship(back_populates="events")


class ReturnStatus(LabelledEnum):
    REQUESTED = "requested", _l("Return requested")  # the buyer asked; the cooperative decides
    # The cooperative (or an admin) said yes and how to send it back.
    ACCEPTED = "accepted", _l("Return accepted: send the goods back")
    REFUSED = "refused", _l("Return refused")  # the cooperative said no, with a reason
    # The buyer asked an admin to decide.
    ESCALATED = "escalated", _l("Waiting for an admin's decision")
    CLOSED = "closed", _l("Return refused after review")  # an admin upheld the refusal
    # The goods came back; the refund follows.
    RECEIVED = "received", _l("Goods received back; refund on its way")
    REFUNDED = "refunded", _l("Refunded")


class ReturnRequest(TimestampMixin, db.Model):
    """A buyer's request to send lines of a delivered sub-order back, and what came of it."""

    __tablename__ = "return_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    producer_order_id: Mapped[int] = mapped_column(
        ForeignKey("producer_orders.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[ReturnStatus] = mapped_column(
        enum_column(ReturnStatus), default=ReturnStatus.REQUESTED, index=True
    )
    reason_code: Mapped[str] = mapped_column(String(30))
    reason_text: Mapped[str] = mapped_column(String(1000), default="")
    instructions: Mapped[str | None] = mapped_column(String(1000))
    refusal_reason: Mapped[str | None] = mapped_column(String(500))
    escalation_note: Mapped[str | None] = mapped_column(String(1000))
    admin_note: Mapped[str | None] = mapped_column(String(1000))
    restocked: Mapped[bool | None]
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id", ondelete="SET NULL"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    refunded_at: Mapped[datetime | None]

    order: Mapped[Order] = relationship()
    producer_order: Mapped[ProducerOrder] = relationship()
    refund: Mapped[Refund | None] = relationship()
    lines: Mapped[list["ReturnLine"]] = relationship(
        back_populates="return_request", cascade="all, delete-orphan", order_by="ReturnLine.id"
    )
    photos: Mapped[list["ReturnPhoto"]] = relationship(
        back_populates="return_request", cascade="all, delete-orphan", order_by="ReturnPhoto.id"
    )


class ReturnLine(db.Model):
    __tablename__ = "return_lines"
    __table_args__ = (
        UniqueConstraint("return_id", "order_line_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("return_requests.id", ondelete="CASCADE"))
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("order_lines.id", ondelete="CASCADE"), index=True
    )
    quantity: Mapped[int]

    return_request: Mapped[ReturnRequest] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()


class ReturnPhoto(TimestampMixin, db.Model):
    __tablename__ = "return_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(
        ForeignKey("return_requests.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))  # relative to RETURN_PHOTO_FOLDER
    thumb_filename: Mapped[str] = mapped_column(String(255))

    return_request: Mapped[ReturnRequest] = relationship(back_populates="photos")


class InvoiceRequest(TimestampMixin, db.Model):
    """The buyer asked for a VAT invoice at checkout (Decree 123/2020/NĐ-CP): who to invoice.
    Each cooperative invoices its own sub-order, as the seller of the goods."""

    __tablename__ = "invoice_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    company_name: Mapped[str] = mapped_column(String(200))
    tax_code: Mapped[str] = mapped_column(String(14))  # 10 digits, or 10-3 for a branch
    address: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(254))

    order: Mapped[Order] = relationship(
        backref=backref("invoice_request", uselist=False, viewonly=True)
    )


class SubOrderInvoice(TimestampMixin, db.Model):
    """The invoice a cooperative issued for its sub-order: the PDF and its lookup code."""

    __tablename__ = "sub_order_invoices"

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_order_id: Mapped[int] = mapped_column(
        ForeignKey("producer_orders.id", ondelete="CASCADE"), unique=True
    )
    invoice_number: Mapped[str] = mapped_column(String(40))
    lookup_code: Mapped[str] = mapped_column(String(64))
    pdf_filename: Mapped[str] = mapped_column(String(255))  # relative to INVOICE_FOLDER
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    producer_order: Mapped[ProducerOrder] = relationship(
        backref=backref("invoice", uselist=False, viewonly=True)
    )

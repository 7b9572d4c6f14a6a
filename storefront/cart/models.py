from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.types import TimestampMixin
from ..extensions import db


class Cart(TimestampMixin, db.Model):
    """A server-side cart: anonymous carts are found by `token` (a cookie), user carts by user."""

    __tablename__ = "carts"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    updated_at: Mapped[datetime | None]
    # The order this cart became, until something is added again: a second submit of the
    # same checkout (a double click, a retry) is led to that order instead of a new one.
    placed_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", ondelete="SET NULL")
    )

    # The voucher codes the buyer applied, each with the voucher's version when applied
    # ([{"code": "OCOP10", "version": 1}]): a voucher changed since is flagged like a price.
    # On the cart's own row, so a cart without vouchers costs no extra query.
    vouchers: Mapped[list | None] = mapped_column(JSON)

    lines: Mapped[list["CartLine"]] = relationship(
        back_populates="cart", cascade="all, delete-orphan", order_by="CartLine.id"
    )


class CartLine(TimestampMixin, db.Model):
    __tablename__ = "cart_lines"
    __table_args__ = (
        # One line per variant: an M and an L of the same shirt are two lines.
        UniqueConstraint("cart_id", "variant_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    variant_id: Mapped[int] = mapped_column(
        ForeignKey("product_variants.id", ondelete="CASCADE"), index=True
    )
    quantity: Mapped[int]
    # The price the buyer saw when adding, so the cart can flag a change before checkout.
    price_seen: Mapped[int]

    cart: Mapped[Cart] = relationship(back_populates="lines")
    product: Mapped["Product"] = relationship()  # noqa: F821
    variant: Mapped["ProductVariant"] = relationship()  # noqa: F821

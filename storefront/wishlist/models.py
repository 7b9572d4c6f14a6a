import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.types import TimestampMixin, enum_column
from ..extensions import db


class WishlistItem(TimestampMixin, db.Model):
    """A product a buyer keeps for later. A guest's list is keyed by the cart cookie's token
    (it lives with the cart), a member's by the user; logging in moves the guest's rows over.
    The price and stock seen when added let /wishlist show what changed since."""

    __tablename__ = "wishlist_items"
    __table_args__ = (
        UniqueConstraint("user_id", "product_id"),
        UniqueConstraint("guest_token", "product_id"),
        CheckConstraint("(user_id IS NULL) <> (guest_token IS NULL)", name="wishlist_one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    guest_token: Mapped[str | None] = mapped_column(String(64))
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    price_seen: Mapped[int]
    in_stock_seen: Mapped[bool] = mapped_column(default=True)

    product: Mapped["Product"] = relationship()  # noqa: F821


class AlertStatus(enum.Enum):
    WAITING = "waiting"
    NOTIFIED = "notified"
    CANCELLED = "cancelled"


class StockAlert(TimestampMixin, db.Model):
    """ "Báo khi có hàng": email `email` once when the product can be bought again.

    Products have no variants yet; when they do, a nullable variant_id joins product_id here
    (and in the partial unique index), and the sweep matches on both.
    """

    __tablename__ = "stock_alerts"
    __table_args__ = (
        # One waiting request per address and product: asking twice is asking once.
        Index(
            "ux_stock_alerts_waiting",
            "product_id",
            "email",
            unique=True,
            postgresql_where=text("status = 'waiting'"),
            sqlite_where=text("status = 'waiting'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    status: Mapped[AlertStatus] = mapped_column(
        enum_column(AlertStatus), default=AlertStatus.WAITING
    )
    notified_at: Mapped[datetime | None]

    product: Mapped["Product"] = relationship()  # noqa: F821

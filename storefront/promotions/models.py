from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.types import LabelledEnum, TimestampMixin, enum_column
from ..extensions import db


class VoucherKind(LabelledEnum):
    PERCENT = "percent", _l("A percentage off")  # of the goods in scope, optionally capped
    FIXED = "fixed", _l("A fixed amount off")  # the goods in scope
    FREE_SHIPPING = "free_shipping", _l("Free shipping")  # of the parcels holding goods in scope


class VoucherScope(LabelledEnum):
    SHOP = "shop", _l("Every product")  # a cooperative's voucher: its own
    PRODUCER = "producer", _l("One cooperative's products")
    PRODUCTS = "products", _l("Some products")  # those in voucher_products
    GROUP = "group", _l("One OCOP product group")
    # Products with a valid certificate of at least min_stars.
    STARS = "stars", _l("Products of at least a star level")


class VoucherStatus(LabelledEnum):
    ACTIVE = "active", _l("Running")
    PAUSED = "paused", _l("Paused")  # its owner paused it; it may be resumed
    STOPPED = "stopped", _l("Stopped")  # an administrator stopped it for good


class Voucher(TimestampMixin, db.Model):
    """A discount, funded by the shop (producer_id is None) or by one cooperative.

    Times are stored as naive UTC, like every timestamp; forms read and show them in
    Vietnam's time. `uses` is taken by a conditional UPDATE in the order's transaction
    (services.take_use) and given back when a whole order is cancelled or expires.
    """

    __tablename__ = "vouchers"
    __table_args__ = (
        CheckConstraint("percent IS NULL OR (percent BETWEEN 1 AND 100)", name="percent_range"),
        CheckConstraint("amount IS NULL OR amount > 0", name="amount_positive"),
        CheckConstraint("max_discount IS NULL OR max_discount > 0", name="cap_positive"),
        CheckConstraint("min_order >= 0", name="min_order_not_negative"),
        CheckConstraint("uses >= 0", name="uses_not_negative"),
        CheckConstraint("total_uses IS NULL OR uses <= total_uses", name="uses_within_total"),
        CheckConstraint("per_buyer IS NULL OR per_buyer > 0", name="per_buyer_positive"),
        CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Upper case, no spaces (services.normalise_code); None: applied without a code.
    code: Mapped[str | None] = mapped_column(String(32), unique=True)
    producer_id: Mapped[int | None] = mapped_column(
        ForeignKey("producers.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[VoucherKind] = mapped_column(enum_column(VoucherKind))
    percent: Mapped[int | None]
    amount: Mapped[int | None]
    max_discount: Mapped[int | None]
    min_order: Mapped[int] = mapped_column(default=0)
    scope: Mapped[VoucherScope] = mapped_column(
        enum_column(VoucherScope), default=VoucherScope.SHOP
    )
    scope_producer_id: Mapped[int | None] = mapped_column(
        ForeignKey("producers.id", ondelete="RESTRICT")
    )
    scope_group: Mapped[str | None] = mapped_column(String(32))
    scope_stars: Mapped[int | None]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    total_uses: Mapped[int | None]
    per_buyer: Mapped[int | None] = mapped_column(default=1)
    uses: Mapped[int] = mapped_column(default=0)
    show_on_product: Mapped[bool] = mapped_column(default=False)
    status: Mapped[VoucherStatus] = mapped_column(
        enum_column(VoucherStatus), default=VoucherStatus.ACTIVE, index=True
    )
    # Bumped by every change of terms: a cart holding the code flags the change.
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime | None]

    producer: Mapped["Producer | None"] = relationship(foreign_keys=[producer_id])  # noqa: F821
    products: Mapped[list["VoucherProduct"]] = relationship(
        back_populates="voucher", cascade="all, delete-orphan", order_by="VoucherProduct.id"
    )

    @property
    def shop_funded(self) -> bool:
        return self.producer_id is None

    @property
    def product_ids(self) -> set[int]:
        return {item.product_id for item in self.products}


class VoucherProduct(db.Model):
    """Scope "some products". When products gain variants (issue 16) a variant_id joins here."""

    __tablename__ = "voucher_products"
    __table_args__ = (UniqueConstraint("voucher_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("vouchers.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )

    voucher: Mapped[Voucher] = relationship(back_populates="products")


class VoucherUse(TimestampMixin, db.Model):
    """One use of a voucher by one order. `released_at` is set (once, conditionally) when
    the whole order is cancelled or expires unpaid, and the voucher's count goes back."""

    __tablename__ = "voucher_uses"
    __table_args__ = (
        UniqueConstraint("voucher_id", "order_id"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    voucher_id: Mapped[int] = mapped_column(
        ForeignKey("vouchers.id", ondelete="RESTRICT"), index=True
    )
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    # A cooperative's voucher applies to its own sub-order.
    producer_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("producer_orders.id", ondelete="CASCADE")
    )
    # "user:<id>" or the guest's e-mail in lower case: the per-buyer limit counts these.
    buyer_key: Mapped[str] = mapped_column(String(260), index=True)
    code: Mapped[str | None] = mapped_column(String(32))  # snapshot, for statements
    amount: Mapped[int]
    released_at: Mapped[datetime | None]

    voucher: Mapped[Voucher] = relationship()

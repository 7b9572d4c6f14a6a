from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import add_months, today_vn
from ..core.types import LabelledEnum, TimestampMixin, enum_column
from ..extensions import db

CERTIFICATE_VALIDITY_MONTHS = 36


def is_low_stock(made_to_order: bool, available: int, threshold: int) -> bool:
    """The low-stock rule, shared by Product and the listing's plain card rows."""
    return not made_to_order and available <= threshold


class ProductStatus(LabelledEnum):
    DRAFT = "draft", _l("Draft (hidden)")
    ACTIVE = "active", _l("Live in the shop")
    ARCHIVED = "archived", _l("Archived")


def _price_and_stock_checks() -> tuple[CheckConstraint, ...]:
    """The same rules on a product's summary row and on each variant: a fresh set per table."""
    return (
        CheckConstraint("price >= 0", name="price_non_negative"),
        CheckConstraint("stock_on_hand >= 0", name="on_hand_non_negative"),
        CheckConstraint("stock_reserved >= 0", name="reserved_non_negative"),
        CheckConstraint("stock_reserved <= stock_on_hand", name="reserved_within_on_hand"),
    )


class Product(TimestampMixin, db.Model):
    __tablename__ = "products"
    __table_args__ = (
        *_price_and_stock_checks(),
        CheckConstraint(
            "season_start_month IS NULL OR season_start_month BETWEEN 1 AND 12",
            name="season_start_month",
        ),
        CheckConstraint(
            "season_end_month IS NULL OR season_end_month BETWEEN 1 AND 12",
            name="season_end_month",
        ),
        Index("ix_products_status_group", "status", "group"),
        # The listing's sorts walk these in order and stop after a page (proven with EXPLAIN
        # at 100,000 products in tests/catalogue/test_catalogue_explain.py). "Newest" is the
        # default order and a home-page section.
        Index("ix_products_created_at", "created_at", "id"),
        Index("ix_products_price", "price", "id"),
        # "Best rated": read backwards, stops after a page (storefront/reviews).
        Index("ix_products_rating", "rating_score", "rating_count", "id"),
        # The listing's facet counts (queries._facets) read this alone (an index-only scan in
        # producer order on PostgreSQL), never the wide product rows: at 100,000 products
        # 18,000 heap pages became 530 index pages (tests/catalogue/test_catalogue_explain.py).
        Index(
            "ix_products_facets",
            "producer_id",
            "group",
            "ocop3_until",
            "ocop4_until",
            "ocop5_until",
            "made_to_order",
            "stock_on_hand",
            "stock_reserved",
            "price",
            postgresql_where=text("status = 'active'"),
            sqlite_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(
        ForeignKey("producers.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    # Optional English text, shown in the English interface and searched in both languages.
    name_en: Mapped[str | None] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    group: Mapped[str] = mapped_column(String(32))  # storefront.catalogue.ocop.GROUPS
    subgroup: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(60))  # e.g. "hũ 500 ml"
    # Since variants (issue 16) the product row keeps, as a summary written by
    # catalogue/variants.py and producers/inventory.py in the SAME transaction as every
    # variant change: price = the lowest active variant's price, price_max = the highest,
    # stock_on_hand / stock_reserved = the sums over active variants. The listing, its sorts,
    # price filters and in-stock filter and the cards then keep reading `products` alone (no
    # join, no GROUP BY over 100,000 products); the variants are the truth for selling.
    price: Mapped[int]  # integer đồng
    price_max: Mapped[int | None]
    stock_on_hand: Mapped[int] = mapped_column(default=0)
    stock_reserved: Mapped[int] = mapped_column(default=0)
    low_stock_threshold: Mapped[int] = mapped_column(default=5)
    made_to_order: Mapped[bool] = mapped_column(default=False)
    lead_time_days: Mapped[int | None]
    season_start_month: Mapped[int | None]
    season_end_month: Mapped[int | None]
    status: Mapped[ProductStatus] = mapped_column(
        enum_column(ProductStatus), default=ProductStatus.DRAFT
    )
    # A sale price while the sale runs (naive UTC bounds, entered in Vietnam's time); see
    # promotions.pricing. It stays on the product with variants (issue 16): it is the sale
    # price of the lowest-priced variant, and every other variant gets the same share off
    # (promotions.pricing.variant_price_now).
    sale_price: Mapped[int | None]
    sale_starts_at: Mapped[datetime | None]
    sale_ends_at: Mapped[datetime | None]
    featured: Mapped[bool] = mapped_column(default=False, index=True)
    featured_position: Mapped[int | None]
    updated_at: Mapped[datetime | None]
    # Published verified reviews, kept by storefront/reviews/services.py in the same
    # transaction as the review (conditional UPDATEs), so cards and the listing's "best
    # rated" sort read them without a join. rating_score is the average × 100 (0: none).
    rating_count: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_sum: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_score: Mapped[int] = mapped_column(default=0, server_default="0")
    # The last day on which a verified certificate of at least 3, 4 or 5 stars is valid (None:
    # never), kept by the database's own triggers on `certificates` in the same transaction
    # as every certificate write, however it is made (catalogue/stars.py). The stars on a
    # day are then read from the product row: the listing, its facets and cards never join
    # the certificates (at 100,000 products the join was most of the facet query's 410 ms).
    ocop3_until: Mapped[date | None]
    ocop4_until: Mapped[date | None]
    ocop5_until: Mapped[date | None]
    # The search index (a tsvector column on PostgreSQL, an FTS5 table on SQLite) is kept by
    # the database's own triggers: see storefront/catalogue/search.py.

    producer: Mapped["Producer"] = relationship(back_populates="products")  # noqa: F821
    images: Mapped[list["ProductImage"]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductImage.position"
    )
    certificates: Mapped[list["Certificate"]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="Certificate.signed_on"
    )
    variants: Mapped[list["ProductVariant"]] = relationship(
        back_populates="product",
        cascade="all, delete-orphan",
        order_by="(ProductVariant.position, ProductVariant.id)",
    )

    @property
    def active_variants(self) -> list["ProductVariant"]:
        return [v for v in self.variants if v.status is VariantStatus.ACTIVE]

    @property
    def has_price_range(self) -> bool:
        return self.price_max is not None and self.price_max > self.price

    def variant_by_sku(self, sku: str | None) -> "ProductVariant | None":
        return next((v for v in self.active_variants if sku and v.sku == sku), None)

    @property
    def available(self) -> int:
        return self.stock_on_hand - self.stock_reserved

    @property
    def current_price(self) -> int:
        """The price a buyer pays now: the sale price while the sale runs."""
        from ..promotions.pricing import price_now

        return price_now(self)

    @property
    def is_low_stock(self) -> bool:
        return is_low_stock(self.made_to_order, self.available, self.low_stock_threshold)

    @property
    def rating_average(self) -> float | None:
        return round(self.rating_sum / self.rating_count, 1) if self.rating_count else None

    def valid_certificate(self, on: date | None = None) -> "Certificate | None":
        """The best verified certificate valid on `on`: the only source of displayed stars."""
        on = on or today_vn()
        valid = [c for c in self.certificates if c.is_valid_on(on)]
        return max(valid, key=lambda c: (c.stars, c.valid_until), default=None)

    def stars_on(self, on: date | None = None) -> int | None:
        certificate = self.valid_certificate(on)
        return certificate.stars if certificate else None


class VariantStatus(LabelledEnum):
    ACTIVE = "active", _l("On sale")
    ARCHIVED = "archived", _l("Archived")


# The kinds of option a variant may differ by, in the order a label lists them, with the
# word that comes before the value: “Cỡ M”, “Màu chàm”, “Túi 500 g”.
OPTION_KIND_LABELS = {
    "volume": _l("Volume"),
    "weight": _l("Bag"),
    "size": _l("Size"),
    "colour": _l("Colour"),
    "pattern": _l("Pattern"),
}
OPTION_KINDS = tuple(OPTION_KIND_LABELS)


def variant_label(options) -> str:
    """A variant's options as words: “Cỡ M”, “Màu chàm, Hoa văn trám”; "" when it has none."""
    parts = []
    for option in options or ():
        if not isinstance(option, dict):
            continue
        kind = OPTION_KIND_LABELS.get(option.get("kind"))
        value = str(option.get("value") or "").strip()
        if value:
            parts.append(f"{kind} {value}" if kind else value)
    return ", ".join(parts)


MAX_WEIGHT_GRAMS = 50_000  # a 50 kg parcel is a freight job, not a shop parcel
DEFAULT_WEIGHT_GRAMS = 500


class ProductVariant(TimestampMixin, db.Model):
    """One sellable form of a product (a size, a colour, a bag weight): its own SKU, price,
    stock and weight. Certificate, story, photos and group stay on the product."""

    __tablename__ = "product_variants"
    __table_args__ = (
        *_price_and_stock_checks(),
        CheckConstraint(
            f"weight_grams > 0 AND weight_grams <= {MAX_WEIGHT_GRAMS}", name="weight_range"
        ),
        Index("ix_product_variants_product", "product_id", "position", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(120), unique=True)
    # [{"kind": "size", "value": "M"}, …] in OPTION_KINDS order; [] for a product's only form.
    options: Mapped[list] = mapped_column(JSON, default=list)
    price: Mapped[int]  # integer đồng
    stock_on_hand: Mapped[int] = mapped_column(default=0)
    stock_reserved: Mapped[int] = mapped_column(default=0)
    low_stock_threshold: Mapped[int] = mapped_column(default=5)
    weight_grams: Mapped[int] = mapped_column(default=DEFAULT_WEIGHT_GRAMS)
    barcode: Mapped[str | None] = mapped_column(String(32))
    image_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_images.id", ondelete="SET NULL")
    )
    position: Mapped[int] = mapped_column(default=0)
    status: Mapped[VariantStatus] = mapped_column(
        enum_column(VariantStatus), default=VariantStatus.ACTIVE
    )
    updated_at: Mapped[datetime | None]

    product: Mapped[Product] = relationship(back_populates="variants")
    image: Mapped["ProductImage | None"] = relationship()

    @property
    def available(self) -> int:
        return self.stock_on_hand - self.stock_reserved

    @property
    def is_active(self) -> bool:
        return self.status is VariantStatus.ACTIVE

    # The product's, so the stock wording (cards.stock_status) reads a variant as a product.
    @property
    def made_to_order(self) -> bool:
        return self.product.made_to_order

    @property
    def lead_time_days(self) -> int | None:
        return self.product.lead_time_days

    @property
    def label(self) -> str:
        """“Cỡ M” / “Size M”, in the reader's language; "" for a product's only form."""
        return variant_label(self.options)

    @property
    def is_low_stock(self) -> bool:
        return is_low_stock(self.made_to_order, self.available, self.low_stock_threshold)

    @property
    def current_price(self) -> int:
        from ..promotions.pricing import variant_price_now

        return variant_price_now(self)


class ProductImage(TimestampMixin, db.Model):
    __tablename__ = "product_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    filename: Mapped[str] = mapped_column(String(120))  # generated, never the uploader's name
    thumb_filename: Mapped[str] = mapped_column(String(120))
    alt: Mapped[str] = mapped_column(String(200), default="")
    width: Mapped[int] = mapped_column(default=0)
    height: Mapped[int] = mapped_column(default=0)
    # Widths of the WebP versions made by the image task; None until it has run.
    webp_widths: Mapped[list[int] | None] = mapped_column(JSON)

    product: Mapped[Product] = relationship(back_populates="images")


class CertificateStatus(LabelledEnum):
    PENDING = "pending", _l("Waiting for review")
    VERIFIED = "verified", _l("Verified")
    REJECTED = "rejected", _l("Rejected")


class Certificate(TimestampMixin, db.Model):
    __tablename__ = "certificates"
    __table_args__ = (
        # Stars below 3 are not OCOP products and may not carry the stamp.
        CheckConstraint("stars BETWEEN 3 AND 5", name="stars_3_to_5"),
        CheckConstraint("valid_until >= signed_on", name="valid_after_signed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(64), unique=True)
    stars: Mapped[int]
    issuing_authority: Mapped[str] = mapped_column(String(200))  # as printed
    decision_number: Mapped[str] = mapped_column(String(64))
    signed_on: Mapped[date]
    valid_until: Mapped[date] = mapped_column(index=True)
    scan_filename: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[CertificateStatus] = mapped_column(
        enum_column(CertificateStatus), default=CertificateStatus.PENDING, index=True
    )
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None]
    rejection_reason: Mapped[str | None] = mapped_column(String(255))
    expiry_reminder_sent_for: Mapped[date | None]  # valid_until the last reminder was about

    product: Mapped[Product] = relationship(back_populates="certificates")

    @staticmethod
    def default_valid_until(signed_on: date) -> date:
        """The signed date plus 36 months (Decision 148); valid_until is itself a valid day."""
        return add_months(signed_on, CERTIFICATE_VALIDITY_MONTHS)

    def is_valid_on(self, on: date) -> bool:
        return (
            self.status is CertificateStatus.VERIFIED and self.signed_on <= on <= self.valid_until
        )

    def display_status(self, on: date) -> str:
        if self.status is CertificateStatus.REJECTED:
            return "rejected"
        if self.status is CertificateStatus.PENDING:
            return "unverified"
        return "valid" if self.is_valid_on(on) else "expired"


class CatalogueState(db.Model):
    """One row: the catalogue's version, part of every cache key (see catalogue/cache.py).

    Every write that changes what the public sees bumps it in its own transaction, so a cached
    page is never served after the change is committed, by any worker.
    """

    __tablename__ = "catalogue_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=1)

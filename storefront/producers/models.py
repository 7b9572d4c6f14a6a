from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.places import place_label
from ..core.types import LabelledEnum, TimestampMixin, enum_column
from ..extensions import db
from ..text import fold


class ProducerKind(LabelledEnum):
    COOPERATIVE = "cooperative", _l("Cooperative (HTX)")  # hợp tác xã
    ENTERPRISE = "enterprise", _l("Enterprise")  # doanh nghiệp
    COOPERATIVE_GROUP = "cooperative_group", _l("Cooperative group")  # tổ hợp tác
    HOUSEHOLD = "household", _l("Household business")  # hộ sản xuất kinh doanh


class ProducerStatus(LabelledEnum):
    PENDING = "pending", _l("Pending review")
    APPROVED = "approved", _l("Approved")
    SUSPENDED = "suspended", _l("Suspended")


class ApplicationReview(LabelledEnum):
    """An admin's answer to a pending application, other than approving it."""

    # The applicant edits and sends it again.
    CHANGES_REQUESTED = "changes_requested", _l("Changes requested")
    REJECTED = "rejected", _l("Turned down")


class DocumentKind(LabelledEnum):
    # giấy chứng nhận đăng ký HTX / doanh nghiệp
    BUSINESS_REGISTRATION = "business_registration", _l("Business or cooperative registration")
    # quyết định công nhận sản phẩm OCOP
    OCOP_DECISION = "ocop_decision", _l("OCOP recognition decision")
    OTHER = "other", _l("Other document")


class MemberRole(LabelledEnum):
    OWNER = "owner", _l("Owner")  # may invite members and edit the producer
    MEMBER = "member", _l("Member")


class Producer(TimestampMixin, db.Model):
    __tablename__ = "producers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Optional English text, shown in the English interface and searched in both languages.
    name_en: Mapped[str | None] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[ProducerKind] = mapped_column(enum_column(ProducerKind))
    story: Mapped[str] = mapped_column(Text, default="")
    story_en: Mapped[str | None] = mapped_column(Text)
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    # Current two-tier place (vietnam-provinces codes) ...
    province_code: Mapped[int | None] = mapped_column(index=True)
    ward_code: Mapped[int | None]
    street: Mapped[str | None] = mapped_column(String(255))
    # ... and the address as printed before the 2025 reform, kept verbatim.
    historical_address: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[ProducerStatus] = mapped_column(
        enum_column(ProducerStatus), default=ProducerStatus.PENDING, index=True
    )
    # None means the shop-wide rate from config.
    commission_rate_bp: Mapped[int | None] = mapped_column(Integer)
    bank_name: Mapped[str | None] = mapped_column(String(120))
    bank_account: Mapped[str | None] = mapped_column(String(40))
    bank_account_name: Mapped[str | None] = mapped_column(String(120))
    # The live bank details above are only ever written by an admin. A producer's own change
    # waits here until an admin approves it; payouts are refused while one is waiting.
    bank_bin: Mapped[str | None] = mapped_column(String(8))
    pending_bank_bin: Mapped[str | None] = mapped_column(String(8))
    pending_bank_account: Mapped[str | None] = mapped_column(String(40))
    pending_bank_account_name: Mapped[str | None] = mapped_column(String(120))
    pending_bank_requested_at: Mapped[datetime | None]
    # Name and place (names from vietnam-provinces, which the database cannot look up) folded
    # (see storefront.text.fold): the admin's producer search, and the place words of each of
    # its products' search index (catalogue/search.py).
    search_text: Mapped[str] = mapped_column(Text, default="")
    # The seller application: who the producer is in law, and the admin's last answer.
    legal_name: Mapped[str | None] = mapped_column(String(200))
    registration_number: Mapped[str | None] = mapped_column(String(40))
    tax_code: Mapped[str | None] = mapped_column(String(14))
    # No CHECK constraint: SQLite can only add one by copying the table, and a copy of
    # producers drops its search triggers (migrations 0011, 0012). The enum type checks writes.
    application_review: Mapped[ApplicationReview | None] = mapped_column(
        Enum(
            ApplicationReview,
            native_enum=False,
            create_constraint=False,
            length=32,
            values_callable=lambda members: [m.value for m in members],
            validate_strings=True,
        )
    )
    application_review_note: Mapped[str | None] = mapped_column(Text)
    application_submitted_at: Mapped[datetime | None]
    # One photo of the place or the people, on the public producer page (the media storage).
    photo_filename: Mapped[str | None] = mapped_column(String(255))

    members: Mapped[list["ProducerMember"]] = relationship(
        back_populates="producer", cascade="all, delete-orphan"
    )
    products: Mapped[list["Product"]] = relationship(back_populates="producer")  # noqa: F821

    documents: Mapped[list["ProducerDocument"]] = relationship(
        back_populates="producer", cascade="all, delete-orphan", order_by="ProducerDocument.id"
    )

    @property
    def is_approved(self) -> bool:
        return self.status is ProducerStatus.APPROVED

    @property
    def awaits_review(self) -> bool:
        """Pending, and not sent back to the applicant or turned down."""
        return self.status is ProducerStatus.PENDING and self.application_review is None


@event.listens_for(Producer, "before_insert")
@event.listens_for(Producer, "before_update")
def _fold_search_text(_mapper, _connection, producer: Producer) -> None:
    """Every ORM write keeps search_text in step with the name and place: no caller can forget."""
    place = place_label(producer.province_code, producer.ward_code)
    parts = (producer.name, place, producer.historical_address)
    producer.search_text = fold(" ".join(part for part in parts if part))


class ProducerDocument(TimestampMixin, db.Model):
    """A paper the applicant sent: registration, OCOP decision. Private: only admins and the
    producer's own members read it, through a route that checks who asks (never a media URL)."""

    __tablename__ = "producer_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(
        ForeignKey("producers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind))
    filename: Mapped[str] = mapped_column(String(255))  # the random name in the media storage
    content_type: Mapped[str] = mapped_column(String(64))
    original_name: Mapped[str] = mapped_column(String(255), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    producer: Mapped[Producer] = relationship(back_populates="documents")


class ProducerMember(TimestampMixin, db.Model):
    __tablename__ = "producer_members"
    __table_args__ = (UniqueConstraint("producer_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[MemberRole] = mapped_column(enum_column(MemberRole), default=MemberRole.MEMBER)

    producer: Mapped[Producer] = relationship(back_populates="members")
    user: Mapped["User"] = relationship(back_populates="memberships")  # noqa: F821


class Invitation(TimestampMixin, db.Model):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime | None]

    producer: Mapped[Producer] = relationship()


class StockReason(LabelledEnum):
    INITIAL = "initial", _l("Initial stock")
    HARVEST = "harvest", _l("Harvest")  # a new harvest or production batch
    DAMAGE = "damage", _l("Damage")
    COUNT_CORRECTION = "count_correction", _l("Count correction")
    IMPORT = "import", _l("CSV stock count")
    RESERVE = "reserve", _l("Reserved for an order")  # an order was placed
    RELEASE = "release", _l("Reservation released")  # a reservation ended unpaid or was cancelled
    SHIP = "ship", _l("Shipped")  # a reserved unit left the warehouse
    RETURN = "return", _l("Returned")


class StockMovement(TimestampMixin, db.Model):
    """The ledger of every stock change. on_hand and reserved move separately."""

    __tablename__ = "stock_movements"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    # Which variant's stock moved; the product is kept too (the product's history reads it).
    variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_variants.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[StockReason] = mapped_column(enum_column(StockReason))
    delta_on_hand: Mapped[int] = mapped_column(default=0)
    delta_reserved: Mapped[int] = mapped_column(default=0)
    note: Mapped[str | None] = mapped_column(String(255))
    producer_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("producer_orders.id", ondelete="SET NULL"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    product: Mapped["Product"] = relationship()  # noqa: F821
    variant: Mapped["ProductVariant | None"] = relationship()  # noqa: F821


class LedgerKind(LabelledEnum):
    # + gross of a delivered sub-order: the shop owes the producer
    SALE = "sale", _l("Sale")
    # - the shop's commission on that sale
    COMMISSION = "commission", _l("Commission")
    # - cash the producer's carrier already collected
    COD_COLLECTED = "cod_collected", _l("Cash collected by the producer")
    # - money returned to the buyer for this producer's goods
    REFUND = "refund", _l("Refund")
    # - money the shop paid out
    PAYOUT = "payout", _l("Payout")
    ADJUSTMENT = "adjustment", _l("Adjustment")


class LedgerEntry(TimestampMixin, db.Model):
    """Payout ledger. Sum of amount per producer = what the shop owes it (negative: it owes us).

    Stripe cannot pay Vietnamese accounts, so the shop settles by bank and keeps this ledger.
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (
        # One sale, commission and COD line per sub-order; a retried job cannot double them.
        UniqueConstraint("producer_order_id", "kind", "reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(
        ForeignKey("producers.id", ondelete="RESTRICT"), index=True
    )
    producer_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("producer_orders.id", ondelete="RESTRICT")
    )
    kind: Mapped[LedgerKind] = mapped_column(enum_column(LedgerKind))
    amount: Mapped[int]
    reference: Mapped[str] = mapped_column(String(120), default="")
    note: Mapped[str | None] = mapped_column(String(255))
    payout_id: Mapped[int | None] = mapped_column(ForeignKey("payouts.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Payout(TimestampMixin, db.Model):
    __tablename__ = "payouts"
    __table_args__ = (CheckConstraint("amount > 0", name="positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(
        ForeignKey("producers.id", ondelete="RESTRICT"), index=True
    )
    amount: Mapped[int]
    bank_reference: Mapped[str] = mapped_column(String(120))
    period_start: Mapped[datetime | None]
    period_end: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    producer: Mapped[Producer] = relationship()

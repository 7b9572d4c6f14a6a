import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.types import TimestampMixin, enum_column
from ..extensions import db


class ReviewStatus(enum.Enum):
    PUBLISHED = "published"
    HIDDEN = "hidden"  # by an admin, with a reason (audited)


class Review(TimestampMixin, db.Model):
    """One buyer's verdict on one delivered order line (UNIQUE order_line_id: once per line).

    Only published reviews count in the product's denormalised rating_count/rating_sum;
    publishing and hiding move those counters in the same transaction, conditionally.
    """

    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("stars BETWEEN 1 AND 5", name="review_stars_1_to_5"),
        # The product page lists a product's published reviews newest first or by stars.
        Index("ix_reviews_product_status_created", "product_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("order_lines.id", ondelete="CASCADE"), unique=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    producer_id: Mapped[int] = mapped_column(
        ForeignKey("producers.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    author_name: Mapped[str] = mapped_column(String(60))  # shown publicly: a short name
    stars: Mapped[int]
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ReviewStatus] = mapped_column(
        enum_column(ReviewStatus), default=ReviewStatus.PUBLISHED
    )
    photo_count: Mapped[int] = mapped_column(default=0)
    report_count: Mapped[int] = mapped_column(default=0)
    hidden_reason: Mapped[str | None] = mapped_column(String(500))
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    hidden_at: Mapped[datetime | None]
    reply: Mapped[str | None] = mapped_column(Text)
    reply_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    replied_at: Mapped[datetime | None]

    photos: Mapped[list["ReviewPhoto"]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewPhoto.position"
    )
    product: Mapped["Product"] = relationship()  # noqa: F821

    @property
    def is_published(self) -> bool:
        return self.status is ReviewStatus.PUBLISHED


class ReviewPhoto(TimestampMixin, db.Model):
    """A public photo, stored like product photos (re-encoded, random name, thumbnail task)."""

    __tablename__ = "review_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    filename: Mapped[str] = mapped_column(String(120))
    thumb_filename: Mapped[str] = mapped_column(String(120))
    width: Mapped[int] = mapped_column(default=0)
    height: Mapped[int] = mapped_column(default=0)
    processed: Mapped[bool] = mapped_column(default=False)

    review: Mapped[Review] = relationship(back_populates="photos")


class ReviewReport(TimestampMixin, db.Model):
    """Someone thinks a review breaks the rules; one report per person and review."""

    __tablename__ = "review_reports"
    __table_args__ = (UniqueConstraint("review_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(500), default="")

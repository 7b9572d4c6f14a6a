from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.types import LabelledEnum, TimestampMixin, enum_column
from ..extensions import db


class ShippingProfile(TimestampMixin, db.Model):
    """A cooperative's shipping choices: the carrier its parcels go with and the goods
    subtotal from which it pays the parcel itself (free shipping for the buyer)."""

    __tablename__ = "shipping_profiles"
    __table_args__ = (
        CheckConstraint(
            "free_shipping_threshold IS NULL OR free_shipping_threshold >= 0",
            name="threshold_not_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(
        ForeignKey("producers.id", ondelete="CASCADE"), unique=True
    )
    carrier: Mapped[str] = mapped_column(String(20))
    free_shipping_threshold: Mapped[int | None]


class CarrierAccount(TimestampMixin, db.Model):
    """A cooperative's account with one carrier. The API credentials are stored encrypted
    (shipping.secrets); the webhook secret goes in the tracking URL given to the carrier."""

    __tablename__ = "carrier_accounts"
    __table_args__ = (UniqueConstraint("producer_id", "carrier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(
        ForeignKey("producers.id", ondelete="CASCADE"), index=True
    )
    carrier: Mapped[str] = mapped_column(String(20))
    credentials_encrypted: Mapped[str] = mapped_column(Text, default="")
    webhook_secret: Mapped[str] = mapped_column(String(64), unique=True)
    updated_at: Mapped[datetime | None]


class ShipmentStatus(LabelledEnum):
    REQUESTED = "requested", _l("Booking the carrier")  # the booking task runs
    BOOKING_FAILED = "booking_failed", _l("Booking failed")  # refused or unreachable: retry
    BOOKED = "booked", _l("Booked, waiting for pick-up")
    PICKED_UP = "picked_up", _l("Picked up by the carrier")
    IN_TRANSIT = "in_transit", _l("On the way")
    DELIVERED = "delivered", _l("Delivered")
    FAILED = "failed", _l("Delivery failed")  # the carrier could not deliver (it returns it)
    RETURNED = "returned", _l("Returned to the cooperative")
    CANCELLED = "cancelled", _l("Cancelled")


class Shipment(TimestampMixin, db.Model):
    """One parcel booked with a carrier for one sub-order (UNIQUE: a double click books once)."""

    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_order_id: Mapped[int] = mapped_column(
        ForeignKey("producer_orders.id", ondelete="CASCADE"), unique=True
    )
    producer_id: Mapped[int] = mapped_column(
        ForeignKey("producers.id", ondelete="RESTRICT"), index=True
    )
    carrier: Mapped[str] = mapped_column(String(20))
    service: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[ShipmentStatus] = mapped_column(
        enum_column(ShipmentStatus), default=ShipmentStatus.REQUESTED, index=True
    )
    tracking_code: Mapped[str | None] = mapped_column(String(60), index=True)
    fee: Mapped[int | None]  # what the carrier charges the cooperative, when it says
    cod_amount: Mapped[int] = mapped_column(default=0)
    weight_grams: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(255))
    attempts: Mapped[int] = mapped_column(default=0)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    booked_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]

    producer_order: Mapped["ProducerOrder"] = relationship(  # noqa: F821
        backref=db.backref("shipment", uselist=False, viewonly=True)
    )
    events: Mapped[list["TrackingEvent"]] = relationship(
        order_by="TrackingEvent.happened_at, TrackingEvent.id", viewonly=True
    )


class TrackingEvent(db.Model):
    """Every tracking event a carrier sent, unique by its id: a redelivery changes nothing."""

    __tablename__ = "tracking_events"
    __table_args__ = (UniqueConstraint("carrier", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(255))
    shipment_id: Mapped[int | None] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), index=True
    )
    tracking_code: Mapped[str] = mapped_column(String(60), default="")
    carrier_status: Mapped[str] = mapped_column(String(60), default="")
    # Our word for it (a ShipmentStatus value), or "unknown": recorded, shown, moves nothing.
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(255), default="")
    happened_at: Mapped[datetime]
    received_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(60), default="")


class CodImport(TimestampMixin, db.Model):
    """A carrier's COD remittance report, imported once (the file's hash is UNIQUE)."""

    __tablename__ = "cod_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier: Mapped[str] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    matched: Mapped[int] = mapped_column(default=0)
    mismatched: Mapped[int] = mapped_column(default=0)
    total_amount: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    lines: Mapped[list["CodImportLine"]] = relationship(
        back_populates="cod_import", cascade="all, delete-orphan", order_by="CodImportLine.id"
    )


class CodImportLine(db.Model):
    __tablename__ = "cod_import_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    cod_import_id: Mapped[int] = mapped_column(
        ForeignKey("cod_imports.id", ondelete="CASCADE"), index=True
    )
    row_number: Mapped[int]
    tracking_code: Mapped[str] = mapped_column(String(60), default="")
    amount: Mapped[int | None]
    producer_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("producer_orders.id", ondelete="SET NULL"), index=True
    )
    # matched, or why not: unknown_parcel, amount_differs, not_delivered, already_settled,
    # not_cod, bad_row
    outcome: Mapped[str] = mapped_column(String(30))
    expected_amount: Mapped[int | None]
    raw: Mapped[dict | None] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")

    cod_import: Mapped[CodImport] = relationship(back_populates="lines")

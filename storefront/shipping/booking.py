"""Booking a parcel with the carrier from the dashboard ("Gửi hàng"), and its label.

The click inserts the sub-order's one Shipment row (UNIQUE producer_order_id) in the
request's transaction; a double click, or a colleague's click, loses on that key and is
told the parcel is already booked. The carrier is called after the commit, by the task
storefront.book_shipment, which claims the row (REQUESTED → BOOKED) with a conditional
UPDATE: of two runs of it only one stores the code and ships the sub-order. The carrier
is given the sub-order's own reference, so a retried call books the same parcel, never a
second one. A refusal or a timeout leaves the row BOOKING_FAILED, with the reason, and
the button offers to try again.
"""

import logging
from datetime import datetime

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..admin import audit
from ..clock import utcnow
from ..core import places
from ..errors import InvalidTransition, ValidationFailed
from ..orders import routing
from ..orders.models import PaymentMethod, ProducerOrder, SubOrderStatus
from ..producers.models import Producer
from ..producers.scoping import ensure_own
from . import carriers
from .carriers.base import CarrierError, Label, Parcel, Place
from .models import Shipment, ShipmentStatus
from .quotes import accounts_of, parcel_weight_grams, place_of_producer, profile_of
from .secrets import decrypt

log = logging.getLogger(__name__)
BOOK_TASK = "storefront.book_shipment"
SHORT_NAMES = {"ghn": "GHN", "ghtk": "GHTK", "viettelpost": "Viettel Post"}


def parcel_reference(sub_order: ProducerOrder) -> str:
    """Our id for the parcel, the same on every try: OCOP-2026-000123-7."""
    return f"{sub_order.order.number}-{sub_order.id}"


def carrier_for(session: Session, sub_order: ProducerOrder) -> str:
    """The carrier quoted at checkout if the cooperative still has it, else its chosen one."""
    accounts = accounts_of(session, sub_order.producer_id)
    if sub_order.shipping_carrier in accounts:
        return sub_order.shipping_carrier
    profile = profile_of(session, sub_order.producer_id)
    if profile is not None and profile.carrier in accounts:
        return profile.carrier
    if accounts:
        return next(iter(accounts))
    raise ValidationFailed(
        _l("Add a carrier account under Carriers and shipping before booking a parcel.")
    )


def cod_amount(sub_order: ProducerOrder) -> int:
    if sub_order.order.payment_method is not PaymentMethod.COD:
        return 0
    return max(sub_order.total - sub_order.refunded_amount, 0)


def request_booking(
    session: Session,
    producer: Producer,
    sub_order: ProducerOrder,
    actor_id: int | None,
    config,
    now: datetime | None = None,
) -> Shipment:
    ensure_own(producer, sub_order.producer_id)
    if sub_order.status is not SubOrderStatus.PACKED:
        raise InvalidTransition(_l("Pack the parcel before booking the carrier."))
    now = now or utcnow()
    existing = session.scalar(select(Shipment).where(Shipment.producer_order_id == sub_order.id))
    if existing is not None:
        # A failed booking may be tried again: one click wins the conditional UPDATE.
        retried = session.execute(
            update(Shipment)
            .where(Shipment.id == existing.id, Shipment.status == ShipmentStatus.BOOKING_FAILED)
            .values(status=ShipmentStatus.REQUESTED, error=None, updated_at=now),
            execution_options={"synchronize_session": False},
        )
        session.refresh(existing)
        if retried.rowcount != 1:
            raise InvalidTransition(_l("This parcel is already booked with the carrier."))
        shipment = existing
    else:
        carrier = carrier_for(session, sub_order)
        shipment = Shipment(
            producer_order_id=sub_order.id,
            producer_id=sub_order.producer_id,
            carrier=carrier,
            service=sub_order.shipping_service or "",
            status=ShipmentStatus.REQUESTED,
            cod_amount=cod_amount(sub_order),
            weight_grams=sub_order.parcel_weight_grams or parcel_weight_grams(sub_order.lines),
            requested_by_id=actor_id,
            updated_at=now,
        )
        try:
            with session.begin_nested():
                session.add(shipment)
        except IntegrityError as error:
            # A twin click inserted it first (PostgreSQL waited for its commit).
            raise InvalidTransition(
                _l("This parcel is already booked with the carrier.")
            ) from error
    audit.record(
        session,
        actor_id,
        "shipment.book",
        sub_order,
        None,
        {"carrier": shipment.carrier, "shipment_id": shipment.id},
    )
    from ..tasks import enqueue

    enqueue(BOOK_TASK, shipment.id)
    return shipment


def _parcel(sub_order: ProducerOrder, shipment: Shipment) -> Parcel:
    order = sub_order.order
    return Parcel(
        reference=parcel_reference(sub_order),
        sender=place_of_producer(sub_order.producer),
        recipient=Place(
            name=order.name,
            phone=order.phone,
            street=order.street,
            ward_code=order.ward_code,
            ward_name=places.ward_name(order.ward_code),
            province_code=order.province_code,
            province_name=places.province_name(order.province_code),
        ),
        weight_grams=max(shipment.weight_grams, 1),
        value=sub_order.subtotal,
        cod_amount=shipment.cod_amount,
        items=tuple((line.product_name, line.quantity) for line in sub_order.lines),
        note=order.note or "",
    )


def client_of(session: Session, shipment: Shipment, config):
    account = accounts_of(session, shipment.producer_id).get(shipment.carrier)
    if account is None:
        raise ValidationFailed(_l("The cooperative no longer has an account with this carrier."))
    return carriers.client_for(
        shipment.carrier, decrypt(config, account.credentials_encrypted), config
    )


def _move(session: Session, shipment_id: int, expected: ShipmentStatus, **values) -> bool:
    """One conditional step of a shipment: true only for the run that made it."""
    moved = session.execute(
        update(Shipment)
        .where(Shipment.id == shipment_id, Shipment.status == expected)
        .values(**values),
        execution_options={"synchronize_session": False},
    )
    return moved.rowcount == 1


def book(session: Session, shipment_id: int, config, now: datetime | None = None) -> str:
    """The task's work: call the carrier, then store the code and ship the sub-order, once."""
    shipment = session.get(Shipment, shipment_id)
    if shipment is None or shipment.status is not ShipmentStatus.REQUESTED:
        return "nothing_to_do"
    sub_order = shipment.producer_order
    now = now or utcnow()
    try:
        booking = client_of(session, shipment, config).create_shipment(_parcel(sub_order, shipment))
    except (CarrierError, ValidationFailed) as error:
        with force_locale("vi"):
            reason = str(error.message)[:255]
        _move(
            session,
            shipment.id,
            ShipmentStatus.REQUESTED,
            status=ShipmentStatus.BOOKING_FAILED,
            error=reason,
            attempts=Shipment.attempts + 1,
            updated_at=now,
        )
        log.warning("booking shipment %s with %s failed: %s", shipment.id, shipment.carrier, reason)
        return "failed"
    claimed = _move(
        session,
        shipment.id,
        ShipmentStatus.REQUESTED,
        status=ShipmentStatus.BOOKED,
        tracking_code=booking.tracking_code,
        service=booking.service,
        fee=booking.fee,
        attempts=Shipment.attempts + 1,
        booked_at=now,
        updated_at=now,
    )
    if not claimed:
        return "already_booked"  # a twin run stored the same booking
    session.refresh(shipment)
    carrier_name = SHORT_NAMES.get(shipment.carrier) or sub_order.producer_name
    try:
        routing.ship(
            session,
            sub_order,
            shipment.requested_by_id,
            carrier_name[:60],
            booking.tracking_code,
            now=now,
        )
    except InvalidTransition:
        # Cancelled between the click and the booking: the parcel must not leave.
        log.warning("sub-order %s moved on while booking; cancelling the parcel", sub_order.id)
        try:
            client_of(session, shipment, config).cancel(booking.tracking_code)
        except (CarrierError, ValidationFailed):
            log.exception("cancelling parcel %s failed; cancel it by hand", booking.tracking_code)
        # Only from "booked": a tracking webhook may already have moved the parcel on.
        _move(
            session,
            shipment.id,
            ShipmentStatus.BOOKED,
            status=ShipmentStatus.CANCELLED,
            updated_at=now,
        )
        return "cancelled"
    return "booked"


def label(session: Session, producer: Producer, sub_order: ProducerOrder, config) -> Label:
    ensure_own(producer, sub_order.producer_id)
    shipment = session.scalar(select(Shipment).where(Shipment.producer_order_id == sub_order.id))
    if shipment is None or not shipment.tracking_code:
        raise ValidationFailed(_l("This parcel is not booked with a carrier yet."))
    return client_of(session, shipment, config).label_pdf(shipment.tracking_code)

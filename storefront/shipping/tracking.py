"""Tracking events from the carriers' webhooks, applied forward only.

Every event is stored under UNIQUE (carrier, event_id) in the same transaction as its
effect, so a redelivery finds its row (or loses the insert race) and changes nothing. A
parcel's status only moves forward, by a conditional UPDATE whose WHERE lists the states
it may come from: a late "in transit" after "delivered" matches no row. Delivery hands the
sub-order to orders.routing.deliver (the same conditional move the cooperative's button
makes, with the ledger and the buyer's email); a failed or returned parcel is put on the
order's timeline for the cooperative and the admins. An event we do not know is recorded
and changes nothing.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..clock import utcnow
from ..errors import DomainError
from ..orders import routing
from ..orders.models import OrderEvent, SubOrderStatus
from .carriers.base import TrackingUpdate
from .models import CarrierAccount, Shipment, ShipmentStatus, TrackingEvent

T = ShipmentStatus
# Where each status may be reached from (forward only).
SOURCES = {
    T.PICKED_UP: {T.BOOKED},
    T.IN_TRANSIT: {T.BOOKED, T.PICKED_UP},
    T.DELIVERED: {T.BOOKED, T.PICKED_UP, T.IN_TRANSIT, T.FAILED},
    T.FAILED: {T.BOOKED, T.PICKED_UP, T.IN_TRANSIT},
    T.RETURNED: {T.BOOKED, T.PICKED_UP, T.IN_TRANSIT, T.FAILED},
    T.CANCELLED: {T.BOOKED},
}

# A tracking event's words: its status's label, or "Carrier update" for one we do not know.
EVENT_LABELS = {status.value: status.label for status in ShipmentStatus}
EVENT_LABELS["unknown"] = _l("Carrier update")

TRACKING_URLS = {
    "ghn": "https://donhang.ghn.vn/?order_code={code}",
    "ghtk": "https://i.ghtk.vn/{code}",
    "viettelpost": "https://viettelpost.com.vn/tra-cuu-hanh-trinh-don/?orderNumber={code}",
}


def tracking_url(shipment: Shipment | None) -> str | None:
    if shipment is None or not shipment.tracking_code or shipment.carrier not in TRACKING_URLS:
        return None
    return TRACKING_URLS[shipment.carrier].format(code=shipment.tracking_code)


def account_for_secret(session: Session, carrier: str, secret: str) -> CarrierAccount | None:
    if not secret or len(secret) > 64:
        return None
    return session.scalar(
        select(CarrierAccount).where(
            CarrierAccount.carrier == carrier, CarrierAccount.webhook_secret == secret
        )
    )


def already_recorded(session: Session, carrier: str, event_id: str) -> bool:
    return (
        session.scalar(
            select(TrackingEvent.id).where(
                TrackingEvent.carrier == carrier, TrackingEvent.event_id == event_id
            )
        )
        is not None
    )


def advance(session: Session, shipment: Shipment, target: ShipmentStatus, now: datetime) -> bool:
    result = session.execute(
        update(Shipment)
        .where(Shipment.id == shipment.id, Shipment.status.in_(SOURCES[target]))
        .values(status=target, updated_at=now),
        execution_options={"synchronize_session": False},
    )
    session.refresh(shipment)
    return result.rowcount == 1


def _apply(session: Session, shipment: Shipment, target: ShipmentStatus, now: datetime) -> str:
    if not advance(session, shipment, target, now):
        return "not_forward"
    sub_order = shipment.producer_order
    if target is T.DELIVERED:
        if sub_order.status is SubOrderStatus.SHIPPED:
            try:
                # The carrier collected a COD parcel's cash at the door.
                routing.deliver(session, sub_order, None, cash_received=True, now=now)
            except DomainError:
                return "delivered_not_applied"
        return "delivered"
    if target in (T.FAILED, T.RETURNED):
        session.add(
            OrderEvent(
                order_id=sub_order.order_id,
                producer_order_id=sub_order.id,
                kind=f"shipment_{target.value}",
                message="",
                data={"carrier": shipment.carrier, "tracking_code": shipment.tracking_code},
            )
        )
        session.flush()
    return target.value


def process(
    session: Session,
    account: CarrierAccount,
    updates: list[TrackingUpdate],
    now: datetime | None = None,
) -> list[str]:
    """Record and apply each update in the caller's transaction; returns their outcomes."""
    now = now or utcnow()
    outcomes = []
    for item in updates:
        if already_recorded(session, account.carrier, item.event_id):
            outcomes.append("duplicate")
            continue
        shipment = session.scalar(
            select(Shipment).where(
                Shipment.carrier == account.carrier,
                Shipment.tracking_code == item.tracking_code,
                Shipment.producer_id == account.producer_id,
            )
        )
        record = TrackingEvent(
            carrier=account.carrier,
            event_id=item.event_id,
            shipment_id=shipment.id if shipment else None,
            tracking_code=item.tracking_code,
            carrier_status=item.carrier_status,
            kind=item.kind,
            description=item.description,
            happened_at=item.happened_at,
            received_at=now,
        )
        session.add(record)
        # Claim the id before any effect: a concurrent twin blocks here, then fails on the key.
        session.flush()
        if shipment is None:
            record.outcome = "unknown_parcel"
        elif item.kind not in {status.value for status in SOURCES}:
            record.outcome = "recorded" if item.kind != "unknown" else "unknown_status"
        else:
            record.outcome = _apply(session, shipment, T(item.kind), now)
        session.flush()
        outcomes.append(record.outcome)
    return outcomes

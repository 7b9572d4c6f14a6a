"""Tracking webhooks: verified (the URL's per-cooperative secret; Viettel Post's TOKEN),
deduplicated by event id, forward only; an unknown event is recorded and answered 200."""

import json

import pytest
from flask import current_app
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.orders.models import ProducerOrder, SubOrderStatus
from storefront.producers.models import LedgerEntry
from storefront.shipping import booking
from storefront.shipping.models import CarrierAccount, Shipment, ShipmentStatus, TrackingEvent

from .helpers import cooperative, packed_order


def _booked(carrier="ghn"):
    membership, product = cooperative(carrier)
    order, sub_order = packed_order(membership, product)
    shipment = booking.request_booking(
        db.session, membership.producer, sub_order, None, current_app.config
    )
    db.session.flush()
    assert booking.book(db.session, shipment.id, current_app.config) == "booked"
    db.session.commit()
    account = db.session.scalar(
        select(CarrierAccount).where(CarrierAccount.producer_id == membership.producer_id)
    )
    return sub_order, db.session.get(Shipment, shipment.id), account


def _ghn(client, account, code, status, when="2026-12-03T08:00:00Z", secret=None):
    body = {"OrderCode": code, "Status": status, "Time": when, "Type": "switch_status"}
    return client.post(
        f"/webhooks/shipping/ghn/{secret or account.webhook_secret}",
        data=json.dumps(body),
        content_type="application/json",
    )


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def test_bad_secret_is_401_and_changes_nothing(client, app):
    sub_order, shipment, account = _booked()
    response = _ghn(client, account, shipment.tracking_code, "delivered", secret="x" * 43)
    assert response.status_code == 401
    assert _count(TrackingEvent) == 0
    assert _fresh(Shipment, shipment.id).status is ShipmentStatus.BOOKED
    assert _fresh(ProducerOrder, sub_order.id).status is SubOrderStatus.SHIPPED


def test_another_cooperatives_secret_cannot_move_this_parcel(client, app):
    sub_order, shipment, _ = _booked()
    _, _, other_account = _booked()
    response = _ghn(client, other_account, shipment.tracking_code, "delivered")
    assert response.status_code == 200 and response.json["outcomes"] == ["unknown_parcel"]
    assert _fresh(Shipment, shipment.id).status is ShipmentStatus.BOOKED


def test_delivered_moves_the_sub_order_once_and_posts_the_ledger(client, app):
    sub_order, shipment, account = _booked()
    assert _ghn(client, account, shipment.tracking_code, "picked").json["outcomes"] == ["picked_up"]
    first = _ghn(client, account, shipment.tracking_code, "delivered")
    again = _ghn(client, account, shipment.tracking_code, "delivered")
    assert first.json["outcomes"] == ["delivered"] and again.json["outcomes"] == ["duplicate"]
    assert _fresh(Shipment, shipment.id).status is ShipmentStatus.DELIVERED
    delivered = _fresh(ProducerOrder, sub_order.id)
    assert delivered.status is SubOrderStatus.DELIVERED and delivered.cash_received
    kinds = db.session.scalars(
        select(LedgerEntry.kind).where(LedgerEntry.producer_order_id == sub_order.id)
    ).all()
    assert sorted(k.value for k in kinds) == ["cod_collected", "commission", "sale"]
    assert _count(TrackingEvent) == 2


def test_out_of_order_events_never_move_backwards(client, app):
    sub_order, shipment, account = _booked()
    _ghn(client, account, shipment.tracking_code, "delivered", when="2026-12-03T10:00:00Z")
    late = _ghn(
        client, account, shipment.tracking_code, "transporting", when="2026-12-03T09:00:00Z"
    )
    assert late.status_code == 200 and late.json["outcomes"] == ["not_forward"]
    assert _fresh(Shipment, shipment.id).status is ShipmentStatus.DELIVERED
    assert _fresh(ProducerOrder, sub_order.id).status is SubOrderStatus.DELIVERED


def test_an_unknown_event_is_recorded_and_answered_200(client, app):
    sub_order, shipment, account = _booked()
    response = _ghn(client, account, shipment.tracking_code, "lost_in_the_clouds")
    assert response.status_code == 200 and response.json["outcomes"] == ["unknown_status"]
    event = db.session.scalar(select(TrackingEvent))
    assert (event.kind, event.shipment_id) == ("unknown", shipment.id)
    assert _fresh(Shipment, shipment.id).status is ShipmentStatus.BOOKED


def test_an_unreadable_body_is_400(client, app):
    _, shipment, account = _booked()
    response = client.post(
        f"/webhooks/shipping/ghn/{account.webhook_secret}", data=b"\xff{", content_type="text/plain"
    )
    assert response.status_code == 400 and _count(TrackingEvent) == 0


def test_failed_then_returned_is_on_the_order_timeline(client, app):
    sub_order, shipment, account = _booked()
    _ghn(client, account, shipment.tracking_code, "delivery_fail", when="2026-12-03T08:00:00Z")
    _ghn(client, account, shipment.tracking_code, "returned", when="2026-12-04T08:00:00Z")
    assert _fresh(Shipment, shipment.id).status is ShipmentStatus.RETURNED
    assert _fresh(ProducerOrder, sub_order.id).status is SubOrderStatus.SHIPPED


def _vtp(client, account, code, status, token):
    body = {
        "DATA": {
            "ORDER_NUMBER": code,
            "ORDER_STATUS": status,
            "ORDER_STATUSDATE": "03/12/2026 15:00:00",
        },
        "TOKEN": token,
    }
    return client.post(
        f"/webhooks/shipping/viettelpost/{account.webhook_secret}",
        data=json.dumps(body),
        content_type="application/json",
    )


@pytest.mark.parametrize(("token_ok", "status"), [(False, 401), (True, 200)])
def test_viettelpost_checks_its_own_token(client, app, token_ok, status):
    sub_order, shipment, account = _booked("viettelpost")
    token = account.webhook_secret if token_ok else "wrong"
    response = _vtp(client, account, shipment.tracking_code, 501, token)
    assert response.status_code == status
    expected = ShipmentStatus.DELIVERED if token_ok else ShipmentStatus.BOOKED
    assert _fresh(Shipment, shipment.id).status is expected
    event = db.session.scalar(select(TrackingEvent))
    if token_ok:
        assert event.happened_at.hour == 8  # 15:00 in Vietnam is 08:00 UTC
    else:
        assert event is None


def test_the_buyer_sees_the_tracking_link_and_events_in_words(client, app):
    sub_order, shipment, account = _booked()
    _ghn(client, account, shipment.tracking_code, "delivered", when="2026-12-03T08:00:00Z")
    order = _fresh(ProducerOrder, sub_order.id).order
    page = client.get(f"/orders/{order.number}?token={order.access_token}").get_data(as_text=True)
    assert f"https://donhang.ghn.vn/?order_code={shipment.tracking_code}" in page
    assert "Đã giao" in page  # the event's label in Vietnamese, not "delivered"
    assert "15:00" in page  # 08:00 UTC shown in Vietnam time

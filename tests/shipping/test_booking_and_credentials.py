"""Carrier accounts (encrypted at rest, entered in the dashboard, scoped to the producer),
the quote kept on the sub-order at checkout, and "Gửi hàng": booking the fake carrier once,
storing the code, shipping the sub-order and printing the label."""

import pytest
from flask import current_app
from sqlalchemy import func, select, text

from storefront.admin.models import AuditEvent
from storefront.errors import InvalidTransition, ValidationFailed
from storefront.extensions import db
from storefront.orders.models import ProducerOrder, SubOrderStatus
from storefront.shipping import booking
from storefront.shipping.models import CarrierAccount, Shipment, ShipmentStatus
from storefront.shipping.rates import RATE_CARDS
from storefront.shipping.regions import Route
from storefront.shipping.secrets import decrypt
from tests.conftest import AuthActions
from tests.factories import AdminFactory, variant_of

from .helpers import HCM, HCM_WARD, cooperative, packed_order


def test_credentials_are_encrypted_at_rest(app):
    membership, _ = cooperative("ghn")
    db.session.commit()
    raw = db.session.execute(text("SELECT credentials_encrypted FROM carrier_accounts")).scalar()
    assert "ghn-secret-token" not in raw and "885" not in raw
    account = db.session.scalar(select(CarrierAccount))
    assert decrypt(current_app.config, account.credentials_encrypted) == {
        "shop_id": "885",
        "token": "ghn-secret-token",
    }
    # Another key cannot read them.
    other = {**current_app.config, "SHIPPING_CREDENTIALS_KEY": "", "SECRET_KEY": "other"}
    with pytest.raises(ValidationFailed):
        decrypt(other, account.credentials_encrypted)


def test_owner_enters_credentials_in_the_dashboard_and_they_are_never_shown_again(client, app):
    membership, _ = cooperative(None)
    db.session.commit()
    AuthActions(client).login_as(membership.user)
    missing = client.post("/dashboard/shipping/accounts", data={"carrier": "ghtk"})
    assert missing.status_code == 422
    saved = client.post(
        "/dashboard/shipping/accounts",
        data={"carrier": "ghtk", "ghtk-token": "tok-123456", "ghtk-partner_code": ""},
    )
    assert saved.status_code == 303
    page = client.get("/dashboard/shipping").get_data(as_text=True)
    assert "tok-123456" not in page
    account = db.session.scalar(select(CarrierAccount))
    assert account.producer_id == membership.producer_id
    assert f"/webhooks/shipping/ghtk/{account.webhook_secret}" in page
    audit = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "shipping.account_saved")
    )
    assert "tok-123456" not in str(audit.after)


def test_checkout_keeps_what_was_quoted(app):
    membership, product = cooperative("ghn")
    order, sub_order = packed_order(membership, product, quantity=3)
    card = RATE_CARDS["ghn"]
    weight = 3 * variant_of(product).weight_grams
    assert sub_order.shipping_carrier == "ghn"
    assert sub_order.parcel_weight_grams == weight
    assert sub_order.quoted_shipping_fee == card.fee(Route.OTHER_REGION, weight)
    assert sub_order.shipping_eta_days == card.eta_days(Route.OTHER_REGION)
    # 3 × 120.000 is under the shop's default threshold and the cooperative set none.
    assert sub_order.shipping_fee == sub_order.quoted_shipping_fee
    assert not sub_order.shipping_review


def test_a_carrier_unreachable_at_checkout_still_places_the_order_flagged(app_factory, refused_url):
    app = app_factory(SHIPPING_LIVE_QUOTES=True, CARRIERS_LIVE=True, GHN_API_BASE=refused_url)
    with app.app_context():
        membership, product = cooperative("ghn")
        from tests.factories import place_test_order

        order = place_test_order([(product, 1)], province_code=HCM, ward_code=HCM_WARD)
        sub_order = order.sub_orders[0]
        assert sub_order.shipping_review is True
        assert sub_order.shipping_fee == RATE_CARDS["ghn"].fee(Route.OTHER_REGION, 500)
        admin = AdminFactory()
        db.session.commit()
        client = app.test_client()
        AuthActions(client).login_as(admin)
        page = client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
        assert "shipping-review" in page
        db.session.remove()


def _book(client, sub_order):
    return client.post(f"/dashboard/orders/{sub_order.id}/book")


def test_ship_books_the_fake_carrier_once_and_offers_the_label(client, app):
    membership, product = cooperative("ghn")
    order, sub_order = packed_order(membership, product)
    db.session.commit()
    AuthActions(client).login_as(membership.user)
    first = _book(client, sub_order)
    second = _book(client, sub_order)
    assert first.status_code == 303 and second.status_code == 303
    shipments = db.session.scalars(select(Shipment)).all()
    assert len(shipments) == 1
    shipment = shipments[0]
    assert shipment.status is ShipmentStatus.BOOKED and shipment.tracking_code.startswith("GHN")
    assert shipment.cod_amount == sub_order.total
    db.session.expire_all()
    sub_order = db.session.get(ProducerOrder, sub_order.id)
    assert sub_order.status is SubOrderStatus.SHIPPED
    assert (sub_order.carrier, sub_order.tracking_number) == ("GHN", shipment.tracking_code)
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "shipment.book")
        )
        == 1
    )
    label = client.get(f"/dashboard/orders/{sub_order.id}/label")
    assert label.status_code == 200 and label.data.startswith(b"%PDF")
    assert label.mimetype == "application/pdf"


def test_another_producers_sub_order_is_404(client, app):
    membership, product = cooperative("ghn")
    other, _ = cooperative("ghn")
    order, sub_order = packed_order(membership, product)
    db.session.commit()
    AuthActions(client).login_as(other.user)
    assert _book(client, sub_order).status_code == 404
    assert client.get(f"/dashboard/orders/{sub_order.id}/label").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Shipment)) == 0


def test_a_refused_booking_can_be_tried_again(app, refused_url):
    membership, product = cooperative("ghn")
    order, sub_order = packed_order(membership, product)
    shipment = booking.request_booking(
        db.session, membership.producer, sub_order, membership.user_id, current_app.config
    )
    db.session.flush()
    broken = {**current_app.config, "CARRIERS_LIVE": True, "GHN_API_BASE": refused_url}
    assert booking.book(db.session, shipment.id, broken) == "failed"
    db.session.refresh(shipment)
    assert shipment.status is ShipmentStatus.BOOKING_FAILED and shipment.error
    assert sub_order.status is SubOrderStatus.PACKED
    booking.request_booking(
        db.session, membership.producer, sub_order, membership.user_id, current_app.config
    )
    assert booking.book(db.session, shipment.id, current_app.config) == "booked"
    assert booking.book(db.session, shipment.id, current_app.config) == "nothing_to_do"
    db.session.refresh(sub_order)
    assert sub_order.status is SubOrderStatus.SHIPPED


def test_booking_needs_a_packed_parcel(app):
    membership, product = cooperative("ghn")
    order, sub_order = packed_order(membership, product)
    from storefront.orders import routing

    routing.ship(db.session, sub_order, None, "Tự giao", "X1")
    with pytest.raises(InvalidTransition):
        booking.request_booking(
            db.session, membership.producer, sub_order, None, current_app.config
        )
    assert db.session.scalar(select(func.count()).select_from(Shipment)) == 0


def test_self_delivery_books_with_our_reference_and_prints_a_label(client, app):
    membership, product = cooperative("self")
    order, sub_order = packed_order(membership, product)
    db.session.commit()
    AuthActions(client).login_as(membership.user)
    assert _book(client, sub_order).status_code == 303
    shipment = db.session.scalar(select(Shipment))
    assert shipment.tracking_code == f"{order.number}-{sub_order.id}"
    label = client.get(f"/dashboard/orders/{sub_order.id}/label")
    assert label.status_code == 200 and label.data.startswith(b"%PDF")
    # No carrier reports on it: the cooperative marks it delivered itself.
    assert client.post(f"/webhooks/shipping/self/{'x' * 43}", data=b"{}").status_code == 404


def test_the_parcel_weighs_what_its_variants_weigh(app):
    membership, product = cooperative("ghn")
    variant_of(product).weight_grams = 1500
    db.session.flush()
    order, sub_order = packed_order(membership, product, quantity=2)
    assert sub_order.parcel_weight_grams == 3000
    assert sub_order.quoted_shipping_fee == RATE_CARDS["ghn"].fee(Route.OTHER_REGION, 3000)


def test_a_parcel_cancelled_while_booking_is_cancelled_with_the_carrier(app):
    from storefront.orders import routing

    membership, product = cooperative("ghn")
    order, sub_order = packed_order(membership, product)
    shipment = booking.request_booking(
        db.session, membership.producer, sub_order, membership.user_id, current_app.config
    )
    routing.cancel(db.session, sub_order, membership.user_id, "Khách đổi ý")
    db.session.flush()
    assert booking.book(db.session, shipment.id, current_app.config) == "cancelled"
    db.session.expire_all()
    assert db.session.get(Shipment, shipment.id).status is ShipmentStatus.CANCELLED
    assert db.session.get(ProducerOrder, sub_order.id).status is SubOrderStatus.CANCELLED
    # A second run finds nothing to do and does not book again.
    assert booking.book(db.session, shipment.id, current_app.config) == "nothing_to_do"

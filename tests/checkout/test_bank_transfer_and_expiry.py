from datetime import timedelta

import pytest
from sqlalchemy import func, select

from storefront.clock import utcnow
from storefront.errors import InvalidTransition, ValidationFailed
from storefront.extensions import db
from storefront.mail import outbox
from storefront.orders.bank_transfer import _crc16_ccitt, confirm_bank_transfer, vietqr_payload
from storefront.orders.checkout import place_order
from storefront.orders.expiry import release_expired_reservations
from storefront.orders.models import OrderEvent, PaymentMethod, PaymentStatus, SubOrderStatus
from storefront.producers.models import StockMovement, StockReason
from tests.checkout.factories_checkout import cart_with, details, form_data
from tests.factories import AdminFactory, ProducerFactory, ProductFactory

BANK = PaymentMethod.BANK_TRANSFER


def _bank_order(**product_fields):
    honey = ProductFactory(**{"stock_on_hand": 10, **product_fields})
    order = place_order(db.session, cart_with({honey: 3}), details(BANK))
    db.session.commit()
    return order, honey


def test_bank_order_waits_with_a_deadline_and_reference(app):
    order, honey = _bank_order()
    assert order.payment_status is PaymentStatus.PENDING
    assert order.transfer_reference == order.number.replace("-", "")
    hours = app.config["BANK_TRANSFER_EXPIRY_HOURS"]
    assert order.reservation_expires_at - order.created_at == pytest.approx(
        timedelta(hours=hours), abs=timedelta(seconds=5)
    )
    db.session.refresh(honey)
    assert honey.stock_reserved == 3
    # The cooperative hears nothing until the money arrives; the buyer gets instructions.
    (message,) = outbox()
    assert message["To"] == "mai@example.vn"
    assert order.transfer_reference in message.get_content()


def test_order_page_shows_account_amount_reference_and_qr(client, app):
    honey = ProductFactory(price=125_000)
    client.set_cookie("lang", "en")
    client.post("/cart/add", data={"product_id": honey.id, "quantity": 2})
    location = client.post("/checkout", data=form_data("bank_transfer")).headers["Location"]
    page = client.get(location)
    text = page.get_data(as_text=True)
    order_number = location.split("/")[2].split("?")[0]
    reference = order_number.replace("-", "")
    assert app.config["SHOP_BANK_ACCOUNT"] in text
    assert "280.000" in text  # 250.000 + 30.000 shipping
    assert reference in text
    token = location.split("token=")[1]
    qr = client.get(f"/orders/{order_number}/transfer-qr.svg?token={token}")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert b"<script" not in qr.data
    assert client.get(f"/orders/{order_number}/transfer-qr.svg").status_code == 404


def test_vietqr_payload_is_well_formed():
    payload = vietqr_payload("970436", "0011004455667", 280_000, "OCOP2026000001")
    assert payload.startswith("000201010212")
    assert "0010A000000727" in payload and "5303704" in payload and "5406280000" in payload
    assert "OCOP2026000001" in payload and "5802VN" in payload
    assert payload[-4:] == _crc16_ccitt(payload[:-4])
    assert _crc16_ccitt("123456789") == "29B1"  # CRC-16/CCITT-FALSE check value


def test_confirm_bank_transfer_exactly_once(app):
    coop = ProducerFactory(contact_email="coop@example.vn")
    order, _ = _bank_order(producer=coop)
    admin = AdminFactory()
    outbox().clear()
    confirm_bank_transfer(db.session, order, admin.id)
    db.session.commit()
    assert order.payment_status is PaymentStatus.PAID and order.paid_at is not None
    assert order.reservation_expires_at is None
    assert order.payments[0].status is PaymentStatus.PAID
    assert sorted(m["To"] for m in outbox()) == ["coop@example.vn", "mai@example.vn"]
    with pytest.raises(InvalidTransition):
        confirm_bank_transfer(db.session, order, admin.id)
    db.session.rollback()
    paid_events = db.session.scalar(
        select(func.count()).select_from(OrderEvent).where(OrderEvent.kind == "paid")
    )
    assert paid_events == 1
    assert len(outbox()) == 2


def test_confirm_refuses_other_methods_and_expired_orders(app):
    cod = place_order(db.session, cart_with({ProductFactory(): 1}), details())
    with pytest.raises(ValidationFailed):
        confirm_bank_transfer(db.session, cod, None)
    order, _ = _bank_order()
    release_expired_reservations(db.session, utcnow() + timedelta(days=3))
    with pytest.raises(InvalidTransition):
        confirm_bank_transfer(db.session, order, None)


def test_cli_confirm_bank_transfer(app, runner):
    order, _ = _bank_order()
    result = runner.invoke(args=["confirm-bank-transfer", order.number])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert order.payment_status is PaymentStatus.PAID
    again = runner.invoke(args=["confirm-bank-transfer", order.number])
    assert again.exit_code != 0 and order.number in again.output
    missing = runner.invoke(args=["confirm-bank-transfer", "OCOP-2000-000000"])
    assert missing.exit_code != 0


def test_expiry_releases_stock_once(app):
    order, honey = _bank_order()
    cod = place_order(db.session, cart_with({honey: 1}), details())
    db.session.commit()
    assert release_expired_reservations(db.session, utcnow()) == 0  # not due yet
    later = order.reservation_expires_at + timedelta(seconds=1)
    assert release_expired_reservations(db.session, later) == 1
    db.session.commit()
    assert release_expired_reservations(db.session, later) == 0
    db.session.commit()
    db.session.refresh(honey)
    assert honey.stock_reserved == 1  # only the COD order still holds stock
    assert order.payment_status is PaymentStatus.EXPIRED
    assert [so.status for so in order.sub_orders] == [SubOrderStatus.CANCELLED]
    assert cod.payment_status is PaymentStatus.COD
    releases = db.session.scalar(
        select(func.count())
        .select_from(StockMovement)
        .where(StockMovement.reason == StockReason.RELEASE)
    )
    assert releases == 1


def test_cli_release_expired_reservations(app, runner):
    order, honey = _bank_order()
    order.reservation_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    result = runner.invoke(args=["release-expired-reservations"])
    assert result.exit_code == 0 and "1" in result.output
    result = runner.invoke(args=["release-expired-reservations"])
    assert result.exit_code == 0 and "0" in result.output
    db.session.refresh(honey)
    assert honey.stock_reserved == 0

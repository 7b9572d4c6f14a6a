"""Codes that do not apply say why, change nothing, and never make a total negative."""

from datetime import timedelta

import pytest
from flask_babel import force_locale

from storefront.cart import services as cart_services
from storefront.clock import utcnow
from storefront.errors import ValidationFailed
from storefront.extensions import db
from storefront.models import PaymentMethod
from storefront.orders.checkout import place_order
from storefront.promotions import services
from storefront.promotions.services import utc_to_vn
from tests.checkout.factories_checkout import cart_with, details
from tests.factories import ProducerFactory, ProductFactory
from tests.promotions.voucher_helpers import ocop10, terms, voucher

SHIPPING = cart_services.ShippingPolicy(fee=30_000, free_threshold=500_000)


@pytest.fixture
def cart(app):
    return cart_with({ProductFactory(price=150_000): 2})  # 300.000 ₫ of goods


def refused(cart, code) -> str:
    before = list(cart.vouchers or [])
    with force_locale("en"):
        with pytest.raises(ValidationFailed) as caught:
            services.apply_code(db.session, cart, code, SHIPPING)
        message = str(caught.value.message)
    assert (cart.vouchers or []) == before  # nothing changed
    return message


def test_unknown_and_malformed_codes(cart):
    for code in ("NOPE", "x", "OCOP10'; DROP TABLE vouchers;--", "Ă" * 40):
        assert "do not know this code" in refused(cart, code)
    assert "Enter a voucher code" in refused(cart, "   ")


def test_odd_case_and_spaces_find_the_code(cart):
    ocop10()
    services.apply_code(db.session, cart, "  oCoP 10\t", SHIPPING)
    assert cart.vouchers == [{"code": "OCOP10", "version": 1}]


def test_expired_and_not_started(cart):
    now = utc_to_vn(utcnow())
    voucher(code="OLD", starts_at=now - timedelta(days=9), ends_at=now - timedelta(days=1))
    voucher(code="SOON", starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=9))
    assert "expired at" in refused(cart, "old")
    assert "can be used from" in refused(cart, "soon")


def test_used_up_and_per_buyer(cart):
    used = voucher(code="GONE", total_uses=1)
    used.uses = 1
    db.session.flush()
    with force_locale("vi"):
        with pytest.raises(ValidationFailed) as caught:
            services.apply_code(db.session, cart, "gone", SHIPPING)
        assert "Mã đã hết lượt" in str(caught.value.message)


def test_minimum_order_and_out_of_scope(cart):
    voucher(code="BIG", min_order=500_000)
    with force_locale("vi"):
        with pytest.raises(ValidationFailed) as caught:
            services.apply_code(db.session, cart, "BIG", SHIPPING)
        assert "Đơn tối thiểu 500.000" in str(caught.value.message)
    voucher(code="TEA", scope="group", scope_group="beverage", min_order=0)
    assert "does not apply to the products" in refused(cart, "TEA")
    other = ProducerFactory()
    voucher(producer_id=other.id, code="THEIRS", kind="fixed", value=10_000, min_order=0)
    assert "does not apply to the products" in refused(cart, "THEIRS")


def test_a_fixed_amount_never_makes_a_line_negative(app):
    cheap = cart_with({ProductFactory(price=5_000): 1})
    voucher(code="HUGE", kind="fixed", value=100_000, min_order=0, max_discount=None)
    summary = services.apply_code(db.session, cheap, "HUGE", SHIPPING) and cart_services.summarize(
        db.session, cheap, SHIPPING
    )
    assert summary.discount_total == 5_000  # capped at the goods
    assert summary.grand_total == 30_000  # shipping is still paid; never below zero
    order = place_order(db.session, cheap, details(PaymentMethod.COD))
    assert [line.line_total - line.discount for line in order.lines] == [0]
    assert order.grand_total == 30_000


def test_a_percentage_over_100_is_refused_with_a_message(app):
    with force_locale("en"):
        with pytest.raises(ValidationFailed) as caught:
            services.create_voucher(db.session, terms(code="MAX", value=150), None, None)
        assert "from 1 to 100" in str(caught.value.message)
    with pytest.raises(ValidationFailed):
        services.create_voucher(db.session, terms(code="NEG", kind="fixed", value=-5), None, None)


def test_a_voucher_changed_while_in_the_cart_is_flagged_before_ordering(cart):
    offer = ocop10()
    services.apply_code(db.session, cart, "OCOP10", SHIPPING)
    services.update_voucher(db.session, offer, terms(value=5), actor_id=None)

    summary = cart_services.summarize(db.session, cart, SHIPPING)
    assert summary.has_problems and summary.discount_total == 15_000  # the new 5 %
    with force_locale("en"):
        with pytest.raises(ValidationFailed) as caught:
            place_order(db.session, cart, details(PaymentMethod.COD))
        assert "changed" in str(caught.value.message)

    cart_services.accept_changes(db.session, cart)
    order = place_order(db.session, cart, details(PaymentMethod.COD))
    assert order.discount_total == 15_000


def test_a_paused_voucher_in_the_cart_blocks_checkout_until_accepted(cart):
    from storefront.promotions.models import VoucherStatus

    offer = ocop10()
    services.apply_code(db.session, cart, "OCOP10", SHIPPING)
    services.set_status(db.session, offer, VoucherStatus.PAUSED, actor_id=None)
    with pytest.raises(ValidationFailed):
        place_order(db.session, cart, details(PaymentMethod.COD))
    cart_services.accept_changes(db.session, cart)
    assert not cart.vouchers
    assert place_order(db.session, cart, details(PaymentMethod.COD)).discount_total == 0


def test_one_shop_voucher_per_order(cart):
    ocop10()
    voucher(code="SHIP", kind="free_shipping", value=None, max_discount=None, min_order=0)
    services.apply_code(db.session, cart, "OCOP10", SHIPPING)
    services.apply_code(db.session, cart, "SHIP", SHIPPING)
    assert [entry["code"] for entry in cart.vouchers] == ["SHIP"]  # it took the shop's slot
    summary = cart_services.summarize(db.session, cart, SHIPPING)
    assert summary.discount_total == 30_000 and summary.grand_total == 300_000


def test_routes_answer_with_a_message_never_a_500(client, app):
    product = ProductFactory(price=150_000)
    db.session.commit()
    client.post("/cart/add", data={"product_id": product.id, "quantity": 2})
    for code in ("", "\x00", "NOPE", "a" * 5000, "OCOP10"):
        response = client.post("/cart/voucher", data={"code": code})
        assert response.status_code in (303, 400, 422)
    ocop10()
    db.session.commit()
    response = client.post("/cart/voucher", data={"code": " ocop10 "}, follow_redirects=True)
    assert response.status_code == 200 and "OCOP10" in response.text
    assert "−30.000" in response.text
    response = client.post(
        "/cart/voucher", data={"code": "nope", "next": "/checkout"}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("/checkout")
    response = client.post("/cart/voucher/remove", data={"code": "OCOP10"})
    assert response.status_code == 303
    assert client.post("/cart/voucher/remove", data={"code": "OCOP10"}).status_code == 422

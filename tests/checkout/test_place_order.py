import re

import pytest
from sqlalchemy import func, select

from storefront.cart.models import CartLine
from storefront.errors import OutOfStock, PaymentError, ValidationFailed
from storefront.extensions import db
from storefront.mail import outbox
from storefront.orders.checkout import place_order
from storefront.orders.models import (
    Order,
    OrderLine,
    PaymentMethod,
    PaymentStatus,
    ProducerOrder,
)
from storefront.producers import inventory
from storefront.producers.models import ProducerMember, StockMovement, StockReason
from tests.checkout.factories_checkout import cart_with, details
from tests.factories import (
    CertificateFactory,
    ProducerFactory,
    ProductFactory,
    UserFactory,
    variant_of,
    vid,
)


def test_cod_order_is_confirmed_reserved_and_snapshotted(app):
    coop = ProducerFactory(commission_rate_bp=None)
    honey = ProductFactory(producer=coop, price=250_000, stock_on_hand=10, name="Mật ong bạc hà")
    CertificateFactory(product=honey, stars=4)
    cart = cart_with({honey: 2})
    order = place_order(db.session, cart, details())
    db.session.commit()

    assert re.fullmatch(r"OCOP-\d{4}-\d{6}", order.number)
    assert order.number.endswith(f"{order.id:06d}")
    assert len(order.access_token) >= 40
    assert order.payment_status is PaymentStatus.COD
    assert order.reservation_expires_at is None
    assert (order.items_total, order.shipping_total, order.grand_total) == (
        500_000,
        0,
        500_000,
    )
    (sub_order,) = order.sub_orders
    assert sub_order.commission_rate_bp == app.config["COMMISSION_RATE_BP"]
    (line,) = order.lines
    assert (line.product_name, line.unit_price, line.quantity, line.line_total, line.stars) == (
        "Mật ong bạc hà",
        250_000,
        2,
        500_000,
        4,
    )
    db.session.refresh(honey)
    assert (honey.stock_on_hand, honey.stock_reserved) == (10, 2)
    movements = db.session.scalars(select(StockMovement)).all()
    assert [(m.reason, m.delta_reserved, m.producer_order_id) for m in movements] == [
        (StockReason.RESERVE, 2, sub_order.id)
    ]
    assert db.session.scalar(select(func.count()).select_from(CartLine)) == 0
    # Later edits to the product never rewrite the order.
    honey.name, honey.price = "Renamed", 1
    db.session.commit()
    db.session.expire_all()
    assert (line.product_name, line.unit_price) == ("Mật ong bạc hà", 250_000)


def test_multi_producer_order_splits_with_shipping_and_private_emails(app):
    coop_a = ProducerFactory(name="HTX Mật ong", contact_email="a@coop.vn", commission_rate_bp=500)
    coop_b = ProducerFactory(name="HTX Lanh", contact_email=None)
    member = UserFactory(email="member-b@coop.vn")
    db.session.add(ProducerMember(producer=coop_b, user=member))
    honey = ProductFactory(producer=coop_a, price=100_000, name="Mật ong")
    tea = ProductFactory(producer=coop_a, price=50_000, name="Chè")
    linen = ProductFactory(producer=coop_b, price=300_000, name="Khăn lanh")
    scarf = ProductFactory(producer=coop_b, price=250_000, name="Túi lanh")
    cart = cart_with({linen: 1, honey: 1, tea: 2, scarf: 1})
    order = place_order(db.session, cart, details())
    db.session.commit()

    subs = {so.producer_id: so for so in order.sub_orders}
    assert set(subs) == {coop_a.id, coop_b.id}
    a, b = subs[coop_a.id], subs[coop_b.id]
    assert (a.subtotal, a.shipping_fee, a.total, a.commission_rate_bp) == (
        200_000,
        30_000,
        230_000,
        500,
    )
    assert (b.subtotal, b.shipping_fee, b.total) == (550_000, 0, 550_000)
    assert order.grand_total == 780_000 and order.shipping_total == 30_000
    assert {line.product_name for line in a.lines} == {"Mật ong", "Chè"}
    assert all(line.producer_order_id == b.id for line in b.lines)

    sent = {message["To"]: message for message in outbox()}
    assert set(sent) == {"mai@example.vn", "a@coop.vn", "member-b@coop.vn"}
    body_a = sent["a@coop.vn"].get_content()
    body_b = sent["member-b@coop.vn"].get_content()
    assert "Mật ong" in body_a and "Khăn lanh" not in body_a
    assert "Khăn lanh" in body_b and "Túi lanh" in body_b and "Chè" not in body_b
    assert "Thôn Lũng Cẩm" in body_b
    buyer = sent["mai@example.vn"].get_content()
    assert order.number in buyer and order.access_token in buyer


def test_sold_out_rolls_back_everything(app):
    honey = ProductFactory(stock_on_hand=5, name="Mật ong")
    tea = ProductFactory(stock_on_hand=5)
    cart = cart_with({tea: 1, honey: 3})
    inventory.reserve(db.session, {vid(honey): 4})  # someone else bought meanwhile
    db.session.flush()
    db.session.commit()
    with pytest.raises(OutOfStock):
        place_order(db.session, cart, details())
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    db.session.refresh(tea)
    assert tea.stock_reserved == 0
    assert db.session.scalar(select(func.count()).select_from(CartLine)) == 2
    assert outbox() == []


def test_made_to_order_reserves_nothing_and_records_lead_time(app):
    linen = ProductFactory(made_to_order=True, lead_time_days=14, stock_on_hand=0)
    quick = ProductFactory(producer=linen.producer, made_to_order=True, lead_time_days=3)
    order = place_order(db.session, cart_with({linen: 2, quick: 1}), details())
    assert order.sub_orders[0].max_lead_time_days == 14
    assert sorted(line.lead_time_days for line in order.lines) == [3, 14]
    assert db.session.scalar(select(func.count()).select_from(StockMovement)) == 0
    db.session.refresh(linen)
    assert linen.stock_reserved == 0


def test_price_change_since_the_cart_is_refused(app):
    honey = ProductFactory(price=250_000)
    cart = cart_with({honey: 1})
    variant_of(honey).price = 300_000
    db.session.flush()
    with pytest.raises(ValidationFailed):
        place_order(db.session, cart, details())


@pytest.mark.parametrize(
    "overrides",
    [
        {"ward_code": 1},  # not in the province
        {"province_code": 999},
        {"email": "not-an-email"},
        {"phone": "12"},
        {"street": "  "},
    ],
)
def test_invalid_details_are_refused(app, overrides):
    cart = cart_with({ProductFactory(): 1})
    with pytest.raises(ValidationFailed):
        place_order(db.session, cart, details(**overrides))


def test_card_amount_limits_are_checked_before_anything(app):
    cheap = ProductFactory(price=5_000)
    cart = cart_with({cheap: 1})
    order_count = db.session.scalar(select(func.count()).select_from(Order))
    # 5.000 ₫ + 30.000 ₫ shipping = 35.000 ₫ is fine; lower the fee to go under the minimum.
    from storefront.cart.services import ShippingPolicy
    from storefront.orders.checkout import OrderSettings

    settings = OrderSettings.from_config(app.config)
    free = OrderSettings(
        ShippingPolicy(0, 0), 800, settings.bank_transfer_expiry, settings.card_reservation
    )
    with pytest.raises(PaymentError):
        place_order(db.session, cart, details(PaymentMethod.CARD), settings=free)
    expensive = ProductFactory(price=60_000_000, stock_on_hand=5)
    with pytest.raises(PaymentError):
        place_order(db.session, cart_with({expensive: 2}), details(PaymentMethod.CARD))
    assert db.session.scalar(select(func.count()).select_from(Order)) == order_count


def test_logged_in_buyer_can_save_the_address_once(app):
    user = UserFactory()
    for _ in range(2):
        cart = cart_with({ProductFactory(): 1}, user=user)
        order = place_order(db.session, cart, details(save_address=True), user=user)
        assert order.user_id == user.id
    db.session.refresh(user)
    assert len(user.addresses) == 1 and user.addresses[0].is_default


def test_sub_order_and_line_totals_add_up(app):
    products = [ProductFactory(price=p) for p in (12_345, 67_890, 1_000)]
    order = place_order(db.session, cart_with(dict.fromkeys(products, 3)), details())
    db.session.commit()
    subs = db.session.scalars(select(ProducerOrder)).all()
    assert sum(so.total for so in subs) == order.grand_total
    lines = db.session.scalars(select(OrderLine)).all()
    assert sum(line.line_total for line in lines) == order.items_total

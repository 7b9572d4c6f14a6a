"""Shared set-up for the shipping tests: a Tuyên Quang cooperative with a GHN account (the
offline fake), a COD order to Hồ Chí Minh City, packed and ready to book."""

from flask import current_app

from storefront.core import places
from storefront.extensions import db
from storefront.orders import routing
from storefront.shipping import accounts
from tests.factories import ProducerMemberFactory, ProductFactory, place_test_order

HCM = 79
HCM_WARD = places.wards(HCM)[0][0]
TUYEN_QUANG = 8
TQ_WARD = 721


def cooperative(carrier: str | None = "ghn", **producer):
    membership = ProducerMemberFactory(producer__contact_phone="0987 654 321", **producer)
    product = ProductFactory(producer=membership.producer, price=120_000, stock_on_hand=20)
    db.session.flush()
    if carrier is not None:
        credentials = {
            "ghn": {"token": "ghn-secret-token", "shop_id": "885"},
            "ghtk": {"token": "ghtk-secret-token"},
            "viettelpost": {"username": "htx", "password": "vtp-password"},
            "self": {},
        }[carrier]
        accounts.save_account(
            db.session, membership.producer, carrier, credentials, current_app.config, None
        )
    return membership, product


def packed_order(membership, product, quantity=2, **details):
    details.setdefault("province_code", HCM)
    details.setdefault("ward_code", HCM_WARD)
    order = place_test_order([(product, quantity)], **details)
    sub_order = order.sub_orders[0]
    routing.confirm(db.session, sub_order, membership.user_id)
    routing.pack(db.session, sub_order, membership.user_id)
    db.session.flush()
    return order, sub_order

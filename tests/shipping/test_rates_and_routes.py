"""Regions, routes and rate cards: the fee depends on where the parcel goes and what it
weighs; every one of the 34 provinces has a region."""

import pytest
from flask import current_app
from vietnam_provinces import Province

from storefront.extensions import db
from storefront.shipping.quotes import options, parcel_weight_grams, setups_for
from storefront.shipping.rates import RATE_CARDS
from storefront.shipping.regions import REGION_OF, Region, Route, route_between

from .helpers import HCM, TUYEN_QUANG, cooperative


def test_every_province_of_the_2025_list_has_exactly_one_region():
    codes = {int(p.code) for p in Province.iter_all()}
    assert len(codes) == 34
    assert set(REGION_OF) == codes


@pytest.mark.parametrize(
    ("origin", "destination", "route"),
    [
        (8, 8, Route.SAME_PROVINCE),  # Tuyên Quang
        (8, 1, Route.SAME_REGION),  # Tuyên Quang → Hà Nội
        (48, 46, Route.SAME_REGION),  # Đà Nẵng → Huế
        (79, 96, Route.SAME_REGION),  # Hồ Chí Minh → Cà Mau
        (8, 79, Route.OTHER_REGION),  # Tuyên Quang → Hồ Chí Minh
        (68, 79, Route.OTHER_REGION),  # Lâm Đồng (priced with the Centre) → Hồ Chí Minh
    ],
)
def test_route_between_provinces(origin, destination, route):
    assert route_between(origin, destination) is route


def test_regions_are_where_vietnamese_carriers_put_them():
    assert REGION_OF[1] is Region.NORTH and REGION_OF[8] is Region.NORTH
    assert REGION_OF[48] is Region.CENTRAL and REGION_OF[66] is Region.CENTRAL
    assert REGION_OF[79] is Region.SOUTH and REGION_OF[92] is Region.SOUTH


def test_fee_steps_by_500_grams():
    card = RATE_CARDS["ghn"]
    first = card.fee(Route.SAME_PROVINCE, 500)
    assert card.fee(Route.SAME_PROVINCE, 1) == first
    assert card.fee(Route.SAME_PROVINCE, 501) == first + card.rates[Route.SAME_PROVINCE].next_step
    assert card.fee(Route.SAME_PROVINCE, 1000) == card.fee(Route.SAME_PROVINCE, 501)


def test_the_same_parcel_costs_more_to_ho_chi_minh_than_within_tuyen_quang(app):
    membership, _ = cooperative("ghn")
    producer = membership.producer
    setup = setups_for(db.session, [producer.id])[producer.id]
    local = options(producer, setup, TUYEN_QUANG, 500, current_app.config)[0]
    far = options(producer, setup, HCM, 500, current_app.config)[0]
    assert local.carrier == far.carrier == "ghn"
    assert far.fee > local.fee
    assert far.eta_days > local.eta_days
    heavy = options(producer, setup, HCM, 3000, current_app.config)[0]
    assert heavy.fee > far.fee


def test_without_a_carrier_the_shop_flat_fee_stays(app):
    membership, _ = cooperative(None)
    producer = membership.producer
    setup = setups_for(db.session, [producer.id])[producer.id]
    (only,) = options(producer, setup, HCM, 3000, current_app.config)
    assert (only.carrier, only.fee) == ("standard", current_app.config["SHIPPING_FEE_VND"])


class _Line:
    def __init__(self, quantity, weight_grams):
        self.quantity, self.weight_grams = quantity, weight_grams


def test_parcel_weight_is_line_weight_times_quantity():
    assert parcel_weight_grams([_Line(2, 750), _Line(3, 500)]) == 2 * 750 + 3 * 500


def test_the_offline_ghtk_fake_weighs_kilograms_exactly_and_prices_unknown_places_farthest():
    from storefront.shipping.carriers.fakes import _fee, _grams

    card = RATE_CARDS["ghtk"]
    # 1.005 kg as a float times 1000 is 1004.99…: the fake must price 1,005 g.
    assert _grams(1.005) == 1005
    assert _fee("ghtk", "Nowhere", "Elsewhere", _grams(1.005)) == card.fee(Route.OTHER_REGION, 1005)
    assert _fee("ghtk", "Nowhere", "Elsewhere", "not a weight") == card.fee(Route.OTHER_REGION, 500)

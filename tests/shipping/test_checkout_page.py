"""The checkout page shows each parcel's carrier fee and delivery days for the chosen ward
before the order is placed; fees the page did not show are never charged."""

from sqlalchemy import func, select

from storefront.extensions import db
from storefront.orders.models import Order
from storefront.shipping.rates import RATE_CARDS
from storefront.shipping.regions import Route
from tests.checkout.factories_checkout import form_data

from .helpers import HCM, HCM_WARD, cooperative


def _orders() -> int:
    return db.session.scalar(select(func.count()).select_from(Order))


def test_the_page_shows_the_parcel_fee_for_the_ward_before_ordering(client, app):
    _, product = cooperative("ghn")
    db.session.commit()
    client.post("/cart/add", data={"product_id": product.id, "quantity": 1})
    to_hcm = form_data("cod", province=str(HCM), ward=str(HCM_WARD))
    fee = RATE_CARDS["ghn"].fee(Route.OTHER_REGION, 500)

    shown = client.post("/checkout", data={**to_hcm, "action": "wards"})
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "parcel-quote" in page
    assert f'name="shipping_seen" value="{fee}"' in page

    # The page had shown the flat fee (no ward yet): the carrier's fee is shown, not charged.
    stale = client.post("/checkout", data={**to_hcm, "shipping_seen": "30000"})
    assert stale.status_code == 422 and _orders() == 0
    assert f'name="shipping_seen" value="{fee}"' in stale.get_data(as_text=True)

    placed = client.post("/checkout", data={**to_hcm, "shipping_seen": str(fee)})
    assert placed.status_code == 303 and _orders() == 1
    sub_order = db.session.scalar(select(Order)).sub_orders[0]
    assert (sub_order.shipping_fee, sub_order.shipping_carrier) == (fee, "ghn")

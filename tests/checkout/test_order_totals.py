"""An order's money follows every cancellation and refund; every place shows the same figures."""

import pytest

from storefront.extensions import db
from storefront.models import MemberRole
from storefront.orders import routing
from storefront.orders.checkout import place_order
from storefront.orders.models import PaymentMethod
from storefront.orders.totals import order_totals
from tests.checkout import money_places as places
from tests.checkout.factories_checkout import cart_with, details
from tests.factories import AdminFactory, ProducerMemberFactory, ProductFactory, UserFactory


@pytest.fixture
def shop(app):
    """Honey (HTX A) and hạt dẻ (HTX B): 190.000 + 30.000 shipping, 120.000 + 30.000 shipping."""
    honey_coop = ProducerMemberFactory(producer__name="HTX Mật ong", role=MemberRole.OWNER)
    chestnut_coop = ProducerMemberFactory(producer__name="HTX Hạt dẻ", role=MemberRole.OWNER)
    honey = ProductFactory(producer=honey_coop.producer, name="Mật ong bạc hà", price=190_000)
    chestnut = ProductFactory(producer=chestnut_coop.producer, name="Hạt dẻ", price=120_000)
    buyer = UserFactory(email="mai@example.vn")
    admin = AdminFactory()
    db.session.commit()
    return {
        "honey": honey,
        "chestnut": chestnut,
        "buyer": buyer,
        "admin": admin,
        "owners": {
            honey_coop.producer_id: honey_coop.user,
            chestnut_coop.producer_id: chestnut_coop.user,
        },
    }


def _client_as(app, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def _place(shop, method=PaymentMethod.COD):
    order = place_order(
        db.session,
        cart_with({shop["honey"]: 1, shop["chestnut"]: 1}, user=shop["buyer"]),
        details(method, email=shop["buyer"].email),
        user=shop["buyer"],
    )
    db.session.commit()
    return order


def _part(order, product):
    return next(so for so in order.sub_orders if so.producer_id == product.producer_id)


def assert_everywhere(app, shop, order, total: int, due: int, refunded: int) -> None:
    """The order page, the account list, the admin list and page, each cooperative's CSV
    and packing slip, and the buyer's last email all show the same money."""
    db.session.expire_all()
    totals = order_totals(order)
    assert (totals.total, totals.due, totals.refunded) == (total, due, refunded)
    buyer = _client_as(app, shop["buyer"])
    admin = _client_as(app, shop["admin"])
    assert places.order_page_total(buyer, order) == total
    assert places.order_page_due(buyer, order) == due
    assert places.order_page_refunded(buyer, order) == refunded
    assert places.account_list_total(buyer, order) == total
    assert places.admin_list_total(admin, order) == total
    assert places.admin_detail_total(admin, order) == total
    csv_total = csv_due = cod = 0
    for sub_order in order.sub_orders:
        owner = _client_as(app, shop["owners"][sub_order.producer_id])
        row = places.dashboard_csv(owner, sub_order)
        csv_total += row["total"]
        csv_due += row["due"]
        cod += places.packing_slip_cod(owner, sub_order)
    assert (csv_total, csv_due) == (total, due)
    if order.payment_method is PaymentMethod.COD:
        assert cod == due
    assert places.last_email_total(order.email) == total


def test_done_when_cancelled_honey_part_leaves_150000_everywhere(app, shop):
    order = _place(shop)
    assert order.grand_total == 370_000
    honey_part = _part(order, shop["honey"])
    buyer = _client_as(app, shop["buyer"])

    response = buyer.post(
        f"/orders/{order.number}/sub-orders/{honey_part.id}/cancel",
        data={"reason": "Đặt nhầm"},
    )
    assert response.status_code == 303

    assert_everywhere(app, shop, order, total=150_000, due=150_000, refunded=0)
    page = buyer.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Tổng cộng" in page or "Total" in page
    assert f'class="grand-total">{places.format_vnd(150_000)}' in page
    # The columns written at checkout keep the history: what was ordered.
    assert order.grand_total == 370_000


def test_cod_walk_cancel_deliver_refund(app, shop):
    """COD: cancel one part (admin), deliver the other, refund part of it by bank transfer."""
    order = _place(shop)
    honey_part, chestnut_part = _part(order, shop["honey"]), _part(order, shop["chestnut"])
    assert_places = lambda **kw: assert_everywhere(app, shop, order, **kw)  # noqa: E731

    routing.cancel(db.session, honey_part, shop["admin"].id, "Hết hàng")
    db.session.commit()
    assert_places(total=150_000, due=150_000, refunded=0)

    for step in (routing.confirm, routing.pack):
        step(db.session, chestnut_part, None)
    routing.ship(db.session, chestnut_part, None, "GHN", "G1")
    routing.deliver(db.session, chestnut_part, None, cash_received=True)
    db.session.commit()
    assert_places(total=150_000, due=0, refunded=0)

"""An order's money follows every cancellation and refund; every place shows the same figures."""

import pytest
from sqlalchemy import func, select

from storefront.clock import today_vn
from storefront.extensions import db
from storefront.mail import outbox
from storefront.models import MemberRole
from storefront.money import apply_rate_bp
from storefront.orders import actions as order_actions
from storefront.orders import routing
from storefront.orders.bank_transfer import confirm_bank_transfer
from storefront.orders.checkout import place_order
from storefront.orders.models import PaymentMethod, Refund
from storefront.orders.totals import order_totals
from storefront.producers import ledger
from tests.checkout import money_places as places
from tests.checkout.factories_checkout import cart_with, details
from tests.conftest import AuthActions
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
    """A browser of its own, signed in as `user` (past the second factor, for an admin)."""
    client = app.test_client()
    AuthActions(client).login_as(user)
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

    # A broken jar of hạt dẻ: refunded line by line, by a bank transfer the admin sent.
    line = chestnut_part.lines[0]
    admin = _client_as(app, shop["admin"])
    prefix = f"r{chestnut_part.id}-"
    response = admin.post(
        f"/admin/orders/{order.id}/sub-orders/{chestnut_part.id}/refund",
        data={
            f"{prefix}line_{line.id}": "1",
            f"{prefix}reason": "Hũ vỡ",
            f"{prefix}bank_reference": "FT26120300001",
            f"{prefix}paid_on": today_vn().isoformat(),
            f"{prefix}idempotency_key": "walk-cod-1",
        },
    )
    assert response.status_code == 303
    assert_places(total=30_000, due=0, refunded=120_000)


def _pay_demo(app, order):
    client = app.test_client()
    response = client.post(
        f"/orders/{order.number}/demo-pay", data={"outcome": "pay", "token": order.access_token}
    )
    assert response.status_code == 303


def test_demo_card_walk_cancel_is_refunded_in_demo_mode(app, shop):
    order = _place(shop, PaymentMethod.CARD)
    _pay_demo(app, order)
    honey_part, chestnut_part = _part(order, shop["honey"]), _part(order, shop["chestnut"])
    buyer = _client_as(app, shop["buyer"])

    response = buyer.post(
        f"/orders/{order.number}/sub-orders/{honey_part.id}/cancel", data={"reason": "Đổi ý"}
    )
    assert response.status_code == 303
    assert_everywhere(app, shop, order, total=150_000, due=0, refunded=220_000)
    refund = db.session.scalars(select(Refund)).one()
    assert (refund.method, refund.amount) == ("demo", 220_000)
    page = buyer.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "chế độ thử nghiệm" in page  # the demo refund is labelled as such
    emails = [m.get_content() for m in outbox() if m["To"] == order.email]
    assert any("không có tiền thật" in body for body in emails)

    for step in (routing.confirm, routing.pack):
        step(db.session, chestnut_part, None)
    routing.ship(db.session, chestnut_part, None, "GHN", "G1")
    routing.deliver(db.session, chestnut_part, None)
    db.session.commit()
    balance = ledger.balance(db.session, chestnut_part.producer_id)
    order_actions.refund_sub_order(
        db.session, chestnut_part, 40_000, "Hạt lép", shop["admin"].id, idempotency_key="w-1"
    )
    db.session.commit()
    assert_everywhere(app, shop, order, total=110_000, due=0, refunded=260_000)
    # The cooperative's share and the shop's commission are both reversed.
    commission_back = apply_rate_bp(40_000, chestnut_part.commission_rate_bp)
    assert ledger.balance(db.session, chestnut_part.producer_id) == (
        balance - 40_000 + commission_back
    )


def test_bank_transfer_walk_cancel_waits_for_the_recorded_refund(app, shop):
    order = _place(shop, PaymentMethod.BANK_TRANSFER)
    assert_everywhere_now = lambda **kw: assert_everywhere(app, shop, order, **kw)  # noqa: E731
    confirm_bank_transfer(db.session, order, shop["admin"].id)
    db.session.commit()
    honey_part = _part(order, shop["honey"])
    buyer = _client_as(app, shop["buyer"])
    buyer.post(
        f"/orders/{order.number}/sub-orders/{honey_part.id}/cancel", data={"reason": "Đổi ý"}
    )
    # Nothing is claimed as refunded before the admin sends the money.
    assert_everywhere_now(total=150_000, due=0, refunded=0)
    assert order_totals(order).to_refund == 220_000
    page = buyer.get(f"/orders/{order.number}").get_data(as_text=True)
    assert f'class="to-refund">{places.format_vnd(220_000)}' in page

    admin = _client_as(app, shop["admin"])
    prefix = f"r{honey_part.id}-"
    data = {
        f"{prefix}amount": "220000",
        f"{prefix}reason": "Huỷ phần mật ong",
        f"{prefix}bank_reference": "FT26120399999",
        f"{prefix}paid_on": today_vn().isoformat(),
        f"{prefix}idempotency_key": "walk-bank-1",
    }
    url = f"/admin/orders/{order.id}/sub-orders/{honey_part.id}/refund"
    assert admin.post(url, data=data).status_code == 303
    assert admin.post(url, data=data).status_code == 303  # a double submit refunds once
    assert_everywhere_now(total=150_000, due=0, refunded=220_000)
    assert order_totals(order).to_refund == 0
    page = buyer.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "FT26120399999" in page and "Chuyển khoản ngân hàng cho bạn" in page
    assert db.session.scalar(select(func.count()).select_from(Refund)) == 1

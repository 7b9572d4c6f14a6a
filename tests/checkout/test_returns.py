"""Returns: requested within the window, decided by the cooperative (or an admin), received,
restocked and refunded; every step on the timeline, emailed, audited and in the ledger."""

import io
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from storefront.admin.models import AuditEvent
from storefront.clock import today_vn, utcnow
from storefront.errors import DomainError
from storefront.extensions import db
from storefront.mail import outbox
from storefront.models import MemberRole, Product
from storefront.orders import fulfilment, returns, routing
from storefront.orders.checkout import place_order
from storefront.orders.models import (
    OrderEvent,
    PaymentMethod,
    Refund,
    ReturnRequest,
    ReturnStatus,
)
from storefront.orders.totals import order_totals
from storefront.producers.models import LedgerEntry, LedgerKind, StockMovement, StockReason
from storefront.producers.statements import statement
from tests.checkout.factories_checkout import cart_with, details
from tests.conftest import AuthActions
from tests.dashboard.factories_dashboard import image_bytes
from tests.factories import AdminFactory, ProducerMemberFactory, ProductFactory, UserFactory


@pytest.fixture
def shop(app):
    coop = ProducerMemberFactory(producer__name="HTX Hạt dẻ", role=MemberRole.OWNER)
    chestnut = ProductFactory(producer=coop.producer, name="Hạt dẻ", price=120_000)
    buyer = UserFactory(email="mai@example.vn")
    admin = AdminFactory(email="admin@example.vn")
    db.session.commit()
    return {"chestnut": chestnut, "owner": coop.user, "buyer": buyer, "admin": admin}


def _client_as(app, user):
    """A browser of its own, signed in as `user` (past the second factor, for an admin)."""
    client = app.test_client()
    AuthActions(client).login_as(user)
    return client


def _delivered(shop, method=PaymentMethod.COD, quantity=2, delivered_days_ago=0):
    order = place_order(
        db.session,
        cart_with({shop["chestnut"]: quantity}, user=shop["buyer"]),
        details(method, email=shop["buyer"].email),
        user=shop["buyer"],
    )
    db.session.commit()
    if method is PaymentMethod.CARD:
        fulfilment.mark_paid(
            db.session,
            order,
            amount=order.grand_total,
            currency="vnd",
            provider="demo",
            provider_ref=f"demo_{order.number}",
        )
    sub_order = order.sub_orders[0]
    for step in (routing.confirm, routing.pack):
        step(db.session, sub_order, None)
    routing.ship(db.session, sub_order, None, "GHN", "G1")
    routing.deliver(
        db.session,
        sub_order,
        None,
        cash_received=True,
        now=utcnow() - timedelta(days=delivered_days_ago),
    )
    db.session.commit()
    return order, sub_order


def _ask(client, order, sub_order, quantity=1, reason="damaged", photos=()):
    line = sub_order.lines[0]
    data = {
        f"qty-{line.id}": str(quantity),
        "reason": reason,
        "details": "Hạt bị mốc",
        "photos": [(io.BytesIO(p), name) for name, p in photos],
    }
    return client.post(
        f"/orders/{order.number}/sub-orders/{sub_order.id}/return",
        data=data,
        content_type="multipart/form-data",
    )


def _flash(client) -> str:
    with client.session_transaction() as session:
        return " ".join(str(m) for _, m in session.get("_flashes", []))


def test_done_when_cod_return_is_refunded_by_recorded_bank_transfer(app, shop):
    order, sub_order = _delivered(shop)
    buyer = _client_as(app, shop["buyer"])
    owner = _client_as(app, shop["owner"])
    admin = _client_as(app, shop["admin"])
    stock_before = db.session.get(Product, shop["chestnut"].id).stock_on_hand

    page = buyer.get(f"/orders/{order.number}").get_data(as_text=True)
    assert f"/orders/{order.number}/sub-orders/{sub_order.id}/return" in page
    response = _ask(buyer, order, sub_order, photos=[("moc.png", image_bytes("PNG"))])
    assert response.status_code == 303
    ret = db.session.scalars(select(ReturnRequest)).one()
    assert ret.status is ReturnStatus.REQUESTED and len(ret.photos) == 1
    assert (
        buyer.get(f"/orders/{order.number}/returns/{ret.id}/photos/{ret.photos[0].id}").status_code
        == 200
    )
    assert owner.get(f"/dashboard/returns/{ret.id}/photos/{ret.photos[0].id}").status_code == 200
    # Somebody else's link: not found.
    stranger = app.test_client()
    assert (
        stranger.get(
            f"/orders/{order.number}/returns/{ret.id}/photos/{ret.photos[0].id}"
        ).status_code
        == 404
    )

    page = owner.get(f"/dashboard/orders/{sub_order.id}").get_data(as_text=True)
    assert "Hạt bị mốc" in page
    url = f"/dashboard/returns/{ret.id}"
    assert owner.post(f"{url}/accept", data={"text": "Gửi về HTX qua GHN"}).status_code == 303
    # A double submit does one thing.
    owner.post(f"{url}/accept", data={"text": "Gửi lại"})
    db.session.expire_all()
    assert ret.status is ReturnStatus.ACCEPTED and ret.instructions == "Gửi về HTX qua GHN"

    assert owner.post(f"{url}/receive", data={"restock": "1"}).status_code == 303
    db.session.expire_all()
    assert ret.status is ReturnStatus.RECEIVED and ret.restocked is True
    assert db.session.get(Product, shop["chestnut"].id).stock_on_hand == stock_before + 1
    movement = db.session.scalars(
        select(StockMovement).where(StockMovement.reason == StockReason.RETURN)
    ).one()
    assert movement.delta_on_hand == 1

    balance_lines = db.session.scalar(select(func.count()).select_from(LedgerEntry))
    data = {"bank_reference": "FT26120377777", "paid_on": today_vn().isoformat()}
    response = admin.post(f"/admin/returns/{ret.id}/refund", data=data)
    assert response.status_code == 303
    admin.post(f"/admin/returns/{ret.id}/refund", data=data)  # twice: refunded once
    db.session.expire_all()
    assert ret.status is ReturnStatus.REFUNDED
    refund = db.session.scalars(select(Refund)).one()
    assert (refund.amount, refund.method, refund.bank_reference) == (
        120_000,
        "bank_transfer",
        "FT26120377777",
    )
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == balance_lines + 2
    refund_entry = db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.kind == LedgerKind.REFUND)
    ).one()
    assert refund_entry.amount == -120_000

    # The cooperative's statement shows the sale and the refund.
    today = today_vn()
    stmt = statement(db.session, sub_order.producer, today, today)
    assert [line.order_number for line in stmt.lines] == [order.number]
    assert stmt.refunds == -120_000 + round(120_000 * sub_order.commission_rate_bp / 10_000)
    assert order_totals(order).total == sub_order.total - 120_000

    kinds = db.session.scalars(
        select(OrderEvent.kind).where(OrderEvent.kind.like("return_%")).order_by(OrderEvent.id)
    ).all()
    assert kinds == ["return_requested", "return_accepted", "return_received", "return_refunded"]
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("return.%")).order_by(AuditEvent.id)
    ).all()
    assert actions == ["return.request", "return.accept", "return.receive", "return.refund"]
    to_buyer = [m for m in outbox() if m["To"] == order.email]
    assert any("Gửi về HTX qua GHN" in m.get_content() for m in to_buyer)
    assert any("FT26120377777" in m.get_content() for m in to_buyer)
    page = buyer.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "FT26120377777" in page


def test_demo_card_return_is_refunded_when_received(app, shop):
    order, sub_order = _delivered(shop, PaymentMethod.CARD)
    ret = returns.request_return(
        db.session,
        order,
        sub_order,
        {sub_order.lines[0].id: 2},
        "changed_mind",
        "",
        [],
        None,
        returns.ReturnSettings.from_config(app.config),
    )
    returns.accept(db.session, ret, "Gửi bưu điện", None)
    returns.receive(db.session, ret, restock=False, actor_id=None)
    db.session.commit()
    assert ret.status is ReturnStatus.REFUNDED and ret.restocked is False
    assert (ret.refund.method, ret.refund.amount) == ("demo", 240_000)


def test_refused_return_escalated_and_closed_gives_the_quantity_back(app, shop):
    order, sub_order = _delivered(shop, quantity=1)
    buyer = _client_as(app, shop["buyer"])
    owner = _client_as(app, shop["owner"])
    admin = _client_as(app, shop["admin"])
    _ask(buyer, order, sub_order)
    ret = db.session.scalars(select(ReturnRequest)).one()
    assert sub_order.lines[0].returned_quantity == 1
    owner.post(f"/dashboard/returns/{ret.id}/refuse", data={"text": "Hạt đã bóc vỏ"})
    outbox().clear()
    buyer.post(f"/orders/{order.number}/returns/{ret.id}/escalate", data={"note": "Hạt mốc sẵn"})
    db.session.expire_all()
    assert ret.status is ReturnStatus.ESCALATED
    assert "admin@example.vn" in [m["To"] for m in outbox()]
    admin.post(f"/admin/returns/{ret.id}/close", data={"text": "Ảnh không cho thấy mốc"})
    db.session.expire_all()
    assert ret.status is ReturnStatus.CLOSED
    assert sub_order.lines[0].returned_quantity == 0


@pytest.fixture
def english(app):
    with app.test_request_context(headers={"Accept-Language": "en"}), force_locale("en"):
        yield


def _request(app, order, sub_order, quantity=1, photos=(), now=None):
    return returns.request_return(
        db.session,
        order,
        sub_order,
        {sub_order.lines[0].id: quantity},
        "damaged",
        "",
        list(photos),
        None,
        returns.ReturnSettings.from_config(app.config),
        now=now,
    )


def test_bad_returns_have_clear_messages(app, shop, english):
    late_order, late_part = _delivered(shop, delivered_days_ago=8)
    with pytest.raises(DomainError, match="return window of 7 days"):
        _request(app, late_order, late_part)
    db.session.rollback()

    order = place_order(db.session, cart_with({shop["chestnut"]: 1}), details(PaymentMethod.COD))
    db.session.commit()
    with pytest.raises(DomainError, match="Only delivered items"):
        _request(app, order, order.sub_orders[0])
    db.session.rollback()

    order, sub_order = _delivered(shop, quantity=1)
    with pytest.raises(DomainError, match="not a JPEG, PNG or WebP"):
        _request(app, order, sub_order, photos=[b"<svg onload=alert(1)>"])
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ReturnRequest)) == 0

    _request(app, order, sub_order)
    db.session.commit()
    with pytest.raises(DomainError, match="at most 0 can be returned"):
        _request(app, order, sub_order)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ReturnRequest)) == 1


def test_return_window_is_configurable(app, shop):
    app.config["RETURN_WINDOW_DAYS"] = 10
    order, sub_order = _delivered(shop, delivered_days_ago=8)
    ret = _request(app, order, sub_order)
    assert ret.status is ReturnStatus.REQUESTED


def test_done_when_the_statement_shows_the_demo_cancel_and_the_cod_return(app, shop):
    """A demo card order's unshipped part is cancelled and refunded in demo mode; a COD order's
    delivered part is returned and refunded by a recorded bank transfer; the cooperative's
    statement lists both."""
    other = ProductFactory(name="Mật ong", price=190_000)
    db.session.commit()
    card = place_order(
        db.session,
        cart_with({shop["chestnut"]: 1, other: 1}, user=shop["buyer"]),
        details(PaymentMethod.CARD, email=shop["buyer"].email),
        user=shop["buyer"],
    )
    db.session.commit()
    app.test_client().post(
        f"/orders/{card.number}/demo-pay", data={"outcome": "pay", "token": card.access_token}
    )
    chestnut_part = next(
        so for so in card.sub_orders if so.producer_id == shop["chestnut"].producer_id
    )
    buyer = _client_as(app, shop["buyer"])
    buyer.post(
        f"/orders/{card.number}/sub-orders/{chestnut_part.id}/cancel", data={"reason": "Đổi ý"}
    )

    order, sub_order = _delivered(shop, quantity=1)
    owner = _client_as(app, shop["owner"])
    _ask(buyer, order, sub_order)
    ret = db.session.scalars(select(ReturnRequest)).one()
    owner.post(f"/dashboard/returns/{ret.id}/accept", data={"text": "Gửi GHN"})
    owner.post(f"/dashboard/returns/{ret.id}/receive", data={"restock": "1"})
    _client_as(app, shop["admin"]).post(
        f"/admin/returns/{ret.id}/refund",
        data={"bank_reference": "FT99", "paid_on": today_vn().isoformat()},
    )

    today = today_vn()
    stmt = statement(db.session, sub_order.producer, today, today)
    assert [(r.order_number, r.method, r.amount, r.in_ledger) for r in stmt.refund_lines] == [
        (card.number, "demo", 150_000, False),
        (order.number, "bank_transfer", 120_000, True),
    ]
    page = owner.get("/dashboard/payouts").get_data(as_text=True)
    assert card.number in page and order.number in page
    assert "Hoàn tiền cho người mua" in page

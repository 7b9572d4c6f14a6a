"""Sub-orders through the dashboard: the status machine, its illegal moves, stock and emails."""

import csv
import io

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.mail import outbox
from storefront.models import (
    LedgerEntry,
    OrderEvent,
    PaymentMethod,
    PaymentStatus,
    ProducerOrder,
    Product,
    SubOrderStatus,
)
from storefront.producers import ledger

from .factories_dashboard import make_order


@pytest.fixture
def cod_order(login_a):
    sub_order = make_order(login_a.producer, [(login_a.product, 3)])
    db.session.commit()
    return sub_order


def _act(client, sub_order, action, **data):
    return client.post(f"/dashboard/orders/{sub_order.id}/{action}", data=data)


def _reload(sub_order):
    db.session.expire_all()
    return db.session.get(ProducerOrder, sub_order.id)


def _stock(product):
    db.session.expire_all()
    fresh = db.session.get(Product, product.id)
    return fresh.stock_on_hand, fresh.stock_reserved


def test_full_cod_journey(client, app, login_a, cod_order):
    product = login_a.product
    assert _stock(product) == (20, 3)
    assert _act(client, cod_order, "confirm").status_code == 303
    assert _act(client, cod_order, "pack").status_code == 303
    assert (
        _act(client, cod_order, "ship", carrier="Viettel Post", tracking_number="VT123").status_code
        == 303
    )
    assert _stock(product) == (17, 0)  # shipping consumed the reservation
    response = _act(client, cod_order, "deliver", cash_received="y")
    assert response.status_code == 303
    so = _reload(cod_order)
    assert so.status is SubOrderStatus.DELIVERED and so.cash_received
    assert so.order.payment_status is PaymentStatus.PAID
    assert (so.carrier, so.tracking_number) == ("Viettel Post", "VT123")
    # COD: the cooperative holds the cash and owes the commission.
    commission = ledger.commission_for(so)
    assert ledger.balance(db.session, login_a.producer.id) == -commission
    kinds = [e.kind.value for e in db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id))]
    assert kinds == ["sale", "commission", "cod_collected"]
    # The buyer hears about confirm, ship and deliver (packing is internal).
    assert [m["To"] for m in outbox()] == [so.order.email] * 3


def test_cod_delivery_needs_cash_received(client, login_a, cod_order):
    client.set_cookie("lang", "en")
    for action, data in (
        ("confirm", {}),
        ("pack", {}),
        ("ship", {"carrier": "GHN", "tracking_number": "1"}),
    ):
        _act(client, cod_order, action, **data)
    response = _act(client, cod_order, "deliver")
    assert response.status_code == 422
    assert b"cash was received" in response.data
    assert _reload(cod_order).status is SubOrderStatus.SHIPPED
    assert db.session.scalar(select(LedgerEntry)) is None


def test_ship_needs_carrier_and_tracking(client, login_a, cod_order):
    _act(client, cod_order, "confirm")
    _act(client, cod_order, "pack")
    response = _act(client, cod_order, "ship", carrier="GHN", tracking_number="")
    assert response.status_code == 422
    assert b'id="tracking_number-error"' in response.data
    assert _reload(cod_order).status is SubOrderStatus.PACKED


@pytest.mark.parametrize(
    ("steps", "illegal"),
    [
        ([], "pack"),
        ([], "ship"),
        ([], "deliver"),
        (["confirm"], "confirm"),
        (["confirm"], "deliver"),
        (["confirm", "pack", "ship"], "cancel"),
        (["confirm", "pack", "ship"], "pack"),
        (["cancel"], "confirm"),
        (["cancel"], "cancel"),
    ],
)
def test_illegal_transitions_change_nothing(client, login_a, cod_order, steps, illegal):
    data = {"carrier": "GHN", "tracking_number": "T1", "reason": "Hết hàng", "cash_received": "y"}
    for step in steps:
        assert _act(client, cod_order, step, **data).status_code == 303
    before = _reload(cod_order).status
    stock_before = _stock(login_a.product)
    events_before = db.session.scalar(select(db.func.count()).select_from(OrderEvent))
    response = _act(client, cod_order, illegal, **data)
    assert response.status_code in (303, 422)
    assert _reload(cod_order).status is before
    assert _stock(login_a.product) == stock_before
    assert db.session.scalar(select(db.func.count()).select_from(OrderEvent)) == events_before
    page = client.get(f"/dashboard/orders/{cod_order.id}")
    assert page.status_code == 200


def test_cancel_returns_stock_and_tells_the_buyer(client, app, login_a, cod_order):
    client.set_cookie("lang", "en")
    outbox = app.extensions.setdefault("mail_outbox", [])
    outbox.clear()
    missing_reason = _act(client, cod_order, "cancel", reason="")
    assert missing_reason.status_code == 422
    assert _reload(cod_order).status is SubOrderStatus.PLACED
    response = _act(client, cod_order, "cancel", reason="Mưa lũ, không giao được")
    assert response.status_code == 303
    so = _reload(cod_order)
    assert so.status is SubOrderStatus.CANCELLED and so.cancel_reason == "Mưa lũ, không giao được"
    assert _stock(login_a.product) == (20, 0)
    assert len(outbox) == 1
    assert outbox[0]["To"] == so.order.email
    assert "Mưa lũ" in outbox[0].get_content()


def test_unpaid_card_order_cannot_be_confirmed(client, login_a):
    sub_order = make_order(
        login_a.producer,
        [(login_a.product, 1)],
        payment_method=PaymentMethod.CARD,
        payment_status=PaymentStatus.PENDING,
    )
    db.session.commit()
    response = _act(client, sub_order, "confirm")
    assert response.status_code == 303
    assert _reload(sub_order).status is SubOrderStatus.PLACED


def test_filter_by_status(client, login_a, cod_order):
    other = make_order(login_a.producer, [(login_a.product, 1)])
    db.session.commit()
    _act(client, other, "confirm")
    placed = client.get("/dashboard/orders?status=placed").get_data(as_text=True)
    confirmed = client.get("/dashboard/orders?status=confirmed").get_data(as_text=True)
    assert cod_order.order.number in placed and other.order.number not in placed
    assert other.order.number in confirmed and cod_order.order.number not in confirmed


def test_packing_slip_and_csv_export(client, login_a, cod_order):
    client.set_cookie("lang", "en")
    slip = client.get(f"/dashboard/orders/{cod_order.id}/slip").get_data(as_text=True)
    assert cod_order.order.number in slip and login_a.product.name in slip
    assert "CASH ON DELIVERY" in slip and "data-print" in slip
    cod_order.order.name = '=HYPERLINK("http://evil")'
    db.session.commit()
    exported = client.get("/dashboard/orders/export.csv?status=placed").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    assert rows[0][0] == "order"
    assert rows[1][0] == cod_order.order.number
    assert rows[1][6].startswith("'=")  # formula injection neutralised
    assert rows[1][12] == str(cod_order.total)

""" "Báo khi có hàng": a buyer (or a guest with an email) waits for a sold-out product; exactly
one email when stock returns, then the request ends."""

import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.mail import outbox
from storefront.producers import inventory
from storefront.producers.models import StockReason
from storefront.wishlist.models import AlertStatus, StockAlert
from tests.conftest import AuthActions, requires_postgres
from tests.factories import ProductFactory, UserFactory, vid
from tests.races.racing import race


def _alert_emails(to: str) -> list:
    return [m for m in outbox() if m["To"] == to and "có hàng trở lại" in str(m["Subject"])]


@pytest.fixture
def sold_out(app):
    product = ProductFactory(name="Mận tam hoa sấy dẻo", slug="man-say", stock_on_hand=0)
    db.session.commit()
    return product


def test_guest_asks_and_is_emailed_once_when_stock_returns(app, sold_out):
    client = app.test_client()
    page = client.get("/products/man-say").get_data(as_text=True)
    assert 'action="/products/man-say/alert"' in page and "Thêm vào giỏ" not in page
    response = client.post("/products/man-say/alert", data={"email": " Mai@Example.vn "})
    assert response.status_code == 303
    client.post("/products/man-say/alert", data={"email": "mai@example.vn"})  # twice: once
    assert db.session.scalar(select(func.count()).select_from(StockAlert)) == 1
    outbox().clear()

    inventory.adjust(db.session, vid(sold_out), 5, StockReason.HARVEST)
    db.session.commit()
    assert len(_alert_emails("mai@example.vn")) == 1
    alert = db.session.scalar(select(StockAlert))
    assert alert.status is AlertStatus.NOTIFIED and alert.notified_at is not None

    # More stock later, or the task again: the request has ended, nothing more is sent.
    inventory.adjust(db.session, vid(sold_out), 5, StockReason.HARVEST)
    db.session.commit()
    assert len(_alert_emails("mai@example.vn")) == 1


def test_a_signed_in_buyer_uses_their_account_email(app, sold_out):
    buyer = UserFactory(email="lan@example.vn")
    db.session.commit()
    client = app.test_client()
    AuthActions(client).login_as(buyer)
    assert client.post("/products/man-say/alert", data={}).status_code == 303
    alert = db.session.scalar(select(StockAlert))
    assert (alert.email, alert.user_id) == ("lan@example.vn", buyer.id)


def test_no_email_while_still_sold_out(app, sold_out):
    app.test_client().post("/products/man-say/alert", data={"email": "mai@example.vn"})
    outbox().clear()
    inventory.adjust(db.session, vid(sold_out), 2, StockReason.HARVEST)
    inventory.reserve(db.session, {vid(sold_out): 2})  # all of it promised again at once
    db.session.commit()
    assert db.session.scalar(select(StockAlert.status)) is AlertStatus.WAITING
    assert not _alert_emails("mai@example.vn")


@pytest.mark.parametrize("email", ["", "not-an-email", "a@b\x00.vn", "x" * 300 + "@example.vn"])
def test_bad_email_is_refused_clearly(app, sold_out, email):
    response = app.test_client().post(
        "/products/man-say/alert", data={"email": email}, headers={"Referer": "/products/man-say"}
    )
    assert response.status_code in (303, 400)
    assert db.session.scalar(select(func.count()).select_from(StockAlert)) == 0


def test_in_stock_products_take_no_alert(app):
    ProductFactory(slug="mat-ong", stock_on_hand=9)
    db.session.commit()
    client = app.test_client()
    page = client.get("/products/mat-ong").get_data(as_text=True)
    assert 'action="/products/mat-ong/alert"' not in page
    client.post("/products/mat-ong/alert", data={"email": "mai@example.vn"})
    assert db.session.scalar(select(func.count()).select_from(StockAlert)) == 0
    missing = app.test_client().post("/products/nope/alert", data={"email": "a@b.vn"})
    assert missing.status_code == 404


@requires_postgres
def test_two_restocks_at_once_email_the_waiting_buyer_once(app):
    product = ProductFactory(name="Mận tam hoa", slug="man", stock_on_hand=0)
    db.session.commit()
    app.test_client().post("/products/man/alert", data={"email": "mai@example.vn"})
    outbox().clear()
    variant_id = vid(product)

    def restock(_index):
        inventory.adjust(db.session, variant_id, 3, StockReason.HARVEST)
        db.session.commit()  # each racer's notify task runs after its own commit

    outcomes = race(app, restock, racers=4)
    assert outcomes == [None] * 4
    assert len(_alert_emails("mai@example.vn")) == 1
    db.session.expire_all()
    assert db.session.scalar(select(StockAlert.status)) is AlertStatus.NOTIFIED

"""A cart becomes one order, however many times its checkout is submitted."""

import pytest
from sqlalchemy import func, select

from storefront.cart import services as cart_services
from storefront.extensions import db
from storefront.models import Order, Product, StockMovement, StockReason
from tests.checkout.factories_checkout import form_data
from tests.conftest import AuthActions, requires_postgres
from tests.factories import ProductFactory, UserFactory

from .racing import RACERS, post_all, statuses


def _orders() -> int:
    return db.session.scalar(select(func.count()).select_from(Order))


def _guest_clients(app, cart, count=RACERS):
    clients = [app.test_client() for _ in range(count)]
    for client in clients:
        client.set_cookie("cart", cart.token)
    return clients


def _user_clients(app, user, count):
    clients = [app.test_client() for _ in range(count)]
    for client in clients:
        AuthActions(client).login_as(user)
    return clients


@pytest.fixture
def honey(app):
    product = ProductFactory(stock_on_hand=10, price=150_000)
    db.session.commit()
    return product


def test_a_second_submit_after_the_first_goes_to_the_same_order(app, honey):
    cart = cart_services.create_anonymous_cart(db.session)
    cart_services.add_item(db.session, cart, honey.id, 2)
    db.session.commit()
    client = _guest_clients(app, cart, 1)[0]

    first = client.post("/checkout", data=form_data())
    second = client.post("/checkout", data=form_data())

    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert _orders() == 1
    db.session.expire_all()
    assert db.session.get(Product, honey.id).stock_reserved == 2


def test_adding_to_the_cart_again_starts_a_new_order(app, honey):
    cart = cart_services.create_anonymous_cart(db.session)
    cart_services.add_item(db.session, cart, honey.id, 1)
    db.session.commit()
    client = _guest_clients(app, cart, 1)[0]
    first = client.post("/checkout", data=form_data())
    client.post("/cart/add", data={"product_id": honey.id, "quantity": 1})

    second = client.post("/checkout", data=form_data())

    assert second.status_code == 303
    assert second.headers["Location"] != first.headers["Location"]
    assert _orders() == 2


@requires_postgres
def test_ten_submits_of_one_guest_cart_make_one_order(app, honey):
    """Found: 10 concurrent POST /checkout on one 2-unit guest cart made 4 orders, 8 reserved."""
    cart = cart_services.create_anonymous_cart(db.session)
    cart_services.add_item(db.session, cart, honey.id, 2)
    db.session.commit()

    responses = post_all(app, _guest_clients(app, cart), "/checkout", form_data())

    assert statuses(responses) == [303] * RACERS
    assert len({response.headers["Location"] for response in responses}) == 1
    assert _orders() == 1
    db.session.expire_all()
    assert db.session.get(Product, honey.id).stock_reserved == 2
    reserves = db.session.scalar(
        select(func.count())
        .select_from(StockMovement)
        .where(StockMovement.reason == StockReason.RESERVE)
    )
    assert reserves == 1


@requires_postgres
def test_five_submits_of_a_customers_cart_make_one_order(app, honey):
    """Found: a logged-in customer's 5 concurrent submits made 4 orders."""
    customer = UserFactory()
    cart = cart_services.get_or_create_user_cart(db.session, customer)
    cart_services.add_item(db.session, cart, honey.id, 3)
    db.session.commit()

    responses = post_all(app, _user_clients(app, customer, 5), "/checkout", form_data())

    assert statuses(responses) == [303] * 5
    assert len({response.headers["Location"] for response in responses}) == 1
    assert _orders() == 1
    db.session.expire_all()
    assert db.session.get(Product, honey.id).stock_reserved == 3

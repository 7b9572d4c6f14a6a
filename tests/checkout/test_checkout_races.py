"""Concurrency: many buyers, little stock. PostgreSQL only (SQLite serialises everything)."""

import threading

from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from storefront.cart import services as cart_services
from storefront.catalogue.models import Product
from storefront.errors import OutOfStock
from storefront.extensions import db
from storefront.orders.checkout import place_order
from storefront.orders.models import Order, OrderLine
from storefront.producers.models import StockMovement, StockReason
from tests.checkout.factories_checkout import details
from tests.conftest import requires_postgres
from tests.factories import ProductFactory

BUYERS = 50
JARS = 10


def _carts(items_per_cart: list[list[tuple[int, int]]]) -> list[int]:
    cart_ids = []
    for items in items_per_cart:
        cart = cart_services.create_anonymous_cart(db.session)
        for product_id, quantity in items:
            cart_services.add_item(db.session, cart, product_id, quantity)
        cart_ids.append(cart.id)
    db.session.commit()
    return cart_ids


def _race(app, cart_ids: list[int]) -> list[tuple[str, str]]:
    """Every cart checks out at the same moment, each in its own app context and session."""
    barrier = threading.Barrier(len(cart_ids))
    results: list[tuple[str, str]] = []
    lock = threading.Lock()

    def buy(cart_id: int):
        # Wait before touching the pool: 50 threads share 20 connections.
        barrier.wait(timeout=60)
        with app.app_context(), force_locale("en"):
            try:
                cart = db.session.get(cart_services.Cart, cart_id)
                order = place_order(db.session, cart, details())
                db.session.commit()
                outcome = ("ok", order.number)
            except OutOfStock as error:
                db.session.rollback()
                outcome = ("sold_out", str(error.message))
            except DBAPIError as error:  # a deadlock or serialisation failure would land here
                db.session.rollback()
                outcome = ("db_error", str(error.orig))
            finally:
                db.session.remove()
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=buy, args=(cart_id,)) for cart_id in cart_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@requires_postgres
def test_fifty_buyers_for_the_last_ten_jars(app):
    for round_number in range(3):
        honey = ProductFactory(stock_on_hand=JARS, name=f"Mật ong bạc hà {round_number}")
        db.session.commit()
        cart_ids = _carts([[(honey.id, 1)]] * BUYERS)
        results = _race(app, cart_ids)

        db.session.expire_all()
        won = [detail for kind, detail in results if kind == "ok"]
        lost = [detail for kind, detail in results if kind == "sold_out"]
        assert len(results) == BUYERS
        assert [r for r in results if r[0] == "db_error"] == []
        assert len(won) == JARS and len(set(won)) == JARS  # unique order numbers
        assert len(lost) == BUYERS - JARS
        assert all("sold out" in message and honey.name in message for message in lost)
        product = db.session.get(Product, honey.id)
        assert product.stock_reserved == JARS and product.available == 0
        sold = db.session.scalar(
            select(func.coalesce(func.sum(OrderLine.quantity), 0)).where(
                OrderLine.product_id == honey.id
            )
        )
        assert sold == JARS
        movements = db.session.scalar(
            select(func.count())
            .select_from(StockMovement)
            .where(
                StockMovement.product_id == honey.id, StockMovement.reason == StockReason.RESERVE
            )
        )
        assert movements == JARS


@requires_postgres
def test_opposite_orders_do_not_deadlock(app):
    first = ProductFactory(stock_on_hand=500)
    second = ProductFactory(stock_on_hand=500)
    db.session.commit()
    forward = [(first.id, 1), (second.id, 2)]
    backward = [(second.id, 2), (first.id, 1)]
    for _ in range(2):
        cart_ids = _carts([forward, backward] * 10)
        results = _race(app, cart_ids)
        assert [kind for kind, _ in results] == ["ok"] * 20, results
    db.session.expire_all()
    assert db.session.get(Product, first.id).stock_reserved == 40
    assert db.session.get(Product, second.id).stock_reserved == 80
    assert db.session.scalar(select(func.count()).select_from(Order)) == 40

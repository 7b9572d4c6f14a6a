"""Fifty buyers, one voucher with ten uses: exactly ten orders carry the discount.

Each buyer's checkout runs in its own session and connection, released together by a
barrier. The use is taken by a conditional UPDATE in the order's transaction, so the
losers' checkouts refuse the code and write nothing. PostgreSQL only (SQLite serialises)."""

import threading

from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from storefront.cart import services as cart_services
from storefront.errors import ValidationFailed
from storefront.extensions import db
from storefront.orders.checkout import place_order
from storefront.orders.models import Order
from storefront.promotions import services as promotion_services
from storefront.promotions.models import Voucher, VoucherUse
from tests.checkout.factories_checkout import details
from tests.conftest import requires_postgres
from tests.factories import ProductFactory
from tests.promotions.voucher_helpers import voucher

BUYERS = 50
USES = 10


def _race(app, cart_ids: list[int]) -> list[tuple[str, str]]:
    barrier = threading.Barrier(len(cart_ids))
    results: list[tuple[str, str]] = []
    lock = threading.Lock()

    def buy(index: int, cart_id: int):
        barrier.wait(timeout=60)  # before touching the pool: 50 threads share 20 connections
        with app.app_context(), force_locale("en"):
            try:
                cart = db.session.get(cart_services.Cart, cart_id)
                order = place_order(db.session, cart, details(email=f"buyer{index}@example.vn"))
                db.session.commit()
                outcome = ("ok", order.number)
            except ValidationFailed as error:
                db.session.rollback()
                outcome = ("refused", str(error.message))
            except DBAPIError as error:  # a deadlock or serialisation failure would land here
                db.session.rollback()
                outcome = ("db_error", str(error.orig))
            finally:
                db.session.remove()
            with lock:
                results.append(outcome)

    threads = [
        threading.Thread(target=buy, args=(i, cart_id)) for i, cart_id in enumerate(cart_ids)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads), "a buyer hung (deadlock?)"
    return results


@requires_postgres
def test_fifty_buyers_for_a_voucher_with_ten_uses(app):
    shipping = cart_services.ShippingPolicy.from_config(app.config)
    for round_number in range(3):
        code = f"RACE{round_number}"
        offer = voucher(code=code, total_uses=USES, per_buyer=1, min_order=0)
        products = [ProductFactory(price=250_000, stock_on_hand=5) for _ in range(BUYERS)]
        cart_ids = []
        for product in products:
            cart = cart_services.create_anonymous_cart(db.session)
            cart_services.add_item(db.session, cart, product.id, 1)
            promotion_services.apply_code(db.session, cart, code, shipping)
            cart_ids.append(cart.id)
        db.session.commit()

        results = _race(app, cart_ids)

        db.session.expire_all()
        assert len(results) == BUYERS
        assert [r for r in results if r[0] == "db_error"] == []
        won = [detail for kind, detail in results if kind == "ok"]
        refused = [detail for kind, detail in results if kind == "refused"]
        assert len(won) == USES and len(refused) == BUYERS - USES
        assert all("fully used" in message for message in refused)
        assert db.session.get(Voucher, offer.id).uses == USES
        discounted = db.session.scalar(
            select(func.count())
            .select_from(Order)
            .where(Order.number.in_(won), Order.discount_total == 25_000)
        )
        assert discounted == USES
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(VoucherUse)
                .where(VoucherUse.voucher_id == offer.id)
            )
            == USES
        )

"""Many buyers race for the last units of ONE size; the other size of the same shirt sells
normally at the same moment. PostgreSQL only (SQLite serialises everything)."""

from sqlalchemy import func, select

from storefront.cart import services as cart_services
from storefront.catalogue.models import Product, ProductVariant
from storefront.extensions import db
from storefront.orders.models import OrderLine
from storefront.producers.models import StockMovement, StockReason
from tests.checkout.test_checkout_races import _race
from tests.conftest import requires_postgres
from tests.factories import product_with_variants

M_LEFT = 3
M_BUYERS = 24
L_BUYERS = 6
L_STOCK = 10


@requires_postgres
def test_buyers_racing_for_the_last_m_leave_the_l_alone(app):
    for round_number in range(2):
        shirt = product_with_variants(
            {"M": (890_000, M_LEFT), "L": (920_000, L_STOCK)},
            name=f"Áo lanh nam {round_number}",
            slug=f"ao-lanh-nam-dua-{round_number}",
        )
        db.session.commit()
        m, l_size = sorted(shirt.variants, key=lambda v: v.options[0]["value"] != "M")
        cart_ids = []
        # The L buyers check out at the same moment as the M buyers: they must all win,
        # whatever happens to the M (the product row both update is only a summary).
        wanted = [[(m.id, 1)]] * M_BUYERS + [[(l_size.id, 1)]] * L_BUYERS
        for items in wanted:
            cart = cart_services.create_anonymous_cart(db.session)
            for variant_id, quantity in items:
                cart_services.add_item(db.session, cart, shirt.id, quantity, variant_id=variant_id)
            cart_ids.append(cart.id)
        db.session.commit()

        results = _race(app, cart_ids)

        db.session.expire_all()
        assert [r for r in results if r[0] == "db_error"] == []
        won = [detail for kind, detail in results if kind == "ok"]
        lost = [detail for kind, detail in results if kind == "sold_out"]
        assert len(won) == M_LEFT + L_BUYERS and len(set(won)) == len(won)
        assert len(lost) == M_BUYERS - M_LEFT
        assert all("(Size M)" in message for message in lost)

        m_now = db.session.get(ProductVariant, m.id)
        l_now = db.session.get(ProductVariant, l_size.id)
        assert (m_now.stock_on_hand, m_now.stock_reserved) == (M_LEFT, M_LEFT)
        assert (l_now.stock_on_hand, l_now.stock_reserved) == (L_STOCK, L_BUYERS)
        product = db.session.get(Product, shirt.id)
        assert (product.stock_on_hand, product.stock_reserved) == (
            M_LEFT + L_STOCK,
            M_LEFT + L_BUYERS,
        )
        for variant, count in ((m, M_LEFT), (l_size, L_BUYERS)):
            sold = db.session.scalar(
                select(func.coalesce(func.sum(OrderLine.quantity), 0)).where(
                    OrderLine.variant_id == variant.id
                )
            )
            ledger = db.session.scalar(
                select(func.coalesce(func.sum(StockMovement.delta_reserved), 0)).where(
                    StockMovement.variant_id == variant.id,
                    StockMovement.reason == StockReason.RESERVE,
                )
            )
            assert sold == ledger == count

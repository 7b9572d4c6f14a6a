import pytest
from sqlalchemy import select

from storefront.errors import OutOfStock, ValidationFailed
from storefront.extensions import db
from storefront.models import ProductStatus, StockMovement, StockReason
from storefront.producers import inventory
from tests.factories import ProductFactory, vid


def movements(product):
    return db.session.scalars(
        select(StockMovement)
        .where(StockMovement.product_id == product.id)
        .order_by(StockMovement.id)
    ).all()


def test_reserve_holds_stock_and_records_it(app):
    honey, linen = ProductFactory(stock_on_hand=10), ProductFactory(stock_on_hand=3)
    inventory.reserve(db.session, {vid(linen): 3, vid(honey): 2})
    assert (honey.stock_on_hand, honey.stock_reserved, honey.available) == (10, 2, 8)
    assert (linen.available, linen.stock_reserved) == (0, 3)
    assert [(m.reason, m.delta_reserved) for m in movements(honey)] == [(StockReason.RESERVE, 2)]


def test_reserve_refuses_more_than_available_and_names_the_product(app):
    honey = ProductFactory(name="Mật ong bạc hà", stock_on_hand=5, stock_reserved=4)
    db.session.commit()
    with pytest.raises(OutOfStock) as excinfo:
        inventory.reserve(db.session, {vid(honey): 2}, names={vid(honey): honey.name})
    assert "Mật ong bạc hà" in str(excinfo.value.message)
    db.session.rollback()
    db.session.refresh(honey)
    assert honey.stock_reserved == 4


@pytest.mark.parametrize(
    "changes",
    [{"status": ProductStatus.ARCHIVED}, {"status": ProductStatus.DRAFT}, {"made_to_order": True}],
)
def test_reserve_refuses_unsellable_products(app, changes):
    product = ProductFactory(stock_on_hand=5, **changes)
    with pytest.raises(OutOfStock):
        inventory.reserve(db.session, {vid(product): 1})


@pytest.mark.parametrize("quantity", [0, -1])
def test_reserve_refuses_non_positive_quantities(app, quantity):
    product = ProductFactory(stock_on_hand=5)
    with pytest.raises(ValidationFailed):
        inventory.reserve(db.session, {vid(product): quantity})


def test_release_and_consume_move_both_columns_and_keep_the_ledger(app):
    product = ProductFactory(stock_on_hand=10)
    inventory.reserve(db.session, {vid(product): 4})
    inventory.release(db.session, vid(product), 1)
    inventory.consume(db.session, vid(product), 3)
    assert (product.stock_on_hand, product.stock_reserved) == (7, 0)
    ledger = [(m.reason, m.delta_on_hand, m.delta_reserved) for m in movements(product)]
    assert ledger == [
        (StockReason.RESERVE, 0, 4),
        (StockReason.RELEASE, 0, -1),
        (StockReason.SHIP, -3, -3),
    ]
    assert sum(m.delta_on_hand for m in movements(product)) == 7 - 10


def test_release_more_than_reserved_is_refused(app):
    product = ProductFactory(stock_on_hand=10, stock_reserved=1)
    with pytest.raises(inventory.InventoryError):
        inventory.release(db.session, vid(product), 2)


def test_adjust_cannot_go_below_what_is_reserved(app):
    product = ProductFactory(stock_on_hand=10, stock_reserved=6)
    inventory.adjust(db.session, vid(product), -4, StockReason.DAMAGE, note="vỡ hũ")
    assert product.stock_on_hand == 6
    with pytest.raises(ValidationFailed):
        inventory.adjust(db.session, vid(product), -1, StockReason.DAMAGE)
    inventory.adjust(db.session, vid(product), 20, StockReason.HARVEST)
    assert product.stock_on_hand == 26
    with pytest.raises(ValidationFailed):
        inventory.adjust(db.session, vid(product), 0, StockReason.HARVEST)


def test_set_count_writes_the_difference(app):
    product = ProductFactory(stock_on_hand=10, stock_reserved=2)
    movement = inventory.set_count(db.session, vid(product), 7)
    assert movement.delta_on_hand == -3
    assert product.stock_on_hand == 7
    assert inventory.set_count(db.session, vid(product), 7) is None
    with pytest.raises(ValidationFailed):
        inventory.set_count(db.session, vid(product), 1)
    with pytest.raises(ValidationFailed):
        inventory.set_count(db.session, vid(product), -5)

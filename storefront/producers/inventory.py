"""Stock moves here and only here, each as one conditional UPDATE whose rowcount is checked.

Two stages, as in django-oscar's StockRecord: placing an order *reserves*
(stock_reserved += n), an unpaid expiry or a cancellation *releases*
(stock_reserved -= n), shipping *consumes* (both columns -= n). The WHERE
clause carries the invariant, so two buyers racing for the last jar cannot both
win: the database serialises the row updates and the loser's UPDATE matches no
row. Multi-product reservations touch rows in id order, so concurrent carts
holding the same products in opposite orders cannot deadlock.
"""

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from ..catalogue.models import Product, ProductStatus
from ..errors import DomainError, OutOfStock, ValidationFailed
from .models import StockMovement, StockReason

# More units of one product than any cooperative holds; also far inside INTEGER's range, so
# on-hand plus any one change can never overflow the column.
MAX_STOCK = 1_000_000
ADJUSTMENT_REASONS = (StockReason.HARVEST, StockReason.DAMAGE, StockReason.COUNT_CORRECTION)


class InventoryError(DomainError):
    """Stock bookkeeping disagrees with the request (e.g. releasing more than reserved)."""

    default_message = _l("The stock records do not match this request.")


def _conditional_update(session: Session, product_id: int, where, values) -> bool:
    result = session.execute(
        update(Product).where(Product.id == product_id, *where).values(**values),
        execution_options={"synchronize_session": False},
    )
    _expire_stock(session, product_id)
    return result.rowcount == 1


def _expire_stock(session: Session, product_id: int) -> None:
    """The UPDATE bypassed the ORM: make any loaded copy reload its counts."""
    loaded = session.identity_map.get(identity_key(Product, product_id))
    if loaded is not None:
        session.expire(loaded, ["stock_on_hand", "stock_reserved"])


def _record(session: Session, product_id: int, reason: StockReason, **fields) -> StockMovement:
    movement = StockMovement(product_id=product_id, reason=reason, **fields)
    session.add(movement)
    if fields.get("delta_on_hand", 0) > 0 or fields.get("delta_reserved", 0) < 0:
        # Units may be for sale again: buyers waiting for them are told after the commit.
        from ..wishlist.services import stock_may_be_back

        stock_may_be_back(product_id)
    return movement


def reserve(
    session: Session,
    quantities: dict[int, int],
    names: dict[int, str] | None = None,
    producer_order_ids: dict[int, int] | None = None,
) -> None:
    """Reserve {product_id: qty} for an order, all or nothing (the caller rolls back on error)."""
    names = names or {}
    producer_order_ids = producer_order_ids or {}
    for product_id in sorted(quantities):
        quantity = quantities[product_id]
        if quantity <= 0:
            raise ValidationFailed(_l("Quantities must be whole numbers above zero."))
        reserved = _conditional_update(
            session,
            product_id,
            where=(
                Product.status == ProductStatus.ACTIVE,
                Product.made_to_order.is_(False),
                Product.stock_on_hand - Product.stock_reserved >= quantity,
            ),
            values={"stock_reserved": Product.stock_reserved + quantity},
        )
        if not reserved:
            raise OutOfStock(
                _l(
                    "Sorry, %(name)s is sold out or has fewer units left than you asked for.",
                    name=names.get(product_id, _l("a product")),
                )
            )
    # Written after every UPDATE won, so the ledger rows go out in one INSERT.
    for product_id in sorted(quantities):
        _record(
            session,
            product_id,
            StockReason.RESERVE,
            delta_reserved=quantities[product_id],
            producer_order_id=producer_order_ids.get(product_id),
        )


def release(
    session: Session,
    product_id: int,
    quantity: int,
    producer_order_id: int | None = None,
    note: str | None = None,
) -> None:
    """Return reserved units to sale (expired payment, cancellation)."""
    released = _conditional_update(
        session,
        product_id,
        where=(Product.stock_reserved >= quantity,),
        values={"stock_reserved": Product.stock_reserved - quantity},
    )
    if not released:
        raise InventoryError()
    _record(
        session,
        product_id,
        StockReason.RELEASE,
        delta_reserved=-quantity,
        producer_order_id=producer_order_id,
        note=note,
    )


def consume(
    session: Session, product_id: int, quantity: int, producer_order_id: int | None = None
) -> None:
    """Reserved units leave the warehouse: both on-hand and reserved drop."""
    consumed = _conditional_update(
        session,
        product_id,
        where=(Product.stock_reserved >= quantity, Product.stock_on_hand >= quantity),
        values={
            "stock_on_hand": Product.stock_on_hand - quantity,
            "stock_reserved": Product.stock_reserved - quantity,
        },
    )
    if not consumed:
        raise InventoryError()
    _record(
        session,
        product_id,
        StockReason.SHIP,
        delta_on_hand=-quantity,
        delta_reserved=-quantity,
        producer_order_id=producer_order_id,
    )


def adjust(
    session: Session,
    product_id: int,
    delta: int,
    reason: StockReason,
    note: str | None = None,
    user_id: int | None = None,
) -> StockMovement:
    """A producer's correction: a harvest batch (+), damage (-), a recount (±).

    On-hand can never drop below what is already promised to buyers.
    """
    if delta == 0:
        raise ValidationFailed(_l("Enter a change other than zero."))
    if abs(delta) > MAX_STOCK:
        raise ValidationFailed(_l("Enter at most %(max)d units at a time.", max=MAX_STOCK))
    where = (
        (Product.stock_on_hand + delta <= MAX_STOCK,)
        if delta > 0
        else (Product.stock_on_hand - Product.stock_reserved >= -delta,)
    )
    if not _conditional_update(
        session, product_id, where=where, values={"stock_on_hand": Product.stock_on_hand + delta}
    ):
        if delta > 0:
            raise ValidationFailed(
                _l("Stock cannot go above %(max)d units of one product.", max=MAX_STOCK)
            )
        raise ValidationFailed(
            _l("Stock cannot go below the units already reserved for open orders.")
        )
    return _record(session, product_id, reason, delta_on_hand=delta, note=note, user_id=user_id)


def set_count(
    session: Session,
    product_id: int,
    counted: int,
    reason: StockReason = StockReason.COUNT_CORRECTION,
    note: str | None = None,
    user_id: int | None = None,
) -> StockMovement | None:
    """Set on-hand to a physical count. The row is locked while the difference is written."""
    if counted < 0:
        raise ValidationFailed(_l("A stock count cannot be negative."))
    if counted > MAX_STOCK:
        raise ValidationFailed(_l("Enter at most %(max)d units at a time.", max=MAX_STOCK))
    current = session.execute(
        select(Product.stock_on_hand, Product.stock_reserved)
        .where(Product.id == product_id)
        .with_for_update()
    ).one_or_none()
    if current is None:
        raise ValidationFailed(_l("Unknown product."))
    on_hand, reserved = current
    if counted < reserved:
        raise ValidationFailed(
            _l(
                "The count %(counted)d is below the %(reserved)d units reserved for open orders.",
                counted=counted,
                reserved=reserved,
            )
        )
    if counted == on_hand:
        return None
    if not _conditional_update(
        session,
        product_id,
        where=(Product.stock_on_hand == on_hand,),
        values={"stock_on_hand": counted},
    ):
        raise InventoryError()
    return _record(
        session, product_id, reason, delta_on_hand=counted - on_hand, note=note, user_id=user_id
    )


def release_lines(session: Session, lines: Iterable, producer_order_id: int | None = None) -> None:
    """Release the reserved stock of order lines (made-to-order lines reserved nothing)."""
    for line in sorted(lines, key=lambda line: line.product_id or 0):
        if line.product_id is not None and not line.made_to_order:
            release(session, line.product_id, line.quantity, producer_order_id)

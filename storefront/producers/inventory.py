"""Stock moves here and only here, each as one conditional UPDATE whose rowcount is checked.

Two stages, as in django-oscar's StockRecord: placing an order *reserves*
(stock_reserved += n), an unpaid expiry or a cancellation *releases*
(stock_reserved -= n), shipping *consumes* (both columns -= n). The WHERE
clause carries the invariant, so two buyers racing for the last jar cannot both
win: the database serialises the row updates and the loser's UPDATE matches no
row.

Stock belongs to a product's *variants* (issue 16): every function takes variant ids. The
product row keeps the sums over its active variants (for the listing's in-stock filter and
the cards, see catalogue.models.Product), written here in the same transaction. Locks are
always taken in one order, whatever the caller: every variant row first, in id order, then
every product row, in id order. So concurrent carts holding the same goods in opposite
orders, or a cancellation racing a checkout, cannot deadlock.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, exists, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from ..catalogue.models import Product, ProductStatus, ProductVariant, VariantStatus
from ..errors import DomainError, OutOfStock, ValidationFailed
from .models import StockMovement, StockReason

# More units of one variant than any cooperative holds; also far inside INTEGER's range, so
# on-hand plus any one change can never overflow the column.
MAX_STOCK = 1_000_000
ADJUSTMENT_REASONS = (StockReason.HARVEST, StockReason.DAMAGE, StockReason.COUNT_CORRECTION)
_STOCK = ("stock_on_hand", "stock_reserved")


class InventoryError(DomainError):
    """Stock bookkeeping disagrees with the request (e.g. releasing more than reserved)."""

    default_message = _l("The stock records do not match this request.")


@dataclass
class _Moved:
    variant_id: int
    product_id: int
    active: bool
    delta_on_hand: int
    delta_reserved: int


def _units(quantities: dict[int, int], key):
    """Each row's own number of units, in one statement: a CASE over the row's id (a plain
    bound value when there is one row)."""
    if len(quantities) == 1:
        return next(iter(quantities.values()))
    return case(quantities, value=key)


def _in_lock_order(model, ids: list[int]):
    """The rows' filter. Several rows are locked in id order (the ORDER BY sorts before the
    row locks are taken), so two writers holding the same rows cannot deadlock; one row
    needs no ordering."""
    if len(ids) == 1:
        return model.id == ids[0]
    return model.id.in_(
        select(model.id).where(model.id.in_(ids)).order_by(model.id).with_for_update(key_share=True)
    )


def _update_variants(
    session: Session, quantities: dict[int, int], where, on_hand: int = 0, reserved: int = 0
) -> tuple[list[_Moved], int | None]:
    """One conditional UPDATE for every variant of {variant_id: units}: on-hand moves by
    units x `on_hand`, reserved by units x `reserved` (each -1, 0 or 1), only where
    `where(units)` holds. Returns the moves and the first variant, in id order, whose
    condition did not hold (None when every row moved)."""
    if not quantities:
        return [], None
    ids = sorted(quantities)
    units = _units(quantities, ProductVariant.id)
    values = {}
    for name, sign in (("stock_on_hand", on_hand), ("stock_reserved", reserved)):
        if sign:
            current = getattr(ProductVariant, name)
            values[name] = current + units if sign > 0 else current - units
    rows = session.execute(
        update(ProductVariant)
        .where(_in_lock_order(ProductVariant, ids), *where(units))
        .values(**values)
        .returning(ProductVariant.id, ProductVariant.product_id, ProductVariant.status),
        execution_options={"synchronize_session": False},
    ).all()
    for variant_id in ids:
        _expire(session, ProductVariant, variant_id)
    moved = {
        row.id: _Moved(
            row.id,
            row.product_id,
            row.status is VariantStatus.ACTIVE,
            quantities[row.id] * on_hand,
            quantities[row.id] * reserved,
        )
        for row in rows
    }
    missing = next((variant_id for variant_id in ids if variant_id not in moved), None)
    return [moved[variant_id] for variant_id in ids if variant_id in moved], missing


def _update_products(session: Session, moved: Iterable[_Moved]) -> None:
    """Carry the active variants' changes to their products' sums, in one UPDATE locking the
    products in id order (after every variant row: see the module's note on lock order). An
    archived variant is no longer part of the sums, so its moves stay on it."""
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for move in moved:
        if move.active:
            totals[move.product_id][0] += move.delta_on_hand
            totals[move.product_id][1] += move.delta_reserved
    totals = {pid: sums for pid, sums in totals.items() if sums[0] or sums[1]}
    if not totals:
        return
    ids = sorted(totals)
    session.execute(
        update(Product)
        .where(_in_lock_order(Product, ids))
        .values(
            stock_on_hand=Product.stock_on_hand
            + _units({pid: totals[pid][0] for pid in ids}, Product.id),
            stock_reserved=Product.stock_reserved
            + _units({pid: totals[pid][1] for pid in ids}, Product.id),
        ),
        execution_options={"synchronize_session": False},
    )
    for product_id in ids:
        _expire(session, Product, product_id)


def _expire(session: Session, model, row_id: int) -> None:
    """The UPDATE bypassed the ORM: make any loaded copy reload its counts."""
    loaded = session.identity_map.get(identity_key(model, row_id))
    if loaded is not None:
        session.expire(loaded, list(_STOCK))


def _record(session: Session, move: _Moved, reason: StockReason, **fields) -> StockMovement:
    movement = StockMovement(
        product_id=move.product_id,
        variant_id=move.variant_id,
        reason=reason,
        delta_on_hand=move.delta_on_hand,
        delta_reserved=move.delta_reserved,
        **fields,
    )
    session.add(movement)
    if move.delta_on_hand > 0 or move.delta_reserved < 0:
        # Units may be for sale again: buyers waiting for them are told after the commit.
        from ..wishlist.services import stock_may_be_back

        stock_may_be_back(move.product_id)
    return movement


def _sellable():
    return exists().where(
        Product.id == ProductVariant.product_id,
        Product.status == ProductStatus.ACTIVE,
        Product.made_to_order.is_(False),
    )


def sold_out(name) -> OutOfStock:
    return OutOfStock(
        _l("Sorry, %(name)s is sold out or has fewer units left than you asked for.", name=name)
    )


def reserve(
    session: Session,
    quantities: dict[int, int],
    names: dict[int, str] | None = None,
    producer_order_ids: dict[int, int] | None = None,
) -> None:
    """Reserve {variant_id: qty} for an order, all or nothing (the caller rolls back on error)."""
    names = names or {}
    producer_order_ids = producer_order_ids or {}
    if not quantities:
        return
    if any(quantity <= 0 for quantity in quantities.values()):
        raise ValidationFailed(_l("Quantities must be whole numbers above zero."))
    moved, short = _update_variants(
        session,
        quantities,
        lambda units: (
            ProductVariant.status == VariantStatus.ACTIVE,
            ProductVariant.stock_on_hand - ProductVariant.stock_reserved >= units,
            _sellable(),
        ),
        reserved=1,
    )
    if short is not None:
        raise sold_out(names.get(short, _l("a product")))
    _update_products(session, moved)
    # Written after every UPDATE won, so the ledger rows go out in one INSERT.
    for move in moved:
        _record(
            session,
            move,
            StockReason.RESERVE,
            producer_order_id=producer_order_ids.get(move.variant_id),
        )


def _move_bookkept(
    session: Session,
    quantities: dict[int, int],
    where,
    reason: StockReason,
    *,
    on_hand: int = 0,
    reserved: int = 0,
    **fields,
) -> None:
    """Move units the books say are there (releasing, shipping): one conditional UPDATE for
    the variants, one for the products' sums, one INSERT for the ledger. A row whose
    condition fails means the books disagree with the request."""
    moved, missing = _update_variants(session, quantities, where, on_hand, reserved)
    if missing is not None:
        raise InventoryError()
    _update_products(session, moved)
    for move in moved:
        _record(session, move, reason, **fields)


def _release_many(
    session: Session, quantities: dict[int, int], producer_order_id=None, note=None
) -> None:
    _move_bookkept(
        session,
        quantities,
        lambda units: (ProductVariant.stock_reserved >= units,),
        StockReason.RELEASE,
        reserved=-1,
        producer_order_id=producer_order_id,
        note=note,
    )


def release(
    session: Session,
    variant_id: int,
    quantity: int,
    producer_order_id: int | None = None,
    note: str | None = None,
) -> None:
    """Return reserved units to sale (expired payment, cancellation)."""
    _release_many(session, {variant_id: quantity}, producer_order_id, note)


def consume_many(
    session: Session, quantities: dict[int, int], producer_order_id: int | None = None
) -> None:
    """Reserved units leave the warehouse: both on-hand and reserved drop."""
    _move_bookkept(
        session,
        quantities,
        lambda units: (
            ProductVariant.stock_reserved >= units,
            ProductVariant.stock_on_hand >= units,
        ),
        StockReason.SHIP,
        on_hand=-1,
        reserved=-1,
        producer_order_id=producer_order_id,
    )


def consume(
    session: Session, variant_id: int, quantity: int, producer_order_id: int | None = None
) -> None:
    consume_many(session, {variant_id: quantity}, producer_order_id)


def _check_delta(delta: int) -> None:
    if delta == 0:
        raise ValidationFailed(_l("Enter a change other than zero."))
    if abs(delta) > MAX_STOCK:
        raise ValidationFailed(_l("Enter at most %(max)d units at a time.", max=MAX_STOCK))


def _adjust_one(session: Session, variant_id: int, delta: int) -> _Moved:
    def where(units):
        if delta > 0:
            return (ProductVariant.stock_on_hand + units <= MAX_STOCK,)
        return (ProductVariant.stock_on_hand - ProductVariant.stock_reserved >= -delta,)

    moved, missing = _update_variants(session, {variant_id: delta}, where, on_hand=1)
    if missing is not None:
        if delta > 0:
            raise ValidationFailed(
                _l("Stock cannot go above %(max)d units of one product.", max=MAX_STOCK)
            )
        raise ValidationFailed(
            _l("Stock cannot go below the units already reserved for open orders.")
        )
    return moved[0]


def adjust(
    session: Session,
    variant_id: int,
    delta: int,
    reason: StockReason,
    note: str | None = None,
    user_id: int | None = None,
) -> StockMovement:
    """A producer's correction: a harvest batch (+), damage (-), a recount (±).

    On-hand can never drop below what is already promised to buyers.
    """
    _check_delta(delta)
    move = _adjust_one(session, variant_id, delta)
    _update_products(session, [move])
    return _record(session, move, reason, note=note, user_id=user_id)


def restock_many(
    session: Session,
    quantities: dict[int, int],
    reason: StockReason,
    note: str | None = None,
    user_id: int | None = None,
) -> None:
    """Several variants back on the shelf at once (a received return), in lock order."""
    moved = []
    for variant_id in sorted(quantities):
        _check_delta(quantities[variant_id])
        moved.append(_adjust_one(session, variant_id, quantities[variant_id]))
    _update_products(session, moved)
    for move in moved:
        _record(session, move, reason, note=note, user_id=user_id)


def set_count(
    session: Session,
    variant_id: int,
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
        select(ProductVariant.stock_on_hand, ProductVariant.stock_reserved)
        .where(ProductVariant.id == variant_id)
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
    moved, missing = _update_variants(
        session,
        {variant_id: counted - on_hand},
        lambda units: (ProductVariant.stock_on_hand == on_hand,),
        on_hand=1,
    )
    if missing is not None:
        raise InventoryError()
    _update_products(session, moved)
    return _record(session, moved[0], reason, note=note, user_id=user_id)


def _stocked_lines(lines: Iterable) -> dict[int, int]:
    """{variant_id: quantity} of order lines that hold stock (made-to-order ones hold none;
    a line whose variant was deleted has nothing left to give back)."""
    quantities: dict[int, int] = defaultdict(int)
    for line in lines:
        if line.variant_id is not None and not line.made_to_order:
            quantities[line.variant_id] += line.quantity
    return dict(quantities)


def release_lines(session: Session, lines: Iterable, producer_order_id: int | None = None) -> None:
    """Release the reserved stock of order lines."""
    quantities = _stocked_lines(lines)
    if quantities:
        _release_many(session, quantities, producer_order_id)


def consume_lines(session: Session, lines: Iterable, producer_order_id: int | None = None) -> None:
    """The reserved stock of order lines leaves with the parcel."""
    quantities = _stocked_lines(lines)
    if quantities:
        consume_many(session, quantities, producer_order_id)

"""What a member records about its stock by hand: harvests, damage, counts and the
low-stock threshold. The stock columns themselves move only in producers.inventory."""

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..admin import audit
from ..catalogue.models import Product, ProductVariant
from ..errors import FieldError
from . import inventory
from .models import Producer, StockReason
from .scoping import ensure_own


def adjust_stock(
    session: Session,
    producer: Producer,
    product: Product,
    reason: StockReason,
    quantity: int,
    note: str | None,
    user_id: int | None,
    variant: ProductVariant | None = None,
):
    """Harvest adds `quantity`, damage removes it, a count correction sets on-hand to it,
    on one variant (a product with one form: that one)."""
    ensure_own(producer, product.producer_id)
    variant = _variant_of(product, variant)
    note = (note or "").strip()[:255] or None
    before = {**audit.snapshot(variant, "stock_on_hand"), "sku": variant.sku}
    movement = _move(session, variant, reason, quantity, note, user_id)
    after = {
        **audit.snapshot(variant, "stock_on_hand"),
        "sku": variant.sku,
        "stock_reason": reason,
        "note": note,
    }
    audit.record(session, user_id, "product.adjust_stock", product, before, after)
    return movement


def _variant_of(product: Product, variant: ProductVariant | None) -> ProductVariant:
    if variant is not None:
        if variant.product_id != product.id:
            raise FieldError("variant", _l("Choose one of this product's variants."))
        return variant
    active = product.active_variants
    if len(active) != 1:
        raise FieldError("variant", _l("Choose which variant's stock changes."))
    return active[0]


def _move(session, variant, reason, quantity, note, user_id):
    if reason is StockReason.COUNT_CORRECTION:
        movement = inventory.set_count(
            session, variant.id, quantity, reason=reason, note=note, user_id=user_id
        )
        if movement is None:
            raise FieldError("quantity", _l("The count is the same as the stock on hand."))
        return movement
    if quantity <= 0:
        raise FieldError("quantity", _l("Enter a number of units above zero."))
    if reason is StockReason.HARVEST:
        return inventory.adjust(session, variant.id, quantity, reason, note, user_id)
    if reason is StockReason.DAMAGE:
        return inventory.adjust(session, variant.id, -quantity, reason, note, user_id)
    raise FieldError("reason", _l("Choose a reason for the change."))


def set_low_stock_threshold(
    session: Session,
    producer: Producer,
    product: Product,
    threshold: int,
    actor_id: int | None = None,
) -> None:
    ensure_own(producer, product.producer_id)
    if threshold < 0:
        raise FieldError("threshold", _l("The threshold cannot be negative."))
    before = audit.snapshot(product, "low_stock_threshold")
    product.low_stock_threshold = threshold
    if len(product.active_variants) == 1:  # a product with one form: that form's threshold
        product.active_variants[0].low_stock_threshold = threshold
    session.flush()
    audit.record(
        session,
        actor_id,
        "product.set_low_stock_threshold",
        product,
        before,
        audit.snapshot(product, "low_stock_threshold"),
    )

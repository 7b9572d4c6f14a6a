"""A product's variants: what a member may add, change, archive and restore.

Every product has at least one variant (its only form, with no options, is made with the
product: see `ensure_default_variant`). The product row keeps a summary of its active
variants for the listing (see catalogue.models.Product): price / price_max are recomputed
here, stock sums move by deltas in producers.inventory, both in the caller's transaction.
Lock order as in inventory: the variant row first, then the product row.
"""

import re
import secrets
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from ..admin import audit
from ..clock import utcnow
from ..core.validators import MAX_MONEY_VND, has_control_characters
from ..errors import FieldError, InvalidTransition, NotFound, ValidationFailed
from ..producers.models import Producer, StockReason
from ..producers.scoping import ensure_own
from .models import (
    DEFAULT_WEIGHT_GRAMS,
    MAX_WEIGHT_GRAMS,
    OPTION_KINDS,
    Product,
    ProductImage,
    ProductVariant,
    VariantStatus,
)

# A product page lists every variant as a choice: beyond this it is a different product.
MAX_VARIANTS = 50
SKU_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
BARCODE_RE = re.compile(r"^[0-9]{8,14}$")  # EAN-8, UPC-A, EAN-13, GTIN-14
MAX_OPTION_VALUE = 40
AUDITED = ("sku", "options", "price", "weight_grams", "barcode", "low_stock_threshold")


@dataclass(frozen=True)
class VariantInput:
    """Exactly what a member sets on a variant; stock moves only through inventory."""

    sku: str
    price: int
    weight_grams: int
    options: dict[str, str] = field(default_factory=dict)  # {"size": "M"}
    barcode: str | None = None
    low_stock_threshold: int = 5
    image_id: int | None = None


def normalise_options(options: dict[str, str]) -> list[dict]:
    """{"colour": "Chàm", "size": ""} → [{"kind": "colour", "value": "Chàm"}], in kind order."""
    result = []
    for kind in OPTION_KINDS:
        value = " ".join(str(options.get(kind) or "").split())
        if not value:
            continue
        if len(value) > MAX_OPTION_VALUE or has_control_characters(value):
            raise FieldError(
                kind, _l("Write the option in at most %(n)d characters.", n=MAX_OPTION_VALUE)
            )
        result.append({"kind": kind, "value": value})
    return result


def check_weight(weight_grams) -> None:
    if not isinstance(weight_grams, int) or isinstance(weight_grams, bool):
        raise FieldError("weight_grams", _l("Enter the weight in whole grams."))
    if weight_grams <= 0:
        raise FieldError("weight_grams", _l("Enter a weight above zero grams."))
    if weight_grams > MAX_WEIGHT_GRAMS:
        raise FieldError(
            "weight_grams",
            _l("A parcel item weighs at most %(max)d g (50 kg).", max=MAX_WEIGHT_GRAMS),
        )


def check_price(price) -> None:
    if not isinstance(price, int) or isinstance(price, bool) or price <= 0:
        raise FieldError("price", _l("Enter a price above zero, in đồng."))
    if price > MAX_MONEY_VND:
        raise FieldError("price", _l("Enter a price of at most %(max)d đồng.", max=MAX_MONEY_VND))


def _check(session: Session, product: Product, data: VariantInput, variant=None) -> list[dict]:
    sku = (data.sku or "").strip()
    if not SKU_RE.match(sku):
        raise FieldError(
            "sku",
            _l("A SKU is 1 to 64 letters, digits, dots, dashes or underscores, e.g. AO-LANH-M."),
        )
    taken = session.scalar(
        select(ProductVariant.id).where(func.upper(ProductVariant.sku) == sku.upper())
    )
    if taken is not None and (variant is None or taken != variant.id):
        raise FieldError("sku", _l("This SKU is already used. Each variant needs its own."))
    check_price(data.price)
    check_weight(data.weight_grams)
    if data.barcode and not BARCODE_RE.match(data.barcode.strip()):
        raise FieldError("barcode", _l("A barcode is 8 to 14 digits (EAN or UPC)."))
    if not isinstance(data.low_stock_threshold, int) or data.low_stock_threshold < 0:
        raise FieldError("low_stock_threshold", _l("The threshold cannot be negative."))
    if data.image_id is not None and not any(i.id == data.image_id for i in product.images):
        raise FieldError("image_id", _l("Choose one of this product's photos."))
    options = normalise_options(data.options)
    for other in product.variants:
        if other is not variant and other.is_active and other.options == options:
            raise FieldError(
                "size", _l("Another variant of this product already has these options.")
            )
    return options


def _apply(variant: ProductVariant, data: VariantInput, options: list[dict]) -> None:
    variant.sku = data.sku.strip()
    variant.options = options
    variant.price = data.price
    variant.weight_grams = data.weight_grams
    variant.barcode = (data.barcode or "").strip() or None
    variant.low_stock_threshold = data.low_stock_threshold
    variant.image_id = data.image_id


def sync_prices(session: Session, product: Product) -> None:
    """products.price = the lowest active variant's price, price_max = the highest."""
    session.flush()
    low, high = session.execute(
        select(func.min(ProductVariant.price), func.max(ProductVariant.price)).where(
            ProductVariant.product_id == product.id,
            ProductVariant.status == VariantStatus.ACTIVE,
        )
    ).one()
    if low is None:
        return
    if (product.price, product.price_max) != (low, high):
        product.price, product.price_max = low, high
        product.updated_at = utcnow()
        session.flush()


def add_variant(
    session: Session,
    producer: Producer,
    product: Product,
    data: VariantInput,
    initial_stock: int = 0,
    actor_id: int | None = None,
) -> ProductVariant:
    from ..producers import inventory

    ensure_own(producer, product.producer_id)
    if len(product.variants) >= MAX_VARIANTS:
        raise ValidationFailed(_l("A product can have at most %(n)d variants.", n=MAX_VARIANTS))
    options = _check(session, product, data)
    if not options:
        raise FieldError("size", _l("Give the new variant at least one option, e.g. a size."))
    if not product.variants[0].options and len(product.active_variants) == 1:
        # The product's only form had no options: once there are several, each needs one.
        raise FieldError(
            "size",
            _l("First give the existing variant its option (e.g. its size), then add another."),
        )
    if not isinstance(initial_stock, int) or not 0 <= initial_stock <= inventory.MAX_STOCK:
        raise FieldError(
            "initial_stock",
            _l("Enter a stock between 0 and %(max)d units.", max=inventory.MAX_STOCK),
        )
    variant = ProductVariant(
        product=product,
        position=max((v.position for v in product.variants), default=-1) + 1,
        status=VariantStatus.ACTIVE,
        stock_on_hand=0,
        stock_reserved=0,
    )
    _apply(variant, data, options)
    session.add(variant)
    session.flush()
    if initial_stock:
        inventory.adjust(session, variant.id, initial_stock, StockReason.INITIAL, user_id=actor_id)
    sync_prices(session, product)
    audit.record(
        session, actor_id, "product.add_variant", product, None, audit.snapshot(variant, *AUDITED)
    )
    return variant


def update_variant(
    session: Session,
    producer: Producer,
    variant: ProductVariant,
    data: VariantInput,
    actor_id: int | None = None,
) -> None:
    product = variant.product
    ensure_own(producer, product.producer_id)
    options = _check(session, product, data, variant)
    if not options and len(product.active_variants) > 1 and variant.is_active:
        raise FieldError("size", _l("Each variant of a product with several needs an option."))
    before = audit.snapshot(variant, *AUDITED)
    _apply(variant, data, options)
    before, after = audit.changed_only(before, audit.snapshot(variant, *AUDITED))
    if not after:
        return
    variant.updated_at = utcnow()
    session.flush()  # the variant row first, then the product's (lock order)
    sync_prices(session, product)
    audit.record(session, actor_id, "product.update_variant", product, before, after)


def set_variant_status(
    session: Session,
    producer: Producer,
    variant: ProductVariant,
    target: VariantStatus,
    actor_id: int | None = None,
) -> None:
    """Archive (no longer sold; carts holding it are told) or put back on sale. Its stock
    leaves or rejoins the product's sums by the counts read under the variant's row lock,
    so a reservation racing the change is counted exactly once."""
    product = variant.product
    ensure_own(producer, product.producer_id)
    if variant.status is target:
        return
    if target is VariantStatus.ARCHIVED and len(product.active_variants) <= 1:
        raise InvalidTransition(
            _l("A product needs at least one variant on sale. Archive the product instead.")
        )
    clash = not variant.options or any(
        v.options == variant.options for v in product.active_variants
    )
    if target is VariantStatus.ACTIVE and clash:
        raise InvalidTransition(_l("Another variant of this product already has these options."))
    previous = variant.status
    sign = -1 if target is VariantStatus.ARCHIVED else 1
    row = session.execute(
        update(ProductVariant)
        .where(ProductVariant.id == variant.id, ProductVariant.status == variant.status)
        .values(status=target, updated_at=utcnow())
        .returning(ProductVariant.stock_on_hand, ProductVariant.stock_reserved),
        execution_options={"synchronize_session": False},
    ).first()
    if row is None:
        raise InvalidTransition()
    session.execute(
        update(Product)
        .where(Product.id == product.id)
        .values(
            stock_on_hand=Product.stock_on_hand + sign * row.stock_on_hand,
            stock_reserved=Product.stock_reserved + sign * row.stock_reserved,
        ),
        execution_options={"synchronize_session": False},
    )
    sku = variant.sku
    session.expire(variant)
    session.expire(product, ["stock_on_hand", "stock_reserved", "variants"])
    sync_prices(session, product)
    audit.record(
        session,
        actor_id,
        "product.set_variant_status",
        product,
        {"sku": sku, "variant_status": previous.value},
        {"sku": sku, "variant_status": target.value},
    )


def own_variant(session: Session, producer: Producer, variant_id) -> ProductVariant:
    """A variant of this producer's products; anything else is not found."""
    from ..core.validators import parse_id

    variant_id = parse_id(variant_id)
    variant = session.get(ProductVariant, variant_id) if variant_id is not None else None
    if variant is None or variant.product.producer_id != producer.id:
        raise NotFound()
    return variant


def own_image(product: Product, image_id) -> ProductImage | None:
    return next((i for i in product.images if i.id == image_id), None)


# ---------------------------------------------------------------- every product has one


def default_sku(session: Session, slug: str) -> str:
    """The SKU of a product's first variant: its slug in capitals, made unique if taken."""
    base = re.sub(r"[^A-Z0-9.-]", "-", slug.upper())[:56] or "SP"
    sku = base
    with session.no_autoflush:
        while session.scalar(
            select(ProductVariant.id).where(func.upper(ProductVariant.sku) == sku.upper())
        ):
            sku = f"{base}-{secrets.token_hex(3).upper()}"
    return sku


def ensure_default_variant(session: Session, _context, _instances) -> None:
    """A new product without variants gets its only form, copying its price and stock (the
    product form, the seed, the bench and the tests' factories all create products this
    way). Stock given to a product created with counts is the variant's, so sums agree."""
    for product in [obj for obj in session.new if isinstance(obj, Product)]:
        if product.variants:
            continue
        product.variants.append(
            ProductVariant(
                sku=default_sku(session, product.slug),
                options=[],
                price=product.price,
                stock_on_hand=product.stock_on_hand or 0,
                stock_reserved=product.stock_reserved or 0,
                low_stock_threshold=(
                    product.low_stock_threshold if product.low_stock_threshold is not None else 5
                ),
                weight_grams=DEFAULT_WEIGHT_GRAMS,
                position=0,
                status=VariantStatus.ACTIVE,
            )
        )
        if product.price_max is None:
            product.price_max = product.price


event.listen(Session, "before_flush", ensure_default_variant)

"""Products and their photos: what a producer's member may create, change and publish.

Plain functions with the producer passed explicitly; every function that receives an
object also checks it belongs to that producer (producers.scoping). They flush, never
commit, and raise DomainError subclasses with messages for the member.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..admin import audit
from ..clock import utcnow
from ..core.hooks import on_commit, on_rollback
from ..core.rows import unique_slug
from ..core.validators import parse_id
from ..errors import FieldError, InvalidTransition, NotFound, ValidationFailed
from ..producers import inventory
from ..producers.models import Producer, ProducerStatus, StockReason
from ..producers.scoping import ensure_own
from ..storage import Storage
from ..tasks import enqueue
from . import images, ocop
from .featuring import set_featured
from .models import Product, ProductImage, ProductStatus

PROCESS_IMAGE_TASK = "storefront.process_product_image"

# The fields an audit record of a product's own edits shows.
AUDITED = ("name", "group", "subgroup", "unit", "price", "made_to_order", "low_stock_threshold")


@dataclass(frozen=True)
class ProductInput:
    """Exactly the fields a member may set. Status, featuring and ownership are not here."""

    name: str
    group: str
    subgroup: str | None
    unit: str
    price: int
    description: str = ""
    name_en: str | None = None
    description_en: str | None = None
    made_to_order: bool = False
    lead_time_days: int | None = None
    season_start_month: int | None = None
    season_end_month: int | None = None
    low_stock_threshold: int = 5


def _check_product(data: ProductInput) -> None:
    if data.group not in ocop.GROUPS:
        raise FieldError("group", _l("Choose an OCOP product group."))
    if not ocop.is_valid_subgroup(data.group, data.subgroup):
        raise FieldError("subgroup", _l("This subgroup does not belong to the chosen group."))
    if data.price <= 0:
        raise FieldError("price", _l("Enter a price above zero, in đồng."))
    if data.made_to_order and not data.lead_time_days:
        raise FieldError("lead_time_days", _l("Made-to-order products need a lead time in days."))
    if (data.season_start_month is None) != (data.season_end_month is None):
        raise FieldError(
            "season_end_month", _l("Choose both the first and the last month of the season.")
        )
    if data.low_stock_threshold < 0:
        raise FieldError("low_stock_threshold", _l("The threshold cannot be negative."))


def _apply_input(product: Product, data: ProductInput) -> None:
    product.name = data.name.strip()
    product.group = data.group
    product.subgroup = data.subgroup
    product.unit = data.unit.strip()
    product.description = data.description.strip()
    product.name_en = (data.name_en or "").strip() or None
    product.description_en = (data.description_en or "").strip() or None
    product.made_to_order = data.made_to_order
    product.lead_time_days = data.lead_time_days if data.made_to_order else None
    product.season_start_month = data.season_start_month
    product.season_end_month = data.season_end_month
    product.low_stock_threshold = data.low_stock_threshold


def create_product(
    session: Session,
    producer: Producer,
    data: ProductInput,
    initial_stock: int = 0,
    user_id: int | None = None,
) -> Product:
    """A new product is always a draft; going live is a separate, checked step."""
    _check_product(data)
    if initial_stock < 0:
        raise FieldError("initial_stock", _l("Stock cannot be negative."))
    product = Product(
        producer=producer,
        slug=unique_slug(session, Product, data.name),
        status=ProductStatus.DRAFT,
        stock_on_hand=0,
        stock_reserved=0,
        price=data.price,
        price_max=data.price,
    )
    _apply_input(product, data)
    session.add(product)
    session.flush()  # with its first variant (catalogue.variants.ensure_default_variant)
    audit.record(
        session, user_id, "product.create", product, None, audit.snapshot(product, *AUDITED)
    )
    if initial_stock:
        inventory.adjust(
            session, product.variants[0].id, initial_stock, StockReason.INITIAL, user_id=user_id
        )
    return product


def update_product(
    session: Session,
    producer: Producer,
    product: Product,
    data: ProductInput,
    actor_id: int | None = None,
) -> None:
    ensure_own(producer, product.producer_id)
    _check_product(data)
    before = audit.snapshot(product, *AUDITED)
    active = product.active_variants
    if len(active) == 1 and active[0].price != data.price:
        # A product with one form: its price is that variant's. With several, each variant
        # has its own price (set on the variants' page) and the form's price is ignored.
        active[0].price = data.price
        active[0].updated_at = utcnow()
        session.flush()  # the variant row first, then the product's (inventory's lock order)
        product.price = product.price_max = data.price
    if len(active) == 1:
        active[0].low_stock_threshold = data.low_stock_threshold
    _apply_input(product, data)
    before, after = audit.changed_only(before, audit.snapshot(product, *AUDITED))
    if not after:
        return
    product.updated_at = utcnow()
    session.flush()
    audit.record(session, actor_id, "product.update", product, before, after)


def set_product_status(
    session: Session,
    producer: Producer,
    product: Product,
    target: ProductStatus,
    actor_id: int | None = None,
) -> None:
    """Publish, hide (back to draft) or archive. Only an approved producer's goods go live."""
    ensure_own(producer, product.producer_id)
    if target is ProductStatus.ACTIVE and not producer.is_approved:
        raise InvalidTransition(
            _l("Your producer is waiting for approval. Products go live once an admin approves it.")
        )
    if product.status is target:
        return
    before = audit.snapshot(product, "status", "featured")
    product.status = target
    product.updated_at = utcnow()
    if target is ProductStatus.ARCHIVED:
        set_featured(product, False, None)
    session.flush()
    audit.record(
        session,
        actor_id,
        "product.set_status",
        product,
        before,
        audit.snapshot(product, "status", "featured"),
    )


def add_product_image(
    session: Session,
    producer: Producer,
    product: Product,
    data: bytes,
    alt: str,
    store: Storage,
    max_pixels: int,
    actor_id: int | None = None,
) -> ProductImage:
    ensure_own(producer, product.producer_id)
    if len(product.images) >= 12:
        raise ValidationFailed(_l("A product can have at most 12 photos. Remove one first."))
    stored = images.store_image(data, store, "products", max_pixels)
    # If the transaction does not commit, the stored file goes too: nothing half-stored.
    on_rollback(session, lambda: store.delete(stored.filename))
    position = max((image.position for image in product.images), default=-1) + 1
    image = ProductImage(
        product=product,
        position=position,
        filename=stored.filename,
        thumb_filename=stored.thumb_filename,
        width=stored.width,
        height=stored.height,
        alt=(alt or "").strip()[:200] or product.name,
    )
    session.add(image)
    session.flush()
    audit.record(
        session, actor_id, "product.add_photo", product, None, {"photos": len(product.images)}
    )
    enqueue(PROCESS_IMAGE_TASK, image.id)
    return image


def delete_product_image(
    session: Session,
    producer: Producer,
    image: ProductImage,
    store: Storage,
    actor_id: int | None = None,
) -> None:
    ensure_own(producer, image.product.producer_id)
    product = image.product
    before = {"photos": len(product.images)}
    names = images.stored_names(image.filename, image.thumb_filename, image.webp_widths)
    session.delete(image)
    session.flush()
    session.expire(product, ["images"])
    audit.record(
        session, actor_id, "product.delete_photo", product, before, {"photos": len(product.images)}
    )
    # Files go only once the row is gone for good.
    on_commit(session, lambda: store.delete(*names))


def sellable_product(session: Session, product_id) -> Product:
    """An active product of an approved producer, for a cart or a wishlist; anything else
    (a draft, a suspended producer's, a malformed id) looks like it does not exist."""
    product_id = parse_id(product_id)
    if product_id is None:
        raise NotFound(_l("This product is not available."))
    product = session.scalar(
        select(Product)
        .join(Product.producer)
        .where(
            Product.id == product_id,
            Product.status == ProductStatus.ACTIVE,
            Producer.status == ProducerStatus.APPROVED,
        )
    )
    if product is None:
        raise NotFound(_l("This product is not available."))
    return product

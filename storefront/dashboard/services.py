"""Dashboard services: plain functions with the producer passed explicitly.

They flush, never commit, and raise DomainError subclasses with messages for
the member. Every function that receives an object also receives the producer
and checks the object belongs to it: the views load objects scoped already, so
this is a second lock on the same door, not the only one.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..auth.models import User, UserRole
from ..catalogue import ocop
from ..catalogue.models import Certificate, CertificateStatus, Product, ProductImage, ProductStatus
from ..clock import utcnow
from ..core.hooks import on_commit, on_rollback
from ..core.places import is_valid_place
from ..errors import FieldError, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from ..mail import queue_email
from ..orders import cancellation, routing
from ..orders.models import ProducerOrder
from ..producers import inventory
from ..producers.models import (
    Invitation,
    MemberRole,
    Producer,
    ProducerKind,
    ProducerMember,
    ProducerStatus,
    StockReason,
)
from ..storage import Storage
from ..tasks import enqueue
from ..text import slugify
from . import images

PROCESS_IMAGE_TASK = "storefront.process_product_image"

INVITATION_VALID_DAYS = 14


def _ensure_own(producer: Producer, owner_id: int) -> None:
    if owner_id != producer.id:
        raise NotFound()


def _unique_slug(session: Session, model, text: str) -> str:
    base = slugify(text, max_length=100)
    slug = base
    while session.scalar(select(func.count()).select_from(model).where(model.slug == slug)):
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


# --- becoming a producer -------------------------------------------------------------------


@dataclass(frozen=True)
class ProducerApplication:
    name: str
    kind: ProducerKind
    province_code: int | None
    ward_code: int | None
    street: str | None
    historical_address: str | None
    story: str
    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None
    name_en: str | None = None
    story_en: str | None = None


def apply_for_producer(session: Session, user: User, data: ProducerApplication) -> Producer:
    """A customer applies; the producer waits for an admin, its products stay drafts."""
    if user.role is UserRole.ADMIN:
        raise PermissionDenied(
            _l("Shop administrators cannot run a producer. Use a separate account.")
        )
    name = data.name.strip()
    if not name:
        raise FieldError("name", _l("Enter the producer's name."))
    if not is_valid_place(data.province_code, data.ward_code):
        raise FieldError("ward_code", _l("Choose the ward or commune in the chosen province."))
    producer = Producer(
        name=name,
        slug=_unique_slug(session, Producer, name),
        kind=data.kind,
        status=ProducerStatus.PENDING,
        story=data.story.strip(),
        name_en=(data.name_en or "").strip() or None,
        story_en=(data.story_en or "").strip() or None,
        province_code=data.province_code,
        ward_code=data.ward_code,
        street=(data.street or "").strip() or None,
        historical_address=(data.historical_address or "").strip() or None,
        contact_name=(data.contact_name or "").strip() or user.name,
        contact_phone=(data.contact_phone or "").strip() or user.phone,
        contact_email=(data.contact_email or "").strip().lower() or user.email,
    )
    session.add(producer)
    session.flush()
    session.add(ProducerMember(producer_id=producer.id, user_id=user.id, role=MemberRole.OWNER))
    user.role = UserRole.PRODUCER
    session.flush()
    return producer


# --- products ------------------------------------------------------------------------------


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
    product.price = data.price
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
        slug=_unique_slug(session, Product, data.name),
        status=ProductStatus.DRAFT,
        stock_on_hand=0,
        stock_reserved=0,
    )
    _apply_input(product, data)
    session.add(product)
    session.flush()
    if initial_stock:
        inventory.adjust(session, product.id, initial_stock, StockReason.INITIAL, user_id=user_id)
    return product


def update_product(
    session: Session, producer: Producer, product: Product, data: ProductInput
) -> None:
    _ensure_own(producer, product.producer_id)
    _check_product(data)
    _apply_input(product, data)
    product.updated_at = utcnow()
    session.flush()


def set_product_status(
    session: Session, producer: Producer, product: Product, target: ProductStatus
) -> None:
    """Publish, hide (back to draft) or archive. Only an approved producer's goods go live."""
    _ensure_own(producer, product.producer_id)
    if target is ProductStatus.ACTIVE and not producer.is_approved:
        raise InvalidTransition(
            _l("Your producer is waiting for approval. Products go live once an admin approves it.")
        )
    if product.status is target:
        return
    product.status = target
    product.updated_at = utcnow()
    if target is ProductStatus.ARCHIVED:
        product.featured = False
        product.featured_position = None
    session.flush()


def add_product_image(
    session: Session,
    producer: Producer,
    product: Product,
    data: bytes,
    alt: str,
    store: Storage,
    max_pixels: int,
) -> ProductImage:
    _ensure_own(producer, product.producer_id)
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
    enqueue(PROCESS_IMAGE_TASK, image.id)
    return image


def delete_product_image(
    session: Session, producer: Producer, image: ProductImage, store: Storage
) -> None:
    _ensure_own(producer, image.product.producer_id)
    names = images.stored_names(image.filename, image.thumb_filename, image.webp_widths)
    session.delete(image)
    session.flush()
    # Files go only once the row is gone for good.
    on_commit(session, lambda: store.delete(*names))


# --- certificates --------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateInput:
    number: str
    stars: int
    issuing_authority: str
    decision_number: str
    signed_on: date


def submit_certificate(
    session: Session,
    producer: Producer,
    product: Product,
    data: CertificateInput,
    scan: bytes,
    store: Storage,
    max_pixels: int,
    today: date,
) -> Certificate:
    """Record a certificate as PENDING: it shows no stars until an admin verifies the scan."""
    _ensure_own(producer, product.producer_id)
    number = data.number.strip()
    if data.stars not in (3, 4, 5):
        raise FieldError("stars", _l("OCOP certificates have 3, 4 or 5 stars."))
    if data.signed_on > today:
        raise FieldError("signed_on", _l("The signing date cannot be in the future."))
    valid_until = Certificate.default_valid_until(data.signed_on)
    if valid_until < today:
        raise FieldError(
            "signed_on",
            _l(
                "A certificate signed on this date expired on %(date)s. Submit the renewed one.",
                date=valid_until.strftime("%d/%m/%Y"),
            ),
        )
    taken = session.scalar(
        select(func.count()).select_from(Certificate).where(Certificate.number == number)
    )
    if taken:
        raise FieldError("number", _l("A certificate with this number is already registered."))
    try:
        stored = images.store_image(scan, store, "certificates", max_pixels)
    except images.ImageRejected as error:
        raise FieldError("scan", error.message) from None
    on_rollback(session, lambda: store.delete(stored.filename))
    certificate = Certificate(
        product=product,
        number=number,
        stars=data.stars,
        issuing_authority=data.issuing_authority.strip(),
        decision_number=data.decision_number.strip(),
        signed_on=data.signed_on,
        valid_until=valid_until,
        scan_filename=stored.filename,
        status=CertificateStatus.PENDING,
    )
    session.add(certificate)
    session.flush()
    return certificate


# --- stock ---------------------------------------------------------------------------------


def adjust_stock(
    session: Session,
    producer: Producer,
    product: Product,
    reason: StockReason,
    quantity: int,
    note: str | None,
    user_id: int | None,
):
    """Harvest adds `quantity`, damage removes it, a count correction sets on-hand to it."""
    _ensure_own(producer, product.producer_id)
    note = (note or "").strip()[:255] or None
    if reason is StockReason.COUNT_CORRECTION:
        movement = inventory.set_count(
            session, product.id, quantity, reason=reason, note=note, user_id=user_id
        )
        if movement is None:
            raise FieldError("quantity", _l("The count is the same as the stock on hand."))
        return movement
    if quantity <= 0:
        raise FieldError("quantity", _l("Enter a number of units above zero."))
    if reason is StockReason.HARVEST:
        return inventory.adjust(session, product.id, quantity, reason, note, user_id)
    if reason is StockReason.DAMAGE:
        return inventory.adjust(session, product.id, -quantity, reason, note, user_id)
    raise FieldError("reason", _l("Choose a reason for the change."))


def set_low_stock_threshold(
    session: Session, producer: Producer, product: Product, threshold: int
) -> None:
    _ensure_own(producer, product.producer_id)
    if threshold < 0:
        raise FieldError("threshold", _l("The threshold cannot be negative."))
    product.low_stock_threshold = threshold
    session.flush()


# --- sub-orders ----------------------------------------------------------------------------

SUB_ORDER_ACTIONS = ("confirm", "pack", "ship", "deliver", "cancel")


def act_on_sub_order(
    session: Session,
    producer: Producer,
    sub_order: ProducerOrder,
    action: str,
    actor_id: int | None,
    *,
    carrier: str = "",
    tracking_number: str = "",
    cash_received: bool = False,
    reason: str = "",
    now: datetime | None = None,
) -> None:
    """Hand the sub-order to the status machine in orders.routing; no transition rules here."""
    _ensure_own(producer, sub_order.producer_id)
    if action == "confirm":
        routing.confirm(session, sub_order, actor_id, now=now)
    elif action == "pack":
        routing.pack(session, sub_order, actor_id, now=now)
    elif action == "ship":
        routing.ship(session, sub_order, actor_id, carrier, tracking_number, now=now)
    elif action == "deliver":
        routing.deliver(session, sub_order, actor_id, cash_received=cash_received, now=now)
    elif action == "cancel":
        cancellation.cancel_part(session, sub_order, actor_id, reason, now=now)
    else:
        raise NotFound()


# --- team ----------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    # Only the hash is stored: a leaked database row cannot be used to join a producer.
    return hashlib.sha256(token.encode()).hexdigest()


def _require_owner(producer: Producer, actor: ProducerMember) -> None:
    if actor.producer_id != producer.id or actor.role is not MemberRole.OWNER:
        raise PermissionDenied(_l("Only the producer's owners can manage the team."))


def invite_member(
    session: Session, producer: Producer, actor: ProducerMember, email: str, locale: str = "vi"
) -> tuple[Invitation, str]:
    """Create an invitation and email its link after the commit. Returns it and the raw token."""
    _require_owner(producer, actor)
    email = email.strip().lower()
    already = session.scalar(
        select(func.count())
        .select_from(ProducerMember)
        .join(User, User.id == ProducerMember.user_id)
        .where(ProducerMember.producer_id == producer.id, User.email == email)
    )
    if already:
        raise FieldError("email", _l("This person is already a member."))
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        producer_id=producer.id,
        email=email,
        token=_token_hash(token),
        invited_by_id=actor.user_id,
    )
    session.add(invitation)
    session.flush()
    queue_email(
        email,
        _l("Join %(producer)s on OCOP Market", producer=producer.name),
        "dashboard_invitation",
        locale=locale,
        producer=producer,
        token=token,
        valid_days=INVITATION_VALID_DAYS,
    )
    return invitation, token


def find_open_invitation(session: Session, token: str, now: datetime) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    invitation = session.scalar(select(Invitation).where(Invitation.token == _token_hash(token)))
    if invitation is None or invitation.accepted_at is not None:
        return None
    if invitation.created_at < now - timedelta(days=INVITATION_VALID_DAYS):
        return None
    return invitation


def accept_invitation(session: Session, user: User, token: str, now: datetime) -> ProducerMember:
    invitation = find_open_invitation(session, token, now)
    if invitation is None:
        raise NotFound(_l("This invitation has expired or was already used."))
    if invitation.email.lower() != user.email.lower():
        raise PermissionDenied(
            _l("This invitation was sent to another email address. Log in with that address.")
        )
    if user.role is UserRole.ADMIN:
        raise PermissionDenied(
            _l("Shop administrators cannot run a producer. Use a separate account.")
        )
    existing = session.scalar(
        select(ProducerMember).where(
            ProducerMember.producer_id == invitation.producer_id,
            ProducerMember.user_id == user.id,
        )
    )
    invitation.accepted_at = now
    if existing is not None:
        session.flush()
        return existing
    membership = ProducerMember(
        producer_id=invitation.producer_id, user_id=user.id, role=MemberRole.MEMBER
    )
    session.add(membership)
    user.role = UserRole.PRODUCER
    session.flush()
    return membership


def revoke_invitation(
    session: Session, producer: Producer, actor: ProducerMember, invitation: Invitation
) -> None:
    _require_owner(producer, actor)
    _ensure_own(producer, invitation.producer_id)
    session.delete(invitation)
    session.flush()


def remove_member(
    session: Session, producer: Producer, actor: ProducerMember, member: ProducerMember
) -> None:
    _require_owner(producer, actor)
    _ensure_own(producer, member.producer_id)
    if member.id == actor.id:
        raise ValidationFailed(_l("You cannot remove yourself. Ask another owner."))
    session.delete(member)
    session.flush()

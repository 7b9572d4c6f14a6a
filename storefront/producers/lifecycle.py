"""A producer's life in the shop: a customer applies, an admin approves or suspends it and
edits its profile.

Plain functions with explicit arguments (the acting user's id); they flush, never commit,
and raise DomainError subclasses.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..admin import audit
from ..auth.models import User, UserRole
from ..catalogue.featuring import set_featured
from ..clock import utcnow
from ..core.brand import SHOP
from ..core.places import is_valid_place
from ..core.rows import lock, unique_slug
from ..errors import FieldError, InvalidTransition, PermissionDenied, ValidationFailed
from ..storage import Storage
from . import bank_details
from .applications import DocumentUpload, LegalIdentity, add_document, checked_identity
from .models import MemberRole, Producer, ProducerKind, ProducerMember, ProducerStatus
from .notify import email_producer

PRODUCER_TRANSITIONS = {
    ProducerStatus.PENDING: {ProducerStatus.APPROVED, ProducerStatus.SUSPENDED},
    ProducerStatus.APPROVED: {ProducerStatus.SUSPENDED},
    ProducerStatus.SUSPENDED: {ProducerStatus.APPROVED},
}


PRODUCER_EDIT_FIELDS = (
    "name",
    "kind",
    "story",
    "contact_name",
    "contact_phone",
    "contact_email",
    "province_code",
    "ward_code",
    "street",
    "historical_address",
    "commission_rate_bp",
    "bank_name",
    "bank_account",
    "bank_account_name",
)


MAX_RATE_BP = 10_000


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
    identity: LegalIdentity | None = None
    # The account payouts go to, sent with the application; it waits as a pending bank
    # change and becomes live when the admin approves the producer (the same review).
    bank_bin: str | None = None
    bank_account: str | None = None
    bank_account_name: str | None = None


def apply_for_producer(
    session: Session,
    user: User,
    data: ProducerApplication,
    documents: Sequence[DocumentUpload] = (),
    store: Storage | None = None,
    max_pixels: int = 0,
) -> Producer:
    """A customer applies with its legal identity, papers and bank account; the producer
    waits for an admin, its products stay drafts."""
    if user.role is UserRole.ADMIN:
        raise PermissionDenied(
            _l("Shop administrators cannot run a producer. Use a separate account.")
        )
    name = data.name.strip()
    if not name:
        raise FieldError("name", _l("Enter the producer's name."))
    if not is_valid_place(data.province_code, data.ward_code):
        raise FieldError("ward_code", _l("Choose the ward or commune in the chosen province."))
    identity = checked_identity(data.identity) if data.identity else None
    producer = Producer(
        name=name,
        slug=unique_slug(session, Producer, name),
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
        legal_name=identity.legal_name if identity else None,
        registration_number=identity.registration_number if identity else None,
        tax_code=identity.tax_code if identity else None,
        application_submitted_at=utcnow(),
    )
    session.add(producer)
    session.flush()
    session.add(ProducerMember(producer_id=producer.id, user_id=user.id, role=MemberRole.OWNER))
    user.role = UserRole.PRODUCER
    session.flush()
    audit.record(
        session,
        user.id,
        "producer.apply",
        producer,
        None,
        audit.snapshot(producer, "name", "status"),
    )
    if data.bank_account:
        bank_details.request_change(
            session,
            producer,
            user.id,
            data.bank_bin or "",
            data.bank_account,
            data.bank_account_name or "",
        )
    for upload in documents:
        add_document(session, producer, upload, store, max_pixels, user.id)
    return producer


def set_producer_status(
    session: Session,
    producer: Producer,
    status: ProducerStatus,
    actor_id: int | None,
    reason: str = "",
) -> None:
    """Approve or suspend. A suspended producer's products leave the storefront and the
    featured lists (the catalogue shows only approved producers' active products)."""
    lock(session, producer)
    if status not in PRODUCER_TRANSITIONS[producer.status]:
        raise InvalidTransition(
            _l(
                "This producer is %(current)s and cannot become %(target)s.",
                current=producer.status.label,
                target=status.label,
            )
        )
    reason = (reason or "").strip()
    if status is ProducerStatus.SUSPENDED and not reason:
        raise ValidationFailed(_l("Give a reason for the suspension."))
    before = {"status": producer.status.value}
    was_pending = producer.status is ProducerStatus.PENDING
    producer.status = status
    if status is ProducerStatus.APPROVED:
        producer.application_review = None
        producer.application_review_note = None
    after = {"status": status.value}
    if reason:
        after["reason"] = reason
    if status is ProducerStatus.SUSPENDED:
        unfeatured = [p for p in producer.products if p.featured]
        for product in unfeatured:
            set_featured(product, False, None)
        if unfeatured:
            after["unfeatured_product_ids"] = [p.id for p in unfeatured]
    session.flush()
    if was_pending and status is ProducerStatus.APPROVED and producer.pending_bank_account:
        # The account sent with the application was reviewed with it, side by side with the
        # papers; a later change still waits for its own approval (bank_details).
        bank_details.approve_change(session, producer, actor_id)
    action = "producer.approve" if status is ProducerStatus.APPROVED else "producer.suspend"
    audit.record(session, actor_id, action, producer, before, after)
    email_producer(
        producer,
        _l(
            "%(producer)s on %(shop)s: %(status)s",
            shop=SHOP,
            producer=producer.name,
            status=status.label,
        ),
        "producer_status",
        status_label=status.label,
        approved=status is ProducerStatus.APPROVED,
        reason=reason,
    )


def update_producer(session: Session, producer: Producer, changes: dict, actor_id: int | None):
    """Edit the producer's profile, place, bank details and commission rate."""
    unknown = set(changes) - set(PRODUCER_EDIT_FIELDS)
    if unknown:
        raise ValidationFailed(_l("Unknown producer fields."))
    values = {name: changes.get(name, getattr(producer, name)) for name in PRODUCER_EDIT_FIELDS}
    for name, value in values.items():
        if isinstance(value, str):
            values[name] = value.strip()
            if name != "name" and name != "story" and not values[name]:
                values[name] = None
    if not values["name"]:
        raise ValidationFailed(_l("Enter the producer's name."))
    if not isinstance(values["kind"], ProducerKind):
        raise ValidationFailed(_l("Choose the kind of producer."))
    province, ward = values["province_code"], values["ward_code"]
    if (province or ward) and not is_valid_place(province, ward):
        raise ValidationFailed(_l("Choose a province and one of its wards or communes."))
    rate = values["commission_rate_bp"]
    if rate is not None and not 0 <= rate <= MAX_RATE_BP:
        raise ValidationFailed(_l("The commission rate must be between 0 and 100 %."))

    before = audit.snapshot(producer, *PRODUCER_EDIT_FIELDS)
    for name, value in values.items():
        setattr(producer, name, value)
    after = audit.snapshot(producer, *PRODUCER_EDIT_FIELDS)
    before, after = audit.changed_only(before, after)
    if not after:
        return
    # The search text and the products' search index follow (producers.models, search.py).
    session.flush()
    audit.record(session, actor_id, "producer.update", producer, before, after)

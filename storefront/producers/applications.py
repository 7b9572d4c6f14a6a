"""Becoming a seller: who the producer is in law, the papers it sends, and the admin's answer
short of approval (send back for changes, or turn down). Approval itself is
lifecycle.set_producer_status. A producer also keeps its own profile up to date here.

Plain functions with explicit arguments; they flush, never commit, and raise DomainErrors.
Each answer is a conditional UPDATE on the state the admin saw, so a double click or two
admins answering at once change the application once and send one email.
"""

import re
import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..admin import audit
from ..catalogue import images
from ..clock import utcnow
from ..core.hooks import on_commit, on_rollback
from ..core.places import is_valid_place
from ..errors import FieldError, InvalidTransition
from ..storage import Storage
from .models import (
    ApplicationReview,
    DocumentKind,
    Producer,
    ProducerDocument,
    ProducerKind,
    ProducerStatus,
)
from .notify import email_producer

# Mã số thuế: 10 digits, or 10 digits, a dash and 3 for a branch (Circular 105/2020/TT-BTC).
TAX_CODE_RE = re.compile(r"^[0-9]{10}(-[0-9]{3})?$")
# Business and cooperative registration numbers are digits, sometimes with letters, dots,
# dashes or slashes (older HTX numbers look like "08.07.000123" or "3207/HTX").
REGISTRATION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z./-]{3,39}$")
MAX_DOCUMENTS = 10
PDF_MAGIC = b"%PDF-"


@dataclass(frozen=True)
class LegalIdentity:
    legal_name: str
    registration_number: str
    tax_code: str


@dataclass(frozen=True)
class DocumentUpload:
    kind: DocumentKind
    data: bytes
    original_name: str


@dataclass(frozen=True)
class ProfileInput:
    """What a producer's owner may change on its own. Legal identity and kind only while the
    application is open: once approved, a change of legal entity goes through the shop."""

    story: str
    story_en: str | None
    name_en: str | None
    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None
    province_code: int | None
    ward_code: int | None
    street: str | None
    historical_address: str | None
    name: str | None = None
    kind: ProducerKind | None = None
    identity: LegalIdentity | None = None


PROFILE_FIELDS = (
    "name",
    "kind",
    "legal_name",
    "registration_number",
    "tax_code",
    "story",
    "story_en",
    "name_en",
    "contact_name",
    "contact_phone",
    "contact_email",
    "province_code",
    "ward_code",
    "street",
    "historical_address",
)


def checked_identity(identity: LegalIdentity) -> LegalIdentity:
    legal_name = " ".join(identity.legal_name.split())
    registration = identity.registration_number.strip().upper()
    tax_code = re.sub(r"\s", "", identity.tax_code)
    if not legal_name:
        raise FieldError("legal_name", _l("Enter the name on the registration certificate."))
    if not REGISTRATION_RE.match(registration):
        raise FieldError(
            "registration_number",
            _l("Enter the registration number as printed (4 to 40 letters, digits, . / -)."),
        )
    if not TAX_CODE_RE.match(tax_code):
        raise FieldError(
            "tax_code", _l("A tax code has 10 digits, or 10 digits, a dash and 3 more.")
        )
    return LegalIdentity(legal_name, registration, tax_code)


def add_document(
    session: Session,
    producer: Producer,
    upload: DocumentUpload,
    store: Storage,
    max_pixels: int,
    actor_id: int | None,
) -> ProducerDocument:
    """Keep one paper of the application. Photos are re-encoded like product photos (nothing
    of the original file survives); a PDF is kept as sent, recognised by its content, and is
    only ever served as a download to the producer's members and admins."""
    count = session.scalar(
        select(func.count())
        .select_from(ProducerDocument)
        .where(ProducerDocument.producer_id == producer.id)
    )
    if count >= MAX_DOCUMENTS:
        raise FieldError("documents", _l("At most %(n)d documents per producer.", n=MAX_DOCUMENTS))
    if upload.data.startswith(PDF_MAGIC):
        filename = f"documents/{secrets.token_hex(16)}.pdf"
        store.save(filename, upload.data, "application/pdf")
        content_type = "application/pdf"
    else:
        try:
            filename = images.store_image(upload.data, store, "documents", max_pixels).filename
        except images.ImageRejected:
            raise FieldError(
                "documents", _l("Upload each document as a PDF, or a JPEG, PNG or WebP photo.")
            ) from None
        content_type = "image/jpeg"
    on_rollback(session, lambda: store.delete(filename))
    document = ProducerDocument(
        producer_id=producer.id,
        kind=upload.kind,
        filename=filename,
        content_type=content_type,
        original_name=" ".join(upload.original_name.split())[:255],
        uploaded_by_id=actor_id,
    )
    session.add(document)
    session.flush()
    audit.record(
        session,
        actor_id,
        "producer.document_added",
        producer,
        None,
        {"document_id": document.id, "kind": upload.kind.value},
    )
    return document


def _answer(
    session: Session,
    producer: Producer,
    actor_id: int | None,
    review: ApplicationReview,
    note: str,
) -> None:
    note = (note or "").strip()
    if not note:
        raise FieldError("note", _l("Tell the applicant why, in a sentence or two."))
    result = session.execute(
        update(Producer)
        .where(
            Producer.id == producer.id,
            Producer.status == ProducerStatus.PENDING,
            Producer.application_review.is_(None),
        )
        .values(application_review=review, application_review_note=note)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise InvalidTransition(
            _l("This application is no longer waiting for review. Reload the page.")
        )
    session.refresh(producer)
    action = (
        "producer.changes_requested"
        if review is ApplicationReview.CHANGES_REQUESTED
        else "producer.application_rejected"
    )
    audit.record(session, actor_id, action, producer, None, {"note": note})
    email_producer(
        producer,
        _l(
            "Your application for %(producer)s: %(answer)s",
            producer=producer.name,
            answer=review.label,
        ),
        "producer_application",
        review=review.value,
        note=note,
    )


def request_changes(session: Session, producer: Producer, actor_id: int | None, note: str):
    """Send the application back: the applicant is told why and can edit and send it again."""
    _answer(session, producer, actor_id, ApplicationReview.CHANGES_REQUESTED, note)


def reject_application(session: Session, producer: Producer, actor_id: int | None, note: str):
    _answer(session, producer, actor_id, ApplicationReview.REJECTED, note)


def resubmit_application(session: Session, producer: Producer, actor_id: int | None) -> None:
    """The applicant made the changes asked for: the application waits for review again."""
    result = session.execute(
        update(Producer)
        .where(
            Producer.id == producer.id,
            Producer.status == ProducerStatus.PENDING,
            Producer.application_review == ApplicationReview.CHANGES_REQUESTED,
        )
        .values(application_review=None, application_submitted_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise InvalidTransition(_l("This application is not waiting for your changes."))
    session.refresh(producer)
    audit.record(session, actor_id, "producer.application_resubmitted", producer, None, None)


def update_profile(
    session: Session, producer: Producer, data: ProfileInput, actor_id: int | None
) -> bool:
    """The producer's own edit of its public profile and contact details. Returns whether
    anything changed. Bank details are not here: they need an admin's approval
    (bank_details.request_change)."""
    if not is_valid_place(data.province_code, data.ward_code):
        raise FieldError("ward_code", _l("Choose the ward or commune in the chosen province."))
    values = {
        "story": data.story.strip(),
        "story_en": (data.story_en or "").strip() or None,
        "name_en": (data.name_en or "").strip() or None,
        "contact_name": (data.contact_name or "").strip() or None,
        "contact_phone": (data.contact_phone or "").strip() or None,
        "contact_email": (data.contact_email or "").strip().lower() or None,
        "province_code": data.province_code,
        "ward_code": data.ward_code,
        "street": (data.street or "").strip() or None,
        "historical_address": (data.historical_address or "").strip() or None,
    }
    if producer.status is ProducerStatus.PENDING:
        if data.name is not None:
            name = " ".join(data.name.split())
            if not name:
                raise FieldError("name", _l("Enter the producer's name."))
            values["name"] = name
        if data.kind is not None:
            values["kind"] = data.kind
        if data.identity is not None:
            identity = checked_identity(data.identity)
            values.update(
                legal_name=identity.legal_name,
                registration_number=identity.registration_number,
                tax_code=identity.tax_code,
            )
    before = audit.snapshot(producer, *PROFILE_FIELDS)
    for name, value in values.items():
        setattr(producer, name, value)
    before, after = audit.changed_only(before, audit.snapshot(producer, *PROFILE_FIELDS))
    if not after:
        return False
    session.flush()
    audit.record(session, actor_id, "producer.profile_updated", producer, before, after)
    return True


def set_photo(
    session: Session,
    producer: Producer,
    data: bytes,
    store: Storage,
    max_pixels: int,
    actor_id: int | None,
) -> None:
    """Replace the producer's public photo; the old file goes only once the change commits."""
    try:
        filename = images.store_image(data, store, "producers", max_pixels).filename
    except images.ImageRejected as error:
        raise FieldError("photo", error.message) from None
    on_rollback(session, lambda: store.delete(filename))
    old = producer.photo_filename
    producer.photo_filename = filename
    session.flush()
    if old:
        on_commit(session, lambda: store.delete(old))
    audit.record(
        session, actor_id, "producer.photo_changed", producer, {"photo": old}, {"photo": filename}
    )

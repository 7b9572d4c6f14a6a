"""OCOP certificates: a producer submits one with its scan; an admin verifies or rejects it;
verified ones that are about to expire are reminded about.

Plain functions with explicit arguments (actor ids, today, now); they flush, never commit,
and raise DomainError subclasses.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from ..admin import audit
from ..clock import utcnow
from ..core.hooks import on_rollback
from ..errors import FieldError, InvalidTransition, ValidationFailed
from ..producers.models import Producer, ProducerMember
from ..producers.notify import email_producer, producer_recipients
from ..producers.scoping import ensure_own
from ..storage import Storage
from . import images
from .featuring import featuring_problem, set_featured
from .models import Certificate, CertificateStatus, Product

EXPIRY_WINDOW_DAYS = 60


CERTIFICATE_REVIEW_FIELDS = ("status", "verified_by_id", "verified_at", "rejection_reason")


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
    actor_id: int | None = None,
) -> Certificate:
    """Record a certificate as PENDING: it shows no stars until an admin verifies the scan."""
    ensure_own(producer, product.producer_id)
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
    audit.record(
        session,
        actor_id,
        "certificate.submit",
        certificate,
        None,
        audit.snapshot(certificate, "number", "stars", "signed_on", "valid_until", "status"),
    )
    return certificate


def _review(
    session: Session, certificate: Certificate, seen: CertificateStatus, values: dict
) -> None:
    """Move the certificate from the status the admin saw, or not at all.

    The UPDATE names the expected status, so of two admins (or two clicks) acting on the
    same certificate only the first changes it; the other is told, and sends no email.
    """
    changed = session.execute(
        update(Certificate)
        .where(Certificate.id == certificate.id, Certificate.status == seen)
        .values(**values),
        execution_options={"synchronize_session": False},
    ).rowcount
    if changed != 1:
        session.expire(certificate)
        raise InvalidTransition(
            _l("Someone else reviewed this certificate meanwhile. Check it again.")
        )
    session.expire(certificate, list(values))


def verify_certificate(
    session: Session, certificate: Certificate, actor_id: int | None, now: datetime | None = None
) -> None:
    session.flush()
    seen = certificate.status
    if seen is CertificateStatus.VERIFIED:
        raise InvalidTransition(_l("This certificate is already verified."))
    if not certificate.scan_filename:
        # "The scan matches" is what verifying means: without a scan there is nothing to check.
        raise InvalidTransition(
            _l("This certificate has no scan attached, so it cannot be verified.")
        )
    before = audit.snapshot(certificate, *CERTIFICATE_REVIEW_FIELDS)
    _review(
        session,
        certificate,
        seen,
        {
            "status": CertificateStatus.VERIFIED,
            "verified_by_id": actor_id,
            "verified_at": now or utcnow(),
            "rejection_reason": None,
        },
    )
    audit.record(
        session,
        actor_id,
        "certificate.verify",
        certificate,
        before,
        audit.snapshot(certificate, *CERTIFICATE_REVIEW_FIELDS),
    )
    product = certificate.product
    email_producer(
        product.producer,
        _l("Certificate %(number)s verified", number=certificate.number),
        "certificate_reviewed",
        certificate=certificate,
        product=product,
        verified=True,
    )


def reject_certificate(
    session: Session,
    certificate: Certificate,
    actor_id: int | None,
    reason: str,
    today: date,
    now: datetime | None = None,
) -> None:
    """Reject a pending certificate, or withdraw a verified one found to be wrong."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("Give the reason for the rejection; the producer will see it."))
    session.flush()
    seen = certificate.status
    if seen is CertificateStatus.REJECTED:
        raise InvalidTransition(_l("This certificate is already rejected."))
    before = audit.snapshot(certificate, *CERTIFICATE_REVIEW_FIELDS)
    _review(
        session,
        certificate,
        seen,
        {
            "status": CertificateStatus.REJECTED,
            "verified_by_id": actor_id,
            "verified_at": now or utcnow(),
            "rejection_reason": reason[:255],
        },
    )
    after = audit.snapshot(certificate, *CERTIFICATE_REVIEW_FIELDS)
    product = certificate.product
    if product.featured and featuring_problem(product, today) is not None:
        set_featured(product, False, None)
        after["unfeatured_product_id"] = product.id
    session.flush()
    audit.record(session, actor_id, "certificate.reject", certificate, before, after)
    email_producer(
        product.producer,
        _l("Certificate %(number)s was not accepted", number=certificate.number),
        "certificate_reviewed",
        certificate=certificate,
        product=product,
        verified=False,
    )


def expiring_certificates_stmt(today: date, days: int = EXPIRY_WINDOW_DAYS):
    """Verified certificates still valid today whose last valid day falls within `days`."""
    return select(Certificate).where(
        Certificate.status == CertificateStatus.VERIFIED,
        Certificate.signed_on <= today,
        Certificate.valid_until >= today,
        Certificate.valid_until <= today + timedelta(days=days),
    )


def send_expiry_reminders(session: Session, today: date, days: int = EXPIRY_WINDOW_DAYS) -> int:
    """Email each producer once about its certificates expiring within `days`.

    Idempotent and safe under overlapping cron runs: each certificate is claimed by a
    conditional UPDATE on `expiry_reminder_sent_for` (the valid_until it was reminded about),
    so a repeat run, or a concurrent one, finds nothing left to claim. A renewed certificate
    (new valid_until) is reminded again. Emails go out after the caller's commit.
    Returns the number of producers emailed.
    """
    candidates = session.scalars(
        expiring_certificates_stmt(today, days)
        .where(
            or_(
                Certificate.expiry_reminder_sent_for.is_(None),
                Certificate.expiry_reminder_sent_for != Certificate.valid_until,
            )
        )
        .order_by(Certificate.id)
        .options(
            selectinload(Certificate.product)
            .selectinload(Product.producer)
            .selectinload(Producer.members)
            .selectinload(ProducerMember.user)
        )
    ).all()
    by_producer: dict[int, list[Certificate]] = {}
    for certificate in candidates:
        producer = certificate.product.producer
        if not producer_recipients(producer):
            continue  # nobody to tell yet; stays unclaimed so a later run can send it
        claimed = session.execute(
            update(Certificate)
            .where(
                Certificate.id == certificate.id,
                Certificate.valid_until == certificate.valid_until,
                or_(
                    Certificate.expiry_reminder_sent_for.is_(None),
                    Certificate.expiry_reminder_sent_for != Certificate.valid_until,
                ),
            )
            .values(expiry_reminder_sent_for=Certificate.valid_until),
            execution_options={"synchronize_session": False},
        ).rowcount
        if claimed == 1:
            session.expire(certificate, ["expiry_reminder_sent_for"])
            by_producer.setdefault(producer.id, []).append(certificate)
    for certificates in by_producer.values():
        producer = certificates[0].product.producer
        certificates.sort(key=lambda c: (c.valid_until, c.id))
        email_producer(
            producer,
            _l("OCOP certificates expiring soon: %(producer)s", producer=producer.name),
            "certificate_expiring",
            certificates=certificates,
            today=today,
            days=days,
        )
    session.flush()
    return len(by_producer)

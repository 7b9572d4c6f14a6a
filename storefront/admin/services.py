"""Admin actions. Each one changes state and writes its audit row in the caller's transaction.

Plain functions with explicit arguments (the acting admin's id, today's date, now): the CLI,
tests and views share them. They flush, never commit, and raise DomainError subclasses.
"""

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from ..auth import services as auth_services
from ..auth.models import User, UserRole
from ..catalogue.models import Certificate, CertificateStatus, Product, ProductStatus
from ..clock import utcnow
from ..core.places import is_valid_place
from ..errors import InvalidTransition, ValidationFailed
from ..mail import queue_email
from ..orders import cancellation, emails, refunds
from ..orders.bank_transfer import confirm_bank_transfer
from ..orders.models import Order, PaymentStatus, ProducerOrder
from ..producers import ledger
from ..producers.models import (
    MemberRole,
    Payout,
    Producer,
    ProducerKind,
    ProducerMember,
    ProducerStatus,
)
from . import audit

# --- shared helpers --------------------------------------------------------------------------


def _lock(session: Session, obj) -> None:
    """Re-read the row under FOR UPDATE (PostgreSQL) so two admins cannot both act on it."""
    session.flush()
    session.refresh(obj, with_for_update=True)


def producer_recipients(producer: Producer) -> list[str]:
    """The producer's contact address, else its owners' account emails."""
    if producer.contact_email:
        return [producer.contact_email]
    owners = [m.user.email for m in producer.members if m.role is MemberRole.OWNER and m.user]
    return sorted(set(owners))


def _email_producer(producer: Producer, subject, template: str, **context) -> bool:
    recipients = producer_recipients(producer)
    for address in recipients:
        queue_email(address, subject, template, producer=producer, **context)
    return bool(recipients)


# --- producers -------------------------------------------------------------------------------

PRODUCER_STATUS_LABELS = {
    ProducerStatus.PENDING: _l("Pending review"),
    ProducerStatus.APPROVED: _l("Approved"),
    ProducerStatus.SUSPENDED: _l("Suspended"),
}
PRODUCER_KIND_LABELS = {
    ProducerKind.COOPERATIVE: _l("Cooperative (HTX)"),
    ProducerKind.ENTERPRISE: _l("Enterprise"),
    ProducerKind.COOPERATIVE_GROUP: _l("Cooperative group"),
    ProducerKind.HOUSEHOLD: _l("Household business"),
}
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


def set_producer_status(
    session: Session,
    producer: Producer,
    status: ProducerStatus,
    actor_id: int | None,
    reason: str = "",
) -> None:
    """Approve or suspend. A suspended producer's products leave the storefront and the
    featured lists (the catalogue shows only approved producers' active products)."""
    _lock(session, producer)
    if status not in PRODUCER_TRANSITIONS[producer.status]:
        raise InvalidTransition(
            _l(
                "This producer is %(current)s and cannot become %(target)s.",
                current=PRODUCER_STATUS_LABELS[producer.status],
                target=PRODUCER_STATUS_LABELS[status],
            )
        )
    reason = (reason or "").strip()
    if status is ProducerStatus.SUSPENDED and not reason:
        raise ValidationFailed(_l("Give a reason for the suspension."))
    before = {"status": producer.status.value}
    producer.status = status
    after = {"status": status.value}
    if reason:
        after["reason"] = reason
    if status is ProducerStatus.SUSPENDED:
        unfeatured = [p for p in producer.products if p.featured]
        for product in unfeatured:
            _set_featured(product, False, None)
        if unfeatured:
            after["unfeatured_product_ids"] = [p.id for p in unfeatured]
    session.flush()
    action = "producer.approve" if status is ProducerStatus.APPROVED else "producer.suspend"
    audit.record(session, actor_id, action, producer, before, after)
    _email_producer(
        producer,
        _l(
            "%(producer)s on OCOP Market: %(status)s",
            producer=producer.name,
            status=PRODUCER_STATUS_LABELS[status],
        ),
        "producer_status",
        status_label=PRODUCER_STATUS_LABELS[status],
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


# --- certificates ----------------------------------------------------------------------------

EXPIRY_WINDOW_DAYS = 60
CERTIFICATE_REVIEW_FIELDS = ("status", "verified_by_id", "verified_at", "rejection_reason")


def verify_certificate(
    session: Session, certificate: Certificate, actor_id: int | None, now: datetime | None = None
) -> None:
    _lock(session, certificate)
    if certificate.status is CertificateStatus.VERIFIED:
        raise InvalidTransition(_l("This certificate is already verified."))
    if not certificate.scan_filename:
        # "The scan matches" is what verifying means: without a scan there is nothing to check.
        raise InvalidTransition(
            _l("This certificate has no scan attached, so it cannot be verified.")
        )
    before = audit.snapshot(certificate, *CERTIFICATE_REVIEW_FIELDS)
    certificate.status = CertificateStatus.VERIFIED
    certificate.verified_by_id = actor_id
    certificate.verified_at = now or utcnow()
    certificate.rejection_reason = None
    session.flush()
    audit.record(
        session,
        actor_id,
        "certificate.verify",
        certificate,
        before,
        audit.snapshot(certificate, *CERTIFICATE_REVIEW_FIELDS),
    )
    product = certificate.product
    _email_producer(
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
    _lock(session, certificate)
    if certificate.status is CertificateStatus.REJECTED:
        raise InvalidTransition(_l("This certificate is already rejected."))
    before = audit.snapshot(certificate, *CERTIFICATE_REVIEW_FIELDS)
    certificate.status = CertificateStatus.REJECTED
    certificate.verified_by_id = actor_id
    certificate.verified_at = now or utcnow()
    certificate.rejection_reason = reason[:255]
    session.flush()
    after = audit.snapshot(certificate, *CERTIFICATE_REVIEW_FIELDS)
    product = certificate.product
    if product.featured and featuring_problem(product, today) is not None:
        _set_featured(product, False, None)
        after["unfeatured_product_id"] = product.id
    session.flush()
    audit.record(session, actor_id, "certificate.reject", certificate, before, after)
    _email_producer(
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
        _email_producer(
            producer,
            _l("OCOP certificates expiring soon: %(producer)s", producer=producer.name),
            "certificate_expiring",
            certificates=certificates,
            today=today,
            days=days,
        )
    session.flush()
    return len(by_producer)


# --- featuring -------------------------------------------------------------------------------

MIN_FEATURED_STARS = 3


def featuring_problem(product: Product, today: date):
    """Why `product` may not be featured on `today`, or None. THE featuring rule."""
    if product.status is not ProductStatus.ACTIVE:
        return _l("Only active products can be featured.")
    if product.producer.status is not ProducerStatus.APPROVED:
        return _l("Only products of approved producers can be featured.")
    certificate = product.valid_certificate(today)
    if certificate is None or certificate.stars < MIN_FEATURED_STARS:
        return _l(
            "Only products with a verified, valid OCOP certificate of %(n)d stars or more "
            "can be featured.",
            n=MIN_FEATURED_STARS,
        )
    return None


def _set_featured(product: Product, featured: bool, position: int | None) -> None:
    product.featured = featured
    product.featured_position = position if featured else None


def _group_featured(session: Session, group: str) -> list[Product]:
    """The group's featured list in display order (featured_position orders within a group)."""
    return list(
        session.scalars(
            select(Product)
            .where(Product.featured.is_(True), Product.group == group)
            .order_by(Product.featured_position.is_(None), Product.featured_position, Product.id)
        )
    )


def feature_product(session: Session, product: Product, actor_id: int | None, today: date):
    _lock(session, product)
    problem = featuring_problem(product, today)
    if problem is not None:
        raise ValidationFailed(problem)
    if product.featured:
        raise InvalidTransition(_l("This product is already featured."))
    last = session.scalar(
        select(func.max(Product.featured_position)).where(
            Product.featured.is_(True), Product.group == product.group
        )
    )
    before = audit.snapshot(product, "featured", "featured_position")
    _set_featured(product, True, (last or 0) + 1)
    session.flush()
    audit.record(
        session,
        actor_id,
        "product.feature",
        product,
        before,
        audit.snapshot(product, "featured", "featured_position"),
    )


def unfeature_product(session: Session, product: Product, actor_id: int | None) -> None:
    _lock(session, product)
    if not product.featured:
        raise InvalidTransition(_l("This product is not featured."))
    before = audit.snapshot(product, "featured", "featured_position")
    _set_featured(product, False, None)
    session.flush()
    audit.record(
        session,
        actor_id,
        "product.unfeature",
        product,
        before,
        audit.snapshot(product, "featured", "featured_position"),
    )


def move_featured(session: Session, product: Product, direction: str, actor_id: int | None):
    """Move a featured product one place up or down within its OCOP group's list."""
    if direction not in ("up", "down"):
        raise ValidationFailed(_l("Choose up or down."))
    if not product.featured:
        raise InvalidTransition(_l("This product is not featured."))
    ordered = _group_featured(session, product.group)
    index = ordered.index(product)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(ordered):
        raise InvalidTransition(_l("This product cannot move further."))
    before = {"featured_position": product.featured_position, "order": [p.id for p in ordered]}
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, item in enumerate(ordered, start=1):
        item.featured_position = position
    session.flush()
    audit.record(
        session,
        actor_id,
        "product.move_featured",
        product,
        before,
        {"featured_position": product.featured_position, "order": [p.id for p in ordered]},
    )


def unfeature_lapsed(session: Session, today: date, actor_id: int | None = None) -> list[Product]:
    """Unfeature every featured product that no longer meets the rule (its certificate
    expired or was withdrawn, the product was archived, the producer suspended).
    The home page already hides them; this keeps the admin's list honest. Cron-safe."""
    featured = session.scalars(
        select(Product)
        .where(Product.featured.is_(True))
        .order_by(Product.id)
        .options(selectinload(Product.producer), selectinload(Product.certificates))
    ).all()
    lapsed = [p for p in featured if featuring_problem(p, today) is not None]
    for product in lapsed:
        before = audit.snapshot(product, "featured", "featured_position")
        _set_featured(product, False, None)
        audit.record(
            session,
            actor_id,
            "product.unfeature_lapsed",
            product,
            before,
            {**audit.snapshot(product, "featured", "featured_position"), "on": today},
        )
    session.flush()
    return lapsed


# --- orders ----------------------------------------------------------------------------------

ORDER_FIELDS = ("payment_status", "paid_at", "refunded_total")
SUB_ORDER_FIELDS = ("status", "cancel_reason", "refunded_amount")


def confirm_transfer(
    session: Session, order: Order, actor_id: int | None, now: datetime | None = None
) -> None:
    """The shop's bank shows the transfer: the order is paid (once, whatever the clicks)."""
    before = audit.snapshot(order, *ORDER_FIELDS)
    confirm_bank_transfer(session, order, actor_id, now=now)
    session.flush()
    audit.record(
        session,
        actor_id,
        "order.confirm_bank_transfer",
        order,
        before,
        audit.snapshot(order, *ORDER_FIELDS),
    )


def cancel_sub_order(
    session: Session, sub_order: ProducerOrder, actor_id: int | None, reason: str
) -> None:
    before = audit.snapshot(sub_order, *SUB_ORDER_FIELDS)
    cancellation.cancel_part(session, sub_order, actor_id, reason)
    session.flush()
    audit.record(
        session,
        actor_id,
        "sub_order.cancel",
        sub_order,
        before,
        audit.snapshot(sub_order, *SUB_ORDER_FIELDS),
    )


def refund_sub_order(
    session: Session,
    sub_order: ProducerOrder,
    amount: int,
    reason: str,
    actor_id: int | None,
    idempotency_key: str | None = None,
    *,
    lines: dict[int, int] | None = None,
    bank_reference: str | None = None,
    paid_on=None,
):
    """Refund part or all of a sub-order: a card automatically (Stripe or the demo), else a
    bank transfer the admin sent and records. A replayed idempotency key changes nothing,
    so it records nothing either."""
    before = audit.snapshot(sub_order, *SUB_ORDER_FIELDS)
    before["order_refunded_total"] = sub_order.order.refunded_total
    refund = refunds.refund_sub_order(
        session,
        sub_order,
        amount,
        reason,
        actor_id,
        idempotency_key=idempotency_key,
        lines=lines,
        bank_reference=bank_reference,
        paid_on=paid_on,
    )
    session.flush()
    after = audit.snapshot(sub_order, *SUB_ORDER_FIELDS)
    after["order_refunded_total"] = sub_order.order.refunded_total
    if after == before:
        return refund
    after.update(
        refund_id=refund.id,
        amount=refund.amount,
        method=refund.method,
        reason=refund.reason,
        bank_reference=refund.bank_reference,
        paid_on=refund.paid_on.isoformat() if refund.paid_on else None,
        lines={str(line.order_line_id): line.quantity for line in refund.lines},
    )
    audit.record(session, actor_id, "sub_order.refund", sub_order, before, after)
    return refund


RESEND_AUDIENCES = ("buyer", "producers")


def resend_order_emails(session: Session, order: Order, audience: str, actor_id: int | None) -> int:
    """Send the order's emails again: the buyer's confirmation (and receipt, once paid),
    or each cooperative's own part. Returns how many messages were queued."""
    if audience not in RESEND_AUDIENCES:
        raise ValidationFailed(_l("Choose who should receive the emails."))
    if audience == "buyer":
        emails.order_placed(order)
        sent = 1
        if order.payment_status in (
            PaymentStatus.PAID,
            PaymentStatus.PARTIALLY_REFUNDED,
            PaymentStatus.REFUNDED,
        ):
            emails.order_paid(order)
            sent += 1
        recipients = [order.email]
    else:
        recipients = sorted({r for so in order.sub_orders for r in emails.producer_recipients(so)})
        sent = sum(len(emails.producer_recipients(so)) for so in order.sub_orders)
        if not sent:
            raise ValidationFailed(_l("None of the cooperatives has an email address."))
        emails.new_sub_orders(order)
    audit.record(
        session,
        actor_id,
        "order.resend_emails",
        order,
        None,
        {"audience": audience, "emails": sent, "to": recipients},
    )
    return sent


# --- payouts ---------------------------------------------------------------------------------


def record_payout(
    session: Session, producer: Producer, amount: int, bank_reference: str, actor_id: int | None
) -> Payout:
    """Record a bank transfer to the producer. The same bank reference twice for one
    producer is a double submission, not a second transfer."""
    _lock(session, producer)
    reference = (bank_reference or "").strip()
    duplicate = session.scalar(
        select(Payout.id).where(
            Payout.producer_id == producer.id, Payout.bank_reference == reference
        )
    )
    if reference and duplicate is not None:
        raise ValidationFailed(
            _l("A payout with the bank reference %(ref)s is already recorded.", ref=reference)
        )
    balance_before = ledger.balance(session, producer.id)
    payout = ledger.record_payout(session, producer, amount, reference, actor_id)
    audit.record(
        session,
        actor_id,
        "payout.record",
        payout,
        {"balance": balance_before},
        {
            "producer_id": producer.id,
            "amount": payout.amount,
            "bank_reference": payout.bank_reference,
            "balance": ledger.balance(session, producer.id),
        },
    )
    return payout


# --- users -----------------------------------------------------------------------------------

ROLE_LABELS = {
    UserRole.CUSTOMER: _l("Customer"),
    UserRole.PRODUCER: _l("Producer"),
    UserRole.ADMIN: _l("Administrator"),
}

USER_FIELDS = ("is_active_flag", "role", "session_version")


def set_user_active(session: Session, user: User, active: bool, actor_id: int | None) -> None:
    """Disable or enable an account. Disabling ends the user's open sessions at once."""
    if not active and user.id == actor_id:
        raise ValidationFailed(_l("You cannot disable your own account."))
    if user.is_active_flag == active:
        raise InvalidTransition(
            _l("This account is already enabled.")
            if active
            else _l("This account is already disabled.")
        )
    before = audit.snapshot(user, *USER_FIELDS)
    auth_services.set_active(user, active)
    session.flush()
    audit.record(
        session,
        actor_id,
        "user.enable" if active else "user.disable",
        user,
        before,
        audit.snapshot(user, *USER_FIELDS),
    )


def promote_to_admin(session: Session, user: User, actor_id: int | None) -> None:
    if user.role is UserRole.ADMIN:
        raise InvalidTransition(_l("This user is already an admin."))
    if not user.is_active_flag:
        raise ValidationFailed(_l("Enable the account before promoting it."))
    if user.role is UserRole.PRODUCER:
        # One role per account: promoting would take the producer dashboard away.
        raise ValidationFailed(
            _l("Producer accounts cannot become admins; use a separate admin account.")
        )
    before = audit.snapshot(user, *USER_FIELDS)
    user.role = UserRole.ADMIN
    session.flush()
    audit.record(
        session, actor_id, "user.promote_admin", user, before, audit.snapshot(user, *USER_FIELDS)
    )

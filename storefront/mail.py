"""Outgoing email: the one module that talks to SMTP.

Services call `queue_email`: it renders the body now (the data is at hand) and writes an
OutboundEmail row in the caller's transaction, then asks for the `send_emails` task after the
commit. The task claims due rows with a conditional UPDATE, sends them in one batch over one
SMTP connection, and marks each sent; on an SMTP failure the rest are retried with backoff and
given up after MAIL_MAX_ATTEMPTS. Without SMTP_HOST, development writes .eml files to
MAIL_OUTBOX_DIR and tests keep the messages in memory (`outbox()`).
"""

import logging
import smtplib
import ssl
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from .clock import utcnow
from .core.models import EmailStatus, OutboundEmail
from .core.validators import single_line
from .extensions import db

log = logging.getLogger(__name__)

SEND_TASK = "storefront.send_emails"
# A sender holds its claim this long (MAIL_CLAIM_SECONDS); a worker killed mid-batch frees its
# rows after it. It must outlast one batch over SMTP, or a second sender could take the batch.
CLAIM_SECONDS = 300


def outbox() -> list[EmailMessage]:
    """Messages sent in this app (tests read it)."""
    return current_app.extensions.setdefault("mail_outbox", [])


def render_body(template: str, locale: str = "vi", **context) -> str:
    with force_locale(locale):
        return render_template(f"emails/{template}.txt", **context)


def queue_email(
    to: str, subject, template: str, locale: str = "vi", message_key: str | None = None, **context
) -> None:
    """Write the email in the caller's transaction; it is sent only after the commit.
    `message_key` makes the Message-ID (UNIQUE) stable, for a task that may run twice."""
    from .tasks import enqueue

    with force_locale(locale):
        subject_text = str(subject)
    db.session.add(
        OutboundEmail(
            message_id=message_id_for(message_key or uuid.uuid4().hex),
            recipient=to,
            subject=single_line(subject_text)[:500],
            body=render_body(template, locale, **context),
            status=EmailStatus.PENDING,
        )
    )
    enqueue(SEND_TASK)


def message_id_for(message_key: str) -> str:
    return f"<{message_key}@{mail_domain()}>"


def mail_domain() -> str:
    sender = current_app.config["MAIL_FROM"]
    return sender.rsplit("@", 1)[-1].strip("> ") or "ocop.example"


def build_message(email: OutboundEmail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = email.recipient
    # A header cannot hold a line break; names typed by people end up in subjects.
    message["Subject"] = single_line(email.subject)
    message["Message-ID"] = email.message_id
    message["Date"] = format_datetime(email.created_at.replace(tzinfo=UTC))
    message.set_content(email.body)
    return message


# ---------------------------------------------------------------- the sender's three steps


def _due(now: datetime):
    return or_(
        and_(
            OutboundEmail.status == EmailStatus.PENDING,
            or_(OutboundEmail.next_attempt_at.is_(None), OutboundEmail.next_attempt_at <= now),
        ),
        # A sender that died mid-batch: its claim ran out, the row is due again.
        and_(OutboundEmail.status == EmailStatus.SENDING, OutboundEmail.claimed_until < now),
    )


def claim_due_emails(session: Session, now: datetime, limit: int = 100) -> list[OutboundEmail]:
    """Claim up to `limit` due emails for this sender. The UPDATE re-checks the due condition,
    so of two senders racing for a row exactly one gets it."""
    ids = session.scalars(
        select(OutboundEmail.id).where(_due(now)).order_by(OutboundEmail.id).limit(limit)
    ).all()
    if not ids:
        return []
    claimed = session.scalars(
        update(OutboundEmail)
        .where(OutboundEmail.id.in_(ids), _due(now))
        .values(
            status=EmailStatus.SENDING,
            claimed_until=now
            + timedelta(seconds=current_app.config.get("MAIL_CLAIM_SECONDS", CLAIM_SECONDS)),
            attempts=OutboundEmail.attempts + 1,
        )
        .returning(OutboundEmail.id)
        .execution_options(synchronize_session=False)
    ).all()
    if not claimed:
        return []
    return list(
        session.scalars(
            select(OutboundEmail)
            .where(OutboundEmail.id.in_(claimed))
            .order_by(OutboundEmail.id)
            .execution_options(populate_existing=True)
        )
    )


@dataclass
class Delivery:
    sent: list[int] = field(default_factory=list)
    unsent: list[int] = field(default_factory=list)
    error: str | None = None
    # Each email's attempt number when this sender claimed it: a claim's own mark, since
    # every claim adds one. Recording a failure is conditional on it (see record_delivery).
    claims: dict[int, int] = field(default_factory=dict)


def deliver(emails: list[OutboundEmail]) -> Delivery:
    """Send the claimed emails over one connection. Stops at the first failure: the rest
    stay unsent and are retried later."""
    config = current_app.config
    result = Delivery(claims={email.id: email.attempts for email in emails})
    if not emails:
        return result
    messages = [(email.id, build_message(email)) for email in emails]
    if config.get("SMTP_HOST"):
        try:
            with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=10) as smtp:
                if config.get("SMTP_STARTTLS", True):
                    smtp.starttls(context=ssl.create_default_context())
                if config.get("SMTP_USER"):
                    smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
                for email_id, message in messages:
                    smtp.send_message(message)
                    result.sent.append(email_id)
                    outbox().append(message)
        except (smtplib.SMTPException, OSError) as error:
            result.error = f"{type(error).__name__}: {error}"[:500]
            log.warning(
                "SMTP failed after %d of %d emails: %s", len(result.sent), len(messages), error
            )
        result.unsent = [email_id for email_id, _ in messages if email_id not in set(result.sent)]
        return result
    for email_id, message in messages:
        outbox().append(message)
        if config.get("MAIL_OUTBOX_DIR"):
            folder = Path(config["MAIL_OUTBOX_DIR"])
            folder.mkdir(parents=True, exist_ok=True)
            stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
            (folder / f"{stamp}-{email_id}.eml").write_bytes(bytes(message))
        result.sent.append(email_id)
    return result


def retry_delay(attempts: int) -> int:
    """Seconds before the next try: base, 4 x base, 16 x base ..., capped at an hour."""
    base = current_app.config["MAIL_RETRY_BASE_SECONDS"]
    return int(min(3600, base * 4 ** max(0, attempts - 1)))


def record_delivery(session: Session, delivery: Delivery, now: datetime) -> list[int]:
    """Mark what was sent; put the rest back with a backoff, or give up. Returns the ids that
    were given up (the caller reports them as a failure)."""
    if delivery.sent:
        session.execute(
            update(OutboundEmail)
            .where(OutboundEmail.id.in_(delivery.sent), OutboundEmail.status == EmailStatus.SENDING)
            .values(status=EmailStatus.SENT, sent_at=now, claimed_until=None, last_error=None)
            .execution_options(synchronize_session=False)
        )
    given_up: list[int] = []
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    for email_id in delivery.unsent:
        attempts = delivery.claims.get(email_id)
        if attempts is None:
            continue
        giving_up = attempts >= max_attempts
        values = (
            {"status": EmailStatus.FAILED}
            if giving_up
            else {
                "status": EmailStatus.PENDING,
                "next_attempt_at": now + timedelta(seconds=retry_delay(attempts)),
            }
        )
        # Conditional on this sender's claim: if the claim ran out and another sender took
        # the email meanwhile (attempts moved on), the outcome is the other sender's to record.
        moved = session.execute(
            update(OutboundEmail)
            .where(
                OutboundEmail.id == email_id,
                OutboundEmail.status == EmailStatus.SENDING,
                OutboundEmail.attempts == attempts,
            )
            .values(claimed_until=None, last_error=delivery.error, **values)
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved and giving_up:
            given_up.append(email_id)
    return given_up

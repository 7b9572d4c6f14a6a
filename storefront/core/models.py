"""Tables that belong to no single feature: the outgoing-mail outbox."""

import enum
from datetime import datetime

from sqlalchemy import DateTime, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import TimestampMixin, enum_column


class EmailStatus(enum.Enum):
    PENDING = "pending"  # waiting to be sent (first try, or a retry after next_attempt_at)
    SENDING = "sending"  # claimed by one sender until claimed_until
    SENT = "sent"
    FAILED = "failed"  # gave up after MAIL_MAX_ATTEMPTS; kept for the admin and the alert


class OutboundEmail(TimestampMixin, db.Model):
    """One email, written in the same transaction as the event it announces.

    So an email exists exactly when its event was committed, and a sender claims it with a
    conditional UPDATE before sending: two workers (or a retried task) never both send it.
    """

    __tablename__ = "outbound_emails"
    __table_args__ = (Index("ix_outbound_emails_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Also the Message-ID header, so a resend after a lost acknowledgement is recognisable.
    message_id: Mapped[str] = mapped_column(String(100), unique=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[EmailStatus] = mapped_column(
        enum_column(EmailStatus), default=EmailStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))

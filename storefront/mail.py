"""Outgoing email. Development writes .eml files to an outbox folder, tests keep them in
memory, production sends over SMTP when SMTP_HOST is set.

Call `queue_email` from services: the message goes out only after the commit.
"""

import logging
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale

from .clock import utcnow
from .core.hooks import on_commit
from .core.validators import single_line
from .extensions import db


def outbox() -> list[EmailMessage]:
    """Messages sent in this app (tests read it)."""
    return current_app.extensions.setdefault("mail_outbox", [])


def build_email(to: str, subject: str, template: str, locale: str = "vi", **context):
    with force_locale(locale):
        body = render_template(f"emails/{template}.txt", **context)
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    # A header cannot hold a line break; names typed by people end up in subjects.
    message["Subject"] = single_line(str(subject))
    message.set_content(body)
    return message


log = logging.getLogger(__name__)


def send_email(message: EmailMessage) -> None:
    config = current_app.config
    outbox().append(message)
    if config.get("SMTP_HOST"):
        # The data is already committed: a mail failure is logged, never shown as an error.
        try:
            with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=10) as smtp:
                smtp.starttls(context=ssl.create_default_context())
                if config.get("SMTP_USER"):
                    smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError):
            log.exception("Could not send email %r to %s", message["Subject"], message["To"])
    elif config.get("MAIL_OUTBOX_DIR"):
        folder = Path(config["MAIL_OUTBOX_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
        (folder / f"{stamp}.eml").write_bytes(bytes(message))


def queue_email(to: str, subject: str, template: str, locale: str = "vi", **context) -> None:
    """Render now (the data is at hand), send after the surrounding transaction commits."""
    message = build_email(to, subject, template, locale, **context)
    on_commit(db.session, lambda: send_email(message))

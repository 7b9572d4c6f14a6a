"""Who hears from the shop about a producer's business, and how it is told.

One rule for every producer email (orders, returns, certificates, status, reminders): the
producer's contact address plus the account email of every active member. Anyone on the team
may act on an order, a return or a certificate from the dashboard, so each of them needs to
know; the contact address is the cooperative's official inbox and may belong to nobody with
an account. A disabled account hears nothing. Addresses are compared lower-case, once each.
"""

from ..mail import queue_email
from .models import Producer


def producer_recipients(producer: Producer) -> list[str]:
    emails = {producer.contact_email.strip().lower()} if producer.contact_email else set()
    emails.update(m.user.email.lower() for m in producer.members if m.user and m.user.is_active)
    return sorted(e for e in emails if e)


def email_producer(producer: Producer, subject, template: str, **context) -> bool:
    """Queue one email per recipient (sent after the commit); False when there is nobody."""
    recipients = producer_recipients(producer)
    for address in recipients:
        queue_email(address, subject, template, producer=producer, **context)
    return bool(recipients)

"""Payouts: an admin records the bank transfer sent to a producer.

The balance it settles is kept in producers.ledger; this adds the double-submission guard
and the audit record.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..admin import audit
from ..core.rows import lock
from ..errors import ValidationFailed
from . import ledger
from .models import Payout, Producer


def record_payout(
    session: Session, producer: Producer, amount: int, bank_reference: str, actor_id: int | None
) -> Payout:
    """Record a bank transfer to the producer. The same bank reference twice for one
    producer is a double submission, not a second transfer."""
    lock(session, producer)
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

"""A producer's bank account: the producer asks for a change, an admin approves or rejects it.

Payouts go to the live account, which only an admin writes; a change the producer made is
held as pending and audited at each step. The state moves by conditional UPDATEs, so two
admins approving at once approve once.
"""

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.orm import Session

from ..admin import audit
from ..clock import utcnow
from ..errors import FieldError, InvalidTransition
from .banks import BANK_NAMES
from .models import Producer

ACCOUNT_RE = re.compile(r"^[0-9]{6,19}$")
PENDING_FIELDS = ("pending_bank_bin", "pending_bank_account", "pending_bank_account_name")
LIVE_FIELDS = ("bank_bin", "bank_name", "bank_account", "bank_account_name")


def _holder(name: str) -> str:
    """Banks print holder names in capitals without accents (NGUYEN VAN A)."""
    folded = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in folded if unicodedata.category(ch) != "Mn")
    return " ".join(plain.upper().split())


def request_change(
    session: Session, producer: Producer, actor_id: int, bank_bin: str, account: str, holder: str
) -> None:
    bank_bin = (bank_bin or "").strip()
    account = re.sub(r"[\s.-]", "", account or "")
    holder = _holder(holder or "")
    if bank_bin not in BANK_NAMES:
        raise FieldError("bank_bin", _l("Choose your bank from the list."))
    if not ACCOUNT_RE.match(account):
        raise FieldError("account", _l("An account number has 6 to 19 digits."))
    if not holder or len(holder) > 120 or not re.fullmatch(r"[A-Z0-9 .&,-]+", holder):
        raise FieldError("holder", _l("Enter the account holder's name as the bank prints it."))
    before = audit.snapshot(producer, *PENDING_FIELDS)
    producer.pending_bank_bin = bank_bin
    producer.pending_bank_account = account
    producer.pending_bank_account_name = holder
    producer.pending_bank_requested_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor_id,
        "producer.bank_change_requested",
        producer,
        before,
        audit.snapshot(producer, *PENDING_FIELDS),
    )


def approve_change(session: Session, producer: Producer, actor_id: int) -> None:
    before = audit.snapshot(producer, *LIVE_FIELDS)
    pending = (
        producer.pending_bank_bin,
        producer.pending_bank_account,
        producer.pending_bank_account_name,
    )
    if pending[1] is None:
        raise InvalidTransition(_l("There is no bank account change waiting for approval."))
    result = session.execute(
        update(Producer)
        .where(
            Producer.id == producer.id,
            Producer.pending_bank_account == pending[1],
            Producer.pending_bank_bin == pending[0],
        )
        .values(
            bank_bin=pending[0],
            bank_name=BANK_NAMES.get(pending[0], pending[0]),
            bank_account=pending[1],
            bank_account_name=pending[2],
            pending_bank_bin=None,
            pending_bank_account=None,
            pending_bank_account_name=None,
            pending_bank_requested_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise InvalidTransition(_l("There is no bank account change waiting for approval."))
    session.refresh(producer)
    audit.record(
        session,
        actor_id,
        "producer.bank_change_approved",
        producer,
        before,
        audit.snapshot(producer, *LIVE_FIELDS),
    )


def reject_change(session: Session, producer: Producer, actor_id: int) -> None:
    before = audit.snapshot(producer, *PENDING_FIELDS)
    result = session.execute(
        update(Producer)
        .where(Producer.id == producer.id, Producer.pending_bank_account.is_not(None))
        .values(
            pending_bank_bin=None,
            pending_bank_account=None,
            pending_bank_account_name=None,
            pending_bank_requested_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise InvalidTransition(_l("There is no bank account change waiting for approval."))
    session.refresh(producer)
    audit.record(session, actor_id, "producer.bank_change_rejected", producer, before, None)


def check_payable(producer: Producer) -> None:
    """Payouts use only an approved account: none while a change waits for review."""
    if producer.pending_bank_account is not None:
        raise InvalidTransition(
            _l(
                "This producer changed its bank account; approve or reject the change before "
                "recording a payout."
            )
        )

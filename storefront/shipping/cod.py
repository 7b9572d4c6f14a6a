"""COD settlement: a carrier's remittance report (CSV, as GHN and GHTK export it) matched
to the sub-orders it pays for.

When a carrier delivers a cash-on-delivery parcel the sub-order's ledger says the
cooperative holds the cash (COD_COLLECTED, −total). The carrier actually remits that cash
to the shop; each matched line of its report posts the cash back to the cooperative
(ADJUSTMENT, +amount, reference "cod_remitted"), so the payout ledger shows the cash as
received by the shop. UNIQUE (producer_order_id, kind, reference) makes a second posting
impossible; the file's SHA-256 is UNIQUE too, so the same file imported twice changes
nothing. A line that does not match exactly (unknown code, other amount, not delivered,
not COD, already settled, unreadable) is listed, never applied.
"""

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..admin import audit
from ..errors import ValidationFailed
from ..orders.models import PaymentMethod, SubOrderStatus
from ..producers.models import LedgerEntry, LedgerKind
from ..text import fold
from .models import CodImport, CodImportLine, Shipment

REFERENCE = "cod_remitted"
MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024
COD_CARRIERS = ("ghn", "ghtk", "viettelpost")

# Column names as the carriers' exports write them (folded: no accents, lower case).
CODE_COLUMNS = (
    "ma don hang",
    "ma van don",
    "ma don ghn",
    "ma don ghtk",
    "ma vd",
    "order_code",
    "label",
    "tracking_code",
)
AMOUNT_COLUMNS = (
    "tien thu ho",
    "tien thu ho (cod)",
    "tien cod",
    "thu ho",
    "cod",
    "cod_amount",
    "pick_money",
)

OUTCOME_LABELS = {
    "matched": _l("Matched: the cash is the shop's"),
    "unknown_parcel": _l("No parcel with this code"),
    "amount_differs": _l("The amount differs from the parcel's COD"),
    "not_delivered": _l("The parcel is not delivered yet"),
    "not_cod": _l("The order was not paid on delivery"),
    "already_settled": _l("Already settled by an earlier report"),
    "bad_row": _l("Unreadable row"),
}


@dataclass
class ImportResult:
    cod_import: CodImport
    already_imported: bool


def _amount(raw: str) -> int | None:
    """ "1.250.000", "1,250,000", "1250000 đ": whole đồng. Anything else: None."""
    digits = re.sub(r"[.,\s₫đ]|VND|vnd", "", raw or "")
    return int(digits) if digits.isdigit() and len(digits) <= 10 else None


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    folded = [fold(name).strip() for name in header]
    return next((folded.index(name) for name in names if name in folded), None)


def _rows(content: bytes) -> tuple[list[str], list[list[str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationFailed(_l("The file is not UTF-8 CSV. Export it again as CSV.")) from error
    if "\x00" in text:
        raise ValidationFailed(_l("The file is not UTF-8 CSV. Export it again as CSV."))
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise ValidationFailed(_l("The file is empty."))
    if len(rows) > MAX_ROWS + 1:
        raise ValidationFailed(_l("At most %(n)d rows per file.", n=MAX_ROWS))
    return rows[0], rows[1:]


def _settled(session: Session, producer_order_id: int) -> bool:
    return (
        session.scalar(
            select(LedgerEntry.id).where(
                LedgerEntry.producer_order_id == producer_order_id,
                LedgerEntry.kind == LedgerKind.ADJUSTMENT,
                LedgerEntry.reference == REFERENCE,
            )
        )
        is not None
    )


def _match(session: Session, carrier: str, code: str, amount: int | None, seen: set) -> tuple:
    """(outcome, shipment, expected amount) for one row."""
    if not code or amount is None:
        return "bad_row", None, None
    shipment = session.scalar(
        select(Shipment).where(Shipment.carrier == carrier, Shipment.tracking_code == code)
    )
    if shipment is None:
        return "unknown_parcel", None, None
    sub_order = shipment.producer_order
    expected = shipment.cod_amount
    if sub_order.order.payment_method is not PaymentMethod.COD or not expected:
        return "not_cod", shipment, expected
    if sub_order.status is not SubOrderStatus.DELIVERED:
        return "not_delivered", shipment, expected
    if amount != expected:
        return "amount_differs", shipment, expected
    if sub_order.id in seen or _settled(session, sub_order.id):
        return "already_settled", shipment, expected
    return "matched", shipment, expected


def import_report(
    session: Session,
    carrier: str,
    filename: str,
    content: bytes,
    actor_id: int | None,
    now: datetime | None = None,
) -> ImportResult:
    if carrier not in COD_CARRIERS:
        raise ValidationFailed(_l("Choose the carrier that sent the report."))
    if not content:
        raise ValidationFailed(_l("Choose the report file."))
    if len(content) > MAX_BYTES:
        raise ValidationFailed(_l("The file is larger than 2 MB."))
    digest = hashlib.sha256(content).hexdigest()
    earlier = session.scalar(select(CodImport).where(CodImport.sha256 == digest))
    if earlier is not None:
        return ImportResult(earlier, already_imported=True)
    header, rows = _rows(content)
    code_at, amount_at = _column(header, CODE_COLUMNS), _column(header, AMOUNT_COLUMNS)
    if code_at is None or amount_at is None:
        raise ValidationFailed(
            _l("The file has no column for the parcel code or for the COD amount.")
        )
    report = CodImport(
        carrier=carrier,
        sha256=digest,
        filename="".join(ch for ch in (filename or "") if ch.isprintable())[:255],
        created_by_id=actor_id,
        lines=[],
    )
    session.add(report)
    session.flush()
    seen: set[int] = set()
    for number, row in enumerate(rows, start=2):
        code = row[code_at].strip()[:60] if code_at < len(row) else ""
        amount = _amount(row[amount_at]) if amount_at < len(row) else None
        outcome, shipment, expected = _match(session, carrier, code, amount, seen)
        line = CodImportLine(
            row_number=number,
            tracking_code=code,
            amount=amount,
            outcome=outcome,
            expected_amount=expected,
            producer_order_id=shipment.producer_order_id if shipment else None,
            raw={"cells": [cell[:200] for cell in row[:30]]},
        )
        report.lines.append(line)
        if outcome == "matched":
            seen.add(shipment.producer_order_id)
            session.add(
                LedgerEntry(
                    producer_id=shipment.producer_id,
                    producer_order_id=shipment.producer_order_id,
                    kind=LedgerKind.ADJUSTMENT,
                    amount=amount,
                    reference=REFERENCE,
                    note=f"COD {carrier.upper()} {code}"[:255],
                    created_by_id=actor_id,
                )
            )
            report.matched += 1
            report.total_amount += amount
        else:
            report.mismatched += 1
    session.flush()
    audit.record(
        session,
        actor_id,
        "shipping.cod_import",
        report,
        None,
        {
            "carrier": carrier,
            "file": report.filename,
            "matched": report.matched,
            "mismatched": report.mismatched,
            "total": report.total_amount,
        },
    )
    return ImportResult(report, already_imported=False)

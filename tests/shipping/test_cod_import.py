"""COD remittance import: exact matches are settled to the shop in the payout ledger,
every other line is listed and not applied, and the same file twice changes nothing."""

import io

import pytest
from flask import current_app
from sqlalchemy import func, select

from storefront.errors import ValidationFailed
from storefront.extensions import db
from storefront.orders import routing
from storefront.producers import ledger
from storefront.producers.models import LedgerEntry
from storefront.shipping import booking, cod
from storefront.shipping.models import CodImport, CodImportLine
from tests.conftest import AuthActions
from tests.factories import AdminFactory

from .helpers import cooperative, packed_order


def _delivered_parcel(carrier="ghtk"):
    membership, product = cooperative(carrier)
    order, sub_order = packed_order(membership, product)
    shipment = booking.request_booking(
        db.session, membership.producer, sub_order, None, current_app.config
    )
    db.session.flush()
    booking.book(db.session, shipment.id, current_app.config)
    routing.deliver(db.session, sub_order, None, cash_received=True)
    db.session.flush()
    return membership.producer, sub_order, shipment


def _csv(rows) -> bytes:
    lines = ["Mã đơn hàng,Mã đơn KH,Tiền thu hộ,Phí ship"]
    lines += [f'{code},{ref},"{amount}",20.000' for code, ref, amount in rows]
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


def test_matches_settle_mismatches_are_listed_and_a_reimport_changes_nothing(app):
    producer, sub_order, shipment = _delivered_parcel()
    _, other_sub_order, other = _delivered_parcel()
    held = ledger.balance(db.session, producer.id)
    report = _csv(
        [
            (shipment.tracking_code, "x", f"{sub_order.total:,}".replace(",", ".")),
            (other.tracking_code, "y", "1.000"),  # not what the carrier was told to collect
            ("S1.A1.000000", "z", "50.000"),  # no such parcel
        ]
    )
    result = cod.import_report(db.session, "ghtk", "ghtk-cod.csv", report, None)
    assert not result.already_imported
    outcomes = [line.outcome for line in result.cod_import.lines]
    assert outcomes == ["matched", "amount_differs", "unknown_parcel"]
    assert (result.cod_import.matched, result.cod_import.mismatched) == (1, 2)
    # The cash is the shop's now: the cooperative is owed its sale minus commission.
    assert ledger.balance(db.session, producer.id) == held + sub_order.total
    other_balance = ledger.balance(db.session, other_sub_order.producer_id)

    entries = db.session.scalar(select(func.count()).select_from(LedgerEntry))
    again = cod.import_report(db.session, "ghtk", "renamed.csv", report, None)
    assert again.already_imported and again.cod_import.id == result.cod_import.id
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == entries
    assert db.session.scalar(select(func.count()).select_from(CodImport)) == 1

    # A different file with the settled parcel again: listed as already settled.
    later = cod.import_report(
        db.session,
        "ghtk",
        "later.csv",
        _csv([(shipment.tracking_code, "x", sub_order.total)]),
        None,
    )
    assert [line.outcome for line in later.cod_import.lines] == ["already_settled"]
    assert ledger.balance(db.session, producer.id) == held + sub_order.total
    assert ledger.balance(db.session, other_sub_order.producer_id) == other_balance


def test_a_file_without_the_columns_is_refused(app):
    with pytest.raises(ValidationFailed):
        cod.import_report(db.session, "ghn", "x.csv", b"a,b\n1,2\n", None)
    assert db.session.scalar(select(func.count()).select_from(CodImportLine)) == 0


def test_admin_imports_through_the_page(client, app):
    producer, sub_order, shipment = _delivered_parcel("ghn")
    admin = AdminFactory()
    db.session.commit()
    AuthActions(client).login_as(admin)
    report = _csv([(shipment.tracking_code, "x", sub_order.total), ("GHNNOPE", "y", "1")])
    response = client.post(
        "/admin/shipping/cod",
        data={"carrier": "ghn", "report": (io.BytesIO(report), "cod.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert shipment.tracking_code in page and "GHNNOPE" in page
    assert client.get("/admin/shipping/cod").status_code == 200

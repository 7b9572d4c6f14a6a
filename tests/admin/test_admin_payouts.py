"""Payouts: balances from the ledger, recording a payout, statements."""

from datetime import datetime, timedelta

from sqlalchemy import select

from storefront.extensions import db
from storefront.models import LedgerEntry, LedgerKind, Payout
from storefront.producers import ledger
from tests.factories import ProducerFactory


def _credit(producer, amount, at=None):
    entry = LedgerEntry(producer_id=producer.id, kind=LedgerKind.ADJUSTMENT, amount=amount)
    if at is not None:
        entry.created_at = at
    db.session.add(entry)


def test_balances_list_comes_from_the_ledger(admin_client, app):
    owed = ProducerFactory(name="HTX Được nợ")
    owing = ProducerFactory(name="HTX Nợ shop")
    ProducerFactory(name="HTX Chưa bán")
    _credit(owed, 300_000)
    _credit(owed, 200_000)
    _credit(owing, -45_000)
    db.session.commit()
    html = admin_client.get("/admin/payouts").get_data(as_text=True)
    assert "500.000" in html and "-45.000" in html
    assert html.index("HTX Được nợ") < html.index("HTX Chưa bán") < html.index("HTX Nợ shop")


def test_record_a_payout_with_its_bank_reference(admin_client, app):
    producer = ProducerFactory()
    _credit(producer, 800_000)
    db.session.commit()
    url = f"/admin/payouts/{producer.id}"
    response = admin_client.post(url, data={"amount": "500000", "bank_reference": " FT2606 "})
    assert response.status_code == 303
    assert ledger.balance(db.session, producer.id) == 300_000
    payout = db.session.scalars(select(Payout)).one()
    assert payout.bank_reference == "FT2606"

    # The same transfer submitted again is refused, and what was typed stays.
    response = admin_client.post(url, data={"amount": "500000", "bank_reference": "FT2606"})
    assert response.status_code == 422
    assert b"FT2606" in response.data
    assert ledger.balance(db.session, producer.id) == 300_000


def test_payout_form_errors(admin_client, app):
    producer = ProducerFactory()
    db.session.commit()
    url = f"/admin/payouts/{producer.id}"
    for data in (
        {"amount": "0", "bank_reference": "X1"},
        {"amount": "100", "bank_reference": ""},
        {"amount": "abc", "bank_reference": "X2"},
    ):
        assert admin_client.post(url, data=data).status_code == 422
    assert db.session.scalars(select(Payout)).all() == []


def test_statement_shows_opening_entries_and_closing(admin_client, app):
    producer = ProducerFactory()
    _credit(producer, 100_000, at=datetime(2026, 4, 20, 3))
    _credit(producer, 250_000, at=datetime(2026, 5, 10, 3))
    # 17:30 UTC on 31 May is already 1 June in Vietnam: outside May.
    _credit(producer, 7_000, at=datetime(2026, 5, 31, 17, 30))
    db.session.commit()
    html = admin_client.get(
        f"/admin/payouts/{producer.id}/statement?start=2026-05-01&end=2026-05-31"
    ).get_data(as_text=True)
    assert "100.000" in html  # opening
    assert "250.000" in html
    assert "350.000" in html  # closing
    assert "7.000" not in html
    response = admin_client.get(
        f"/admin/payouts/{producer.id}/statement?start=2026-05-31&end=2026-05-01"
    )
    assert response.status_code == 422
    assert (datetime(2026, 6, 1) - timedelta(hours=7)) == datetime(2026, 5, 31, 17)

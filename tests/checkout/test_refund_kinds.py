"""Refunds for every payment method, line by line, capped, and never recorded twice."""

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from storefront.clock import today_vn
from storefront.errors import ValidationFailed
from storefront.extensions import db
from storefront.orders import fulfilment, routing
from storefront.orders.bank_transfer import confirm_bank_transfer
from storefront.orders.checkout import place_order
from storefront.orders.models import PaymentMethod, Refund, RefundLine
from storefront.orders.refunds import refund_sub_order
from storefront.producers.models import LedgerEntry
from tests.checkout.factories_checkout import cart_with, details
from tests.conftest import requires_postgres
from tests.factories import ProducerFactory, ProductFactory


def _delivered_order(method, quantity=3):
    coop = ProducerFactory()
    honey = ProductFactory(producer=coop, price=100_000)
    order = place_order(db.session, cart_with({honey: quantity}), details(method))
    db.session.commit()
    if method is PaymentMethod.BANK_TRANSFER:
        confirm_bank_transfer(db.session, order, None)
    elif method is PaymentMethod.CARD:
        fulfilment.mark_paid(
            db.session,
            order,
            amount=order.grand_total,
            currency="vnd",
            provider="demo",
            provider_ref=f"demo_{order.number}",
        )
    sub_order = order.sub_orders[0]
    for step in (routing.confirm, routing.pack):
        step(db.session, sub_order, None)
    routing.ship(db.session, sub_order, None, "GHN", "G1")
    routing.deliver(db.session, sub_order, None, cash_received=True)
    db.session.commit()
    return order, sub_order


@pytest.fixture(autouse=True)
def _english(app):
    """The messages are matched in English; the shop's default language is Vietnamese."""
    with app.test_request_context(headers={"Accept-Language": "en"}), force_locale("en"):
        yield


BANK = {"bank_reference": "FT26120300042", "paid_on": None}


def _bank(**overrides):
    return {**BANK, "paid_on": today_vn(), **overrides}


def test_line_refunds_by_quantity_and_never_the_same_unit_twice(app):
    order, sub_order = _delivered_order(PaymentMethod.COD, quantity=3)
    line = sub_order.lines[0]
    first = refund_sub_order(
        db.session, sub_order, None, "Vỡ 2 hũ", None, lines={line.id: 2}, **_bank()
    )
    db.session.commit()
    assert (first.amount, first.method, line.refunded_quantity) == (200_000, "bank_transfer", 2)
    assert [(rl.order_line_id, rl.quantity, rl.amount) for rl in first.lines] == [
        (line.id, 2, 200_000)
    ]
    with pytest.raises(ValidationFailed, match="At most 1"):
        refund_sub_order(db.session, sub_order, None, "x", None, lines={line.id: 2}, **_bank())
    db.session.rollback()
    refund_sub_order(db.session, sub_order, None, "hũ cuối", None, lines={line.id: 1}, **_bank())
    db.session.commit()
    with pytest.raises(ValidationFailed, match="already refunded in full"):
        refund_sub_order(db.session, sub_order, None, "lại", None, lines={line.id: 1}, **_bank())
    db.session.rollback()
    assert db.session.scalar(select(func.sum(RefundLine.quantity))) == 3


def test_a_refund_above_what_was_paid_is_refused_with_the_limit(app):
    order, sub_order = _delivered_order(PaymentMethod.BANK_TRANSFER, quantity=1)
    assert sub_order.total == 130_000
    with pytest.raises(ValidationFailed, match="at most"):
        refund_sub_order(db.session, sub_order, 130_001, "quá", None, **_bank())
    db.session.rollback()
    with pytest.raises(ValidationFailed, match="worth"):
        refund_sub_order(
            db.session,
            sub_order,
            100_001,
            "quá",
            None,
            lines={sub_order.lines[0].id: 1},
            **_bank(),
        )
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Refund)) == 0


@pytest.mark.parametrize(
    "bank, message",
    [
        ({"bank_reference": "", "paid_on": today_vn()}, "bank reference and the day"),
        ({"bank_reference": "FT1", "paid_on": None}, "bank reference and the day"),
        ({"bank_reference": "FT\x001", "paid_on": today_vn()}, "64 plain characters"),
        ({"bank_reference": "F" * 65, "paid_on": today_vn()}, "64 plain characters"),
        (
            {"bank_reference": "FT1", "paid_on": today_vn() + timedelta(days=1)},
            "between the order day and today",
        ),
    ],
)
def test_bank_refunds_need_a_plain_reference_and_a_sensible_day(app, bank, message):
    order, sub_order = _delivered_order(PaymentMethod.COD, quantity=1)
    with pytest.raises(ValidationFailed, match=message):
        refund_sub_order(db.session, sub_order, 10_000, "x", None, **bank)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Refund)) == 0


def test_demo_card_refund_is_labelled_and_posts_the_ledger_once(app):
    order, sub_order = _delivered_order(PaymentMethod.CARD, quantity=2)
    entries_before = db.session.scalar(select(func.count()).select_from(LedgerEntry))
    refund = refund_sub_order(db.session, sub_order, 50_000, "Hạt lép", None, idempotency_key="d1")
    again = refund_sub_order(db.session, sub_order, 50_000, "Hạt lép", None, idempotency_key="d1")
    db.session.commit()
    assert again.id == refund.id
    assert refund.method == "demo" and refund.provider_refund_id.startswith("demo_re_")
    assert refund.bank_reference is None
    # One refund entry and one commission give-back, however often it was submitted.
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == entries_before + 2


def test_bad_line_choices_are_refused(app):
    order, sub_order = _delivered_order(PaymentMethod.COD, quantity=2)
    other_order, other_part = _delivered_order(PaymentMethod.COD, quantity=1)
    line = sub_order.lines[0]
    for lines, message in (
        ({other_part.lines[0].id: 1}, "not part of this order"),
        ({line.id: -1}, "whole quantities"),
        ({line.id: 0}, "at least one product"),
    ):
        with pytest.raises(ValidationFailed, match=message):
            refund_sub_order(db.session, sub_order, None, "x", None, lines=lines, **_bank())
        db.session.rollback()


@requires_postgres
def test_two_line_refunds_at_once_refund_the_line_once(app):
    """Two admins refund the same last unit at the same moment: one wins, the other is told."""
    import threading

    from sqlalchemy.orm import Session

    from storefront.orders.models import ProducerOrder

    order, sub_order = _delivered_order(PaymentMethod.COD, quantity=1)
    sub_order_id, line_id = sub_order.id, sub_order.lines[0].id
    barrier = threading.Barrier(2)
    results = []

    def refund(n):
        with app.app_context(), Session(db.engine) as session:
            part = session.get(ProducerOrder, sub_order_id)
            part.lines  # noqa: B018 (loaded before the race)
            barrier.wait()
            try:
                refund_sub_order(
                    session,
                    part,
                    None,
                    "vỡ",
                    None,
                    idempotency_key=f"race-{n}",
                    lines={line_id: 1},
                    bank_reference=f"FT{n}",
                    paid_on=today_vn(),
                )
                session.commit()
                results.append("refunded")
            except ValidationFailed:
                session.rollback()
                results.append("refused")

    threads = [threading.Thread(target=refund, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["refunded", "refused"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Refund)) == 1
    assert db.session.get(ProducerOrder, sub_order_id).refunded_amount == 100_000

"""A placed order's emails are written by a task after the commit; beat's sweep writes those
of an order whose task was lost before any broker took it, once, and never for old orders."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from storefront.clock import utcnow
from storefront.core.models import OutboundEmail
from storefront.extensions import db
from storefront.orders import emails
from storefront.orders.checkout import place_order
from storefront.orders.models import OrderEvent
from tests.checkout.factories_checkout import cart_with, details
from tests.factories import ProducerFactory, ProductFactory


@pytest.fixture
def lost_tasks_app(app_factory):
    # A broker nobody consumes: the emails' task is sent and never runs (as if lost).
    app = app_factory(CELERY_BROKER_URL="memory://")
    with app.app_context():
        yield app
        db.session.remove()


def _emails() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboundEmail))


def _placed_order():
    honey = ProductFactory(producer=ProducerFactory(contact_email="a@coop.vn"), price=200_000)
    linen = ProductFactory(producer=ProducerFactory(contact_email="b@coop.vn"), price=300_000)
    db.session.commit()
    order = place_order(db.session, cart_with({honey: 1, linen: 1}), details())
    db.session.commit()
    return order


def test_the_sweep_writes_a_lost_tasks_emails_once(lost_tasks_app):
    _placed_order()
    assert _emails() == 0
    now = utcnow()
    # Its own task may still be waiting in the queue: the sweep leaves a fresh order alone.
    assert emails.sweep_placed_emails(db.session, now) == 0
    later = now + emails.SWEEP_AFTER + timedelta(seconds=1)
    assert emails.sweep_placed_emails(db.session, later) == 3  # the buyer and two cooperatives
    db.session.commit()
    assert emails.sweep_placed_emails(db.session, later) == 0
    assert _emails() == 3
    # Long after, the order is no longer looked at.
    assert emails.sweep_placed_emails(db.session, now + emails.SWEEP_WITHIN) == 0


def test_the_sweep_leaves_orders_whose_emails_were_written_in_their_request(lost_tasks_app):
    order = _placed_order()
    # An order placed before the emails became a task: its "placed" event carries no mark.
    db.session.execute(
        update(OrderEvent)
        .where(OrderEvent.order_id == order.id)
        .values(data={"payment_method": "cod"})
    )
    db.session.commit()
    later = utcnow() + emails.SWEEP_AFTER + timedelta(seconds=1)
    assert emails.sweep_placed_emails(db.session, later) == 0
    assert _emails() == 0


def test_the_sweep_skips_an_order_its_task_already_wrote(lost_tasks_app):
    order = _placed_order()
    task = lost_tasks_app.extensions["celery"].tasks["storefront.order_placed_emails"]
    assert task(order.id) == 3
    later = utcnow() + emails.SWEEP_AFTER + timedelta(seconds=1)
    assert emails.sweep_placed_emails(db.session, later) == 0
    assert _emails() == 3

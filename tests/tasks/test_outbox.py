"""Emails are written with their event and sent by a task after the commit, exactly once."""

from datetime import timedelta

from prometheus_client import REGISTRY
from sqlalchemy import func, select

from storefront.clock import utcnow
from storefront.core.models import EmailStatus, OutboundEmail
from storefront.extensions import db
from storefront.mail import Delivery, claim_due_emails, outbox, record_delivery
from storefront.orders.checkout import place_order
from storefront.orders.models import Order
from tests.checkout.factories_checkout import cart_with, details, form_data
from tests.factories import ProducerFactory, ProductFactory
from tests.tasks.fake_smtp import FakeSMTP, closed_port


def _two_cooperative_cart():
    honey = ProductFactory(producer=ProducerFactory(contact_email="a@coop.vn"), price=200_000)
    linen = ProductFactory(producer=ProducerFactory(contact_email="b@coop.vn"), price=300_000)
    db.session.commit()
    return cart_with({honey: 1, linen: 1})


def _emails(status=None) -> list[OutboundEmail]:
    stmt = select(OutboundEmail).order_by(OutboundEmail.id)
    if status is not None:
        stmt = stmt.where(OutboundEmail.status == status)
    return list(db.session.scalars(stmt.execution_options(populate_existing=True)))


def _send_task(app):
    return app.extensions["celery"].tasks["storefront.send_emails"]


def test_the_emails_are_written_and_sent_after_the_order_commits(app):
    cart = _two_cooperative_cart()
    place_order(db.session, cart, details())
    # Nothing is rendered with the order: the task writes the emails after the commit.
    assert _emails() == []
    assert outbox() == []
    db.session.commit()
    assert sorted(m["To"] for m in outbox()) == ["a@coop.vn", "b@coop.vn", "mai@example.vn"]
    assert [e.status for e in _emails()] == [EmailStatus.SENT] * 3
    assert len({m["Message-ID"] for m in outbox()}) == 3
    # Running the tasks again (a retry, a beat sweep, a redelivery) sends nothing twice.
    assert _send_task(app)() == 0
    order_id = db.session.scalar(select(Order.id))
    assert app.extensions["celery"].tasks["storefront.order_placed_emails"](order_id) == 0
    assert len(outbox()) == 3 and len(_emails()) == 3


def test_a_rolled_back_order_leaves_no_email(app):
    cart = _two_cooperative_cart()
    place_order(db.session, cart, details())
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboundEmail)) == 0
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    assert outbox() == []


def test_two_senders_never_claim_the_same_email(app_factory):
    app = app_factory(CELERY_BROKER_URL="redis://127.0.0.1:1/3")  # nothing runs in process
    with app.app_context():
        db.session.add(OutboundEmail(message_id="<1@x>", recipient="a@x.vn", subject="s", body="b"))
        db.session.commit()
        now = utcnow()
        first = claim_due_emails(db.session, now)
        second = claim_due_emails(db.session, now)
        assert [e.message_id for e in first] == ["<1@x>"] and second == []
        # A sender killed mid-batch: once its claim runs out the email is due again, and
        # marking it sent twice is impossible (the second mark finds it no longer 'sending').
        later = now + timedelta(minutes=10)
        (again,) = claim_due_emails(db.session, later)
        assert again.attempts == 2
        record_delivery(db.session, Delivery(sent=[again.id]), later)
        record_delivery(db.session, Delivery(sent=[again.id]), later)
        db.session.commit()
        assert claim_due_emails(db.session, later + timedelta(hours=1)) == []
        db.session.remove()


def test_a_stale_senders_failure_leaves_the_new_claim_alone(app_factory):
    app = app_factory(CELERY_BROKER_URL="redis://127.0.0.1:1/3")  # nothing runs in process
    with app.app_context():
        db.session.add(OutboundEmail(message_id="<2@x>", recipient="a@x.vn", subject="s", body="b"))
        db.session.commit()
        now = utcnow()
        (stale,) = claim_due_emails(db.session, now)
        stale_claim = Delivery(unsent=[stale.id], error="timeout", claims={stale.id: 1})
        # The first sender hangs past its claim; a second sender claims the email again.
        later = now + timedelta(minutes=10)
        (fresh,) = claim_due_emails(db.session, later)
        assert fresh.attempts == 2
        # The first sender wakes up and reports its failure: the second sender's claim stands.
        assert record_delivery(db.session, stale_claim, later) == []
        db.session.commit()
        (email,) = _emails()
        assert email.status == EmailStatus.SENDING and email.last_error is None
        assert claim_due_emails(db.session, later) == []
        # The second sender's own failure is recorded and the email waits for its retry.
        record_delivery(
            db.session, Delivery(unsent=[fresh.id], error="refused", claims={fresh.id: 2}), later
        )
        db.session.commit()
        (email,) = _emails()
        assert email.status == EmailStatus.PENDING and email.last_error == "refused"
        assert email.next_attempt_at > later
        db.session.remove()


def test_one_smtp_connection_carries_the_whole_batch(app_factory):
    with FakeSMTP() as smtp:
        app = app_factory(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_STARTTLS=False)
        with app.app_context():
            place_order(db.session, _two_cooperative_cart(), details())
            db.session.commit()
            assert smtp.connections == 1
            assert sorted(m["To"] for m in smtp.messages) == [
                "a@coop.vn",
                "b@coop.vn",
                "mai@example.vn",
            ]
            db.session.remove()


def test_smtp_down_keeps_the_order_and_retries_the_mail_later(app_factory):
    port = closed_port()
    app = app_factory(
        SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False, MAIL_RETRY_BASE_SECONDS=60
    )
    with app.app_context():
        client = app.test_client()
        product = ProductFactory(producer=ProducerFactory(contact_email="a@coop.vn"))
        db.session.commit()
        client.post("/cart/add", data={"product_id": product.id, "quantity": 1})
        response = client.post("/checkout", data=form_data("cod"))
        assert response.status_code == 303  # the buyer sees the order, not the mail failure
        assert db.session.scalar(select(func.count()).select_from(Order)) == 1
        emails = _emails()
        assert [e.status for e in emails] == [EmailStatus.PENDING] * 2
        assert all(e.attempts == 1 and "refused" in e.last_error.lower() for e in emails)
        assert all(e.next_attempt_at > utcnow() + timedelta(seconds=50) for e in emails)
        # Not due yet: a sweep now sends nothing and spends no try.
        assert _send_task(app)() == 0
        assert [e.attempts for e in _emails()] == [1, 1]
        # The server is back and the backoff has passed: sent once each.
        with FakeSMTP() as smtp:
            app.config["SMTP_PORT"] = smtp.port
            for email in _emails():
                email.next_attempt_at = utcnow() - timedelta(seconds=1)
            db.session.commit()
            assert _send_task(app)() == 2
            assert sorted(m["To"] for m in smtp.messages) == ["a@coop.vn", "mai@example.vn"]
        assert [e.status for e in _emails()] == [EmailStatus.SENT] * 2
        db.session.remove()


def test_a_mail_task_failing_three_times_is_recorded_and_counted(app_factory):
    app = app_factory(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=closed_port(),
        SMTP_STARTTLS=False,
        MAIL_RETRY_BASE_SECONDS=0,  # every retry is due at once
    )
    labels = {"task": "storefront.send_emails"}
    before = REGISTRY.get_sample_value("storefront_task_failures_total", labels) or 0
    with app.app_context():
        db.session.add(OutboundEmail(message_id="<2@x>", recipient="a@x.vn", subject="s", body="b"))
        db.session.commit()
        # Eagerly, as a worker would run it: the task retries itself until the email's
        # three tries are used up, then fails for good.
        result = _send_task(app).apply()
        assert result.failed()
        (email,) = _emails()
        assert email.status is EmailStatus.FAILED and email.attempts == 3
        assert "refused" in email.last_error.lower()
        db.session.remove()
    assert REGISTRY.get_sample_value("storefront_task_failures_total", labels) == before + 1
    metrics = app.test_client().get("/metrics").get_data(as_text=True)
    assert 'storefront_task_failures_total{task="storefront.send_emails"}' in metrics
    assert 'storefront_outbound_emails{status="failed"} 1.0' in metrics

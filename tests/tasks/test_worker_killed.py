"""A Celery worker killed mid-task (issue 13, "bad input and faults"): the task runs again and
does nothing twice.

A real worker (prefork, one child, as `make worker` runs it) sends an order's two emails
to an SMTP server that holds the first connection before its greeting: the task is then
mid-flight, its emails claimed but nothing sent. The child is killed with SIGKILL. With
acks_late and reject_on_worker_lost (storefront/tasks), the message goes back to the queue,
a new child runs the task again and sends each email exactly once; a further run sends
nothing.
"""

import os
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from storefront.core.models import EmailStatus, OutboundEmail
from storefront.extensions import db
from tests.checkout.factories_checkout import form_data
from tests.factories import ProducerFactory, ProductFactory
from tests.tasks.fake_smtp import FakeSMTP, _Handler
from tests.tasks.test_real_worker import BROKER, RESULTS, ROOT, _redis_up, _wait_for

pytestmark = [
    pytest.mark.skipif(not _redis_up(), reason=f"needs Redis at {BROKER}"),
    pytest.mark.real_commits,  # the worker is another process
]


class _StallFirstConnection(_Handler):
    def handle(self):
        server = self.server
        if not server.stalled.is_set():
            # The first sender's connection: say nothing until the test lets go (the sender,
            # killed meanwhile, never hears a greeting, so no message is accepted).
            server.stalled.set()
            server.release.wait(timeout=60)
            return
        super().handle()


class StallingSMTP(FakeSMTP):
    def __init__(self):
        super().__init__()
        self.RequestHandlerClass = _StallFirstConnection
        self.stalled = threading.Event()
        self.release = threading.Event()

    def __exit__(self, *exc):
        self.release.set()
        super().__exit__(*exc)


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _rows() -> list[tuple[EmailStatus, int]]:
    rows = db.session.execute(
        select(OutboundEmail.status, OutboundEmail.attempts).order_by(OutboundEmail.id)
    ).all()
    db.session.rollback()  # end the read: on SQLite an open one would block the worker's write
    return [tuple(row) for row in rows]


@pytest.fixture
def smtp():
    with StallingSMTP() as server:
        yield server


def test_a_worker_killed_mid_task_runs_it_again_and_sends_each_email_once(
    app_factory, tmp_path, smtp
):
    queue = f"test-{uuid.uuid4().hex[:10]}"
    settings = {
        "CELERY_BROKER_URL": BROKER,
        "CELERY_RESULT_BACKEND": RESULTS,
        "CELERY_QUEUE": queue,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "SMTP_STARTTLS": "0",
        # No claim window: the batch of the killed sender is free again at once, so the
        # redelivered task takes it (production keeps 300 s against a second live sender).
        "MAIL_CLAIM_SECONDS": "0",
    }
    app = app_factory(**{**settings, "SMTP_PORT": smtp.port, "SMTP_STARTTLS": False})
    env = {
        **os.environ,
        **settings,
        "STOREFRONT_CONFIG": "development",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "MAIL_OUTBOX_DIR": "",
        "REDIS_URL": "",
    }
    log_path = tmp_path / "worker.log"
    with app.app_context():
        honey = ProductFactory(producer=ProducerFactory(contact_email="htx@coop.vn"))
        db.session.commit()
        client = app.test_client()
        client.post("/cart/add", data={"product_id": honey.id, "quantity": 1})
        assert client.post("/checkout", data=form_data("cod")).status_code == 303
        assert _rows() == []  # the worker writes the order's emails, then sends them

        with log_path.open("ab") as log:
            worker = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "storefront.tasks.worker", "worker",
                 "--pool", "prefork", "--concurrency", "1", "--queues", queue,
                 "--without-gossip", "--without-mingle", "--without-heartbeat",
                 "--loglevel", "INFO"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            assert smtp.stalled.wait(timeout=180), log_path.read_text()[-2000:]
            # Mid-task: both emails claimed by the sender, none accepted by the server.
            assert _rows() == [(EmailStatus.SENDING, 1)] * 2
            (child,) = _children(worker.pid)
            os.kill(child, signal.SIGKILL)
            smtp.release.set()

            _wait_for(lambda: _rows() == [(EmailStatus.SENT, 2)] * 2, what="the task run again")
            assert sorted(message["To"] for message in smtp.messages) == [
                "htx@coop.vn",
                "mai@example.vn",
            ]
            log_text = log_path.read_text()
            assert "WorkerLostError" in log_text or "signal 9" in log_text

            # Once more (beat's sweep, a late redelivery): nothing is sent twice.
            again = app.extensions["celery"].tasks["storefront.send_emails"].apply_async()
            assert again.get(timeout=180) == 0
            assert len(smtp.messages) == 2
            assert smtp.connections == 1  # the rerun's one connection; the stalled one uncounted
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
            redis.Redis.from_url(BROKER).delete(queue)
            db.session.remove()

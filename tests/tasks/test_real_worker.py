"""A real Celery worker (a subprocess, as `make worker` runs it) against the Redis CI starts.

Proves the done-when of the job queue: with a broker configured, placing an order writes no
email until a worker runs; the worker sends each email exactly once, and a second run of the
task sends nothing more.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from storefront.core.models import EmailStatus, OutboundEmail
from storefront.extensions import db
from storefront.orders.models import Order
from tests.checkout.factories_checkout import form_data
from tests.factories import ProducerFactory, ProductFactory

BROKER = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/3")
RESULTS = os.environ.get("CELERY_TEST_RESULT_BACKEND", "redis://127.0.0.1:6379/4")
ROOT = Path(__file__).resolve().parents[2]


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(BROKER, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


pytestmark = [
    pytest.mark.skipif(not _redis_up(), reason=f"needs Redis at {BROKER}"),
    # The worker is another process: it must see what the test committed.
    pytest.mark.real_commits,
]


def _wait_for(predicate, timeout=180.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture
def shop(app_factory, tmp_path):
    queue = f"test-{uuid.uuid4().hex[:10]}"
    outbox = tmp_path / "outbox"
    app = app_factory(
        CELERY_BROKER_URL=BROKER,
        CELERY_RESULT_BACKEND=RESULTS,
        CELERY_QUEUE=queue,
        MAIL_OUTBOX_DIR=str(outbox),
    )
    database_url = app.config["SQLALCHEMY_DATABASE_URI"]  # this run's database (a file on SQLite)
    env = {
        **os.environ,
        "STOREFRONT_CONFIG": "development",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": BROKER,
        "CELERY_RESULT_BACKEND": RESULTS,
        "CELERY_QUEUE": queue,
        "MAIL_OUTBOX_DIR": str(outbox),
        "SMTP_HOST": "",
        "REDIS_URL": "",
    }
    workers: list[subprocess.Popen] = []

    def start_worker() -> subprocess.Popen:
        with (tmp_path / "worker.log").open("ab") as log:  # the worker keeps its own copy
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "storefront.tasks.worker", "worker",
                 "--pool", "solo", "--queues", queue, "--without-gossip", "--without-mingle",
                 "--without-heartbeat", "--loglevel", "INFO"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        workers.append(process)
        return process

    with app.app_context():
        yield app, outbox, queue, start_worker
        db.session.remove()
    for process in workers:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    redis.Redis.from_url(BROKER).delete(queue)


def _statuses() -> list[EmailStatus]:
    statuses = list(db.session.scalars(select(OutboundEmail.status).order_by(OutboundEmail.id)))
    db.session.rollback()  # end the read: on SQLite an open one would block the worker's write
    return statuses


def test_no_email_until_the_worker_runs_then_exactly_once(shop, tmp_path):
    app, outbox, queue, start_worker = shop
    client = app.test_client()
    honey = ProductFactory(producer=ProducerFactory(contact_email="htx@coop.vn"))
    db.session.commit()
    client.post("/cart/add", data={"product_id": honey.id, "quantity": 1})
    response = client.post(
        "/checkout", data=form_data("cod"), headers={"X-Request-ID": "checkout-7f3a"}
    )
    assert response.status_code == 303
    assert db.session.scalar(select(Order)) is not None

    # Committed and queued, but nothing written: the emails' task waits in Redis for a
    # worker, which renders them, then sends them.
    assert _statuses() == []
    assert not outbox.exists() or list(outbox.iterdir()) == []
    assert redis.Redis.from_url(BROKER).llen(queue) == 1

    start_worker()
    _wait_for(lambda: _statuses() == [EmailStatus.SENT] * 2, what="the worker's send")
    files = sorted(outbox.glob("*.eml"))
    assert len(files) == 2
    recipients = sorted(
        line.split(":", 1)[1].strip()
        for path in files
        for line in path.read_text().splitlines()
        if line.startswith("To:")
    )
    assert recipients == ["htx@coop.vn", "mai@example.vn"]
    # The request's id travelled with the task into the worker's log lines.
    log = (tmp_path / "worker.log").read_text()
    assert "[checkout-7f3a] sent 2 of 2 claimed email(s)" in log

    # The same task again (a redelivery, beat's sweep): it runs and sends nothing twice.
    again = app.extensions["celery"].tasks["storefront.send_emails"].apply_async()
    assert again.get(timeout=180) == 0
    assert len(list(outbox.glob("*.eml"))) == 2

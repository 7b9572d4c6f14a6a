"""Metrics, request ids, JSON logs, /healthz and /readyz."""

import json
import logging
import subprocess
import sys
import textwrap
from pathlib import Path

from prometheus_client import REGISTRY

from storefront.core.observability import JsonFormatter, RequestIdFilter, bind_request_id
from storefront.extensions import db
from tests.checkout.factories_checkout import form_data
from tests.factories import ProductFactory

ROOT = Path(__file__).resolve().parents[2]


def _sample(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0


def test_metrics_show_the_order_just_placed_and_the_checkout_latency(app, client):
    before = _sample("storefront_orders_placed_total", payment_method="cod")
    latency_before = _sample(
        "storefront_request_duration_seconds_count", endpoint="orders.checkout", method="POST"
    )
    product = ProductFactory()
    db.session.commit()
    client.post("/cart/add", data={"product_id": product.id, "quantity": 1})
    assert client.post("/checkout", data=form_data("cod")).status_code == 303
    page = client.get("/metrics")
    assert page.status_code == 200 and page.mimetype == "text/plain"
    text = page.get_data(as_text=True)
    assert f'storefront_orders_placed_total{{payment_method="cod"}} {before + 1}' in text
    assert (
        _sample(
            "storefront_request_duration_seconds_count", endpoint="orders.checkout", method="POST"
        )
        == latency_before + 1
    )
    assert 'storefront_outbound_emails{status="sent"} 1.0' in text


def test_metrics_are_not_public_in_production(app_factory):
    hidden = app_factory(METRICS_PUBLIC=False)
    assert hidden.test_client().get("/metrics").status_code == 404
    guarded = app_factory(METRICS_PUBLIC=False, METRICS_TOKEN="s3cret-token")
    client = guarded.test_client()
    assert client.get("/metrics").status_code == 404
    wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 404
    right = client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
    assert right.status_code == 200 and b"storefront_request_duration_seconds" in right.data


def test_every_response_carries_a_request_id(client):
    fresh = client.get("/healthz")
    assert len(fresh.headers["X-Request-ID"]) == 32
    kept = client.get("/healthz", headers={"X-Request-ID": "edge-42.a_b"})
    assert kept.headers["X-Request-ID"] == "edge-42.a_b"
    # A forged id that could break a log line is replaced, not echoed.
    forged = client.get("/healthz", headers={"X-Request-ID": "x" * 65})
    assert forged.headers["X-Request-ID"] != "x" * 65


def test_json_log_lines_carry_the_request_id():
    token = bind_request_id("req-123")
    try:
        record = logging.LogRecord(
            "storefront.x", logging.WARNING, __file__, 1, "hé %s", ("lô",), None
        )
        RequestIdFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    finally:
        bind_request_id(None)
        del token
    assert line["message"] == "hé lô" and line["request_id"] == "req-123"
    assert line["level"] == "WARNING" and line["logger"] == "storefront.x"


def test_healthz_is_liveness_and_readyz_checks_the_database(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json() == {"status": "ok", "checks": {"database": True}}


def test_metrics_add_up_across_worker_processes(tmp_path):
    """As under gunicorn: two processes count, any one of them answers with the sum."""
    script = textwrap.dedent(
        """
        import multiprocessing, sys
        from storefront.core.observability import ORDERS_PLACED

        def place():
            ORDERS_PLACED.labels(payment_method="card").inc()

        if __name__ == "__main__":
            ctx = multiprocessing.get_context("fork")
            workers = [ctx.Process(target=place) for _ in range(2)]
            for w in workers: w.start()
            for w in workers: w.join()
            from storefront import create_app
            app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
            body = app.test_client().get("/metrics")
            sys.stdout.write(body.get_data(as_text=True))
        """
    )
    env = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert 'storefront_orders_placed_total{payment_method="card"} 2.0' in done.stdout

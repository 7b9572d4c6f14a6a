"""What a running shop is doing: a request id in every log line (and in the tasks a request
sends), JSON logs, Prometheus metrics, optional Sentry.

Metrics are correct under several gunicorn workers: with PROMETHEUS_MULTIPROC_DIR set (see
gunicorn.conf.py) every process writes its samples there and /metrics sums them. Values that
describe shared state (the queue's depth, the mail outbox) are read at scrape time from Redis
and the database, so they are the same whichever worker answers.
"""

import contextvars
import json
import logging
import os
import re
import time
import uuid

from prometheus_client import Counter, Histogram

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

REQUEST_LATENCY = Histogram(
    "storefront_request_duration_seconds",
    "Time to answer a request, per endpoint.",
    ["endpoint", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
REQUESTS = Counter(
    "storefront_requests_total",
    "Requests answered, per endpoint and status.",
    ["endpoint", "status"],
)
ORDERS_PLACED = Counter(
    "storefront_orders_placed_total", "Orders placed, per payment method.", ["payment_method"]
)
PAYMENT_FAILURES = Counter(
    "storefront_payment_failures_total", "Card payments that failed or could not start.", ["stage"]
)
WEBHOOK_FAILURES = Counter(
    "storefront_webhook_failures_total", "Webhook deliveries refused or failed.", ["reason"]
)
TASK_DURATION = Histogram(
    "storefront_task_duration_seconds",
    "Time a background task ran.",
    ["task", "state"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300),
)
TASK_FAILURES = Counter(
    "storefront_task_failures_total",
    "Tasks that failed for good (retries used up): alert on any increase.",
    ["task"],
)
ENQUEUE_FAILURES = Counter(
    "storefront_task_enqueue_failures_total",
    "Tasks that could not be sent because the broker was unreachable (a sweep catches up).",
    ["task"],
)


# ------------------------------------------------------------------ request id


def current_request_id() -> str | None:
    return _request_id.get()


def bind_request_id(value: str | None) -> contextvars.Token:
    if not value or not _REQUEST_ID_RE.match(value):
        value = uuid.uuid4().hex
    return _request_id.set(value)


def task_headers() -> dict:
    request_id = current_request_id()
    return {"request_id": request_id} if request_id else {}


_task_started_at: dict[str, tuple[float, contextvars.Token]] = {}


def task_started(task_id, task) -> None:
    request_id = task.request.get("request_id") if task is not None else None
    token = bind_request_id(request_id)
    _task_started_at[task_id] = (time.perf_counter(), token)


def task_finished(task_id, task, state) -> None:
    started = _task_started_at.pop(task_id, None)
    if started is None:
        return
    began, token = started
    name = getattr(task, "name", "unknown")
    TASK_DURATION.labels(task=name, state=state or "UNKNOWN").observe(time.perf_counter() - began)
    try:
        _request_id.reset(token)
    except ValueError:  # finished in another context (eventlet/gevent pools)
        _request_id.set(None)


# ------------------------------------------------------------------ logs


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for a log shipper to index."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(log_format: str, level: str = "INFO") -> None:
    """Give the root logger one handler that carries the request id."""
    root = logging.getLogger()
    for handler in root.handlers:
        if getattr(handler, "_storefront", False):
            return
    handler = logging.StreamHandler()
    handler._storefront = True
    handler.addFilter(RequestIdFilter())
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    root.addHandler(handler)
    root.setLevel(level)


def init_sentry(dsn: str, environment: str) -> bool:
    """Error reporting when SENTRY_DSN is set and sentry-sdk is installed (it is optional)."""
    if not dsn:
        return False
    try:
        import sentry_sdk
    except ImportError:
        logging.getLogger(__name__).warning("SENTRY_DSN is set but sentry-sdk is not installed")
        return False
    sentry_sdk.init(dsn=dsn, environment=environment, send_default_pii=False)
    return True


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


# ------------------------------------------------------------------ the Flask side


def init_observability(app) -> None:
    from flask import g, request

    configure_logging(app.config.get("LOG_FORMAT", "text"), app.config.get("LOG_LEVEL", "INFO"))
    init_sentry(app.config.get("SENTRY_DSN", ""), app.config.get("ENV_NAME", "production"))

    @app.before_request
    def _start_request():
        g._request_id_token = bind_request_id(request.headers.get(REQUEST_ID_HEADER))
        g._request_started = time.perf_counter()

    @app.after_request
    def _finish_request(response):
        started = g.pop("_request_started", None)
        endpoint = request.endpoint or "unmatched"
        if started is not None:
            REQUEST_LATENCY.labels(endpoint=endpoint, method=request.method).observe(
                time.perf_counter() - started
            )
        REQUESTS.labels(endpoint=endpoint, status=str(response.status_code)).inc()
        request_id = current_request_id()
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        return response

    @app.teardown_request
    def _forget_request_id(_error=None):
        token = g.pop("_request_id_token", None)
        if token is not None:
            try:
                _request_id.reset(token)
            except ValueError:
                _request_id.set(None)


# ------------------------------------------------------------------ /metrics


class SharedStateCollector:
    """Read at scrape time: the same answer whichever worker is scraped."""

    def __init__(self, app):
        self.app = app

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily
        from sqlalchemy import func, select
        from sqlalchemy.exc import SQLAlchemyError

        from ..extensions import db
        from .models import EmailStatus, OutboundEmail

        emails = GaugeMetricFamily(
            "storefront_outbound_emails", "Emails in the outbox, per status.", labels=["status"]
        )
        counts = dict.fromkeys((s.value for s in EmailStatus), 0)
        try:
            for status, count in db.session.execute(
                select(OutboundEmail.status, func.count()).group_by(OutboundEmail.status)
            ):
                counts[status.value] = count
        except SQLAlchemyError:
            db.session.rollback()  # /readyz reports the database; the metrics still answer
        else:
            for status, count in counts.items():
                emails.add_metric([status], count)
            yield emails
        depth = queue_depth(self.app)
        if depth is not None:
            queue = GaugeMetricFamily(
                "storefront_task_queue_depth",
                "Tasks waiting in the broker's queue.",
                labels=["queue"],
            )
            queue.add_metric([self.app.config.get("CELERY_QUEUE", "storefront")], depth)
            yield queue


def queue_depth(app) -> int | None:
    """Messages waiting in the Redis broker's queue; None without a Redis broker."""
    from ..tasks import broker_url

    url = broker_url(app.config)
    if not url.startswith(("redis://", "rediss://")):
        return None
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        return int(client.llen(app.config.get("CELERY_QUEUE", "storefront")))
    except redis.RedisError:
        return None


def render_metrics(app) -> tuple[bytes, str]:
    """This process's metrics (or, under gunicorn, every process's, summed from
    PROMETHEUS_MULTIPROC_DIR) followed by the shared-state gauges."""
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

    registry = REGISTRY
    if multiprocess_dir():
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    shared = CollectorRegistry()
    shared.register(SharedStateCollector(app))
    return generate_latest(registry) + generate_latest(shared), CONTENT_TYPE_LATEST

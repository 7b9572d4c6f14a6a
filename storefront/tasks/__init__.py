"""Background jobs: Celery on Redis, bound to the Flask app as in Flask's Celery pattern.

Side effects leave the request through `enqueue(name, ...)`: the task is sent only after
the surrounding transaction commits, and dropped if it rolls back. The broker is
CELERY_BROKER_URL, else REDIS_URL. Without either (the embedded default, `make run`), the
task runs in this process right after the commit, so nothing else needs to be installed.

If the broker is down when a task is sent, the request still succeeds: the work the task
would do is durable in the database (emails wait in the outbox, expired reservations stay
expired-but-unreleased), and Celery beat's periodic sweeps pick it up once the broker is
back. Every task is idempotent, so a sweep and a late delivery never do anything twice.
"""

import logging
from datetime import timedelta

from celery import Celery, Task
from celery.schedules import crontab
from celery.signals import task_failure, task_postrun, task_prerun
from flask import Flask, current_app, has_app_context

from ..core.hooks import on_commit
from ..extensions import db

log = logging.getLogger(__name__)

# The periodic jobs that were cron lines; every one is idempotent and safe to overlap.
BEAT_SCHEDULE = {
    "send-due-emails": {"task": "storefront.send_emails", "schedule": timedelta(minutes=1)},
    "sweep-placed-emails": {
        "task": "storefront.sweep_placed_emails",
        "schedule": timedelta(minutes=5),
    },
    "release-expired-reservations": {
        "task": "storefront.release_expired_reservations",
        "schedule": timedelta(minutes=10),
    },
    "notify-expiring-certificates": {
        "task": "storefront.notify_expiring_certificates",
        "schedule": crontab(hour=8, minute=0),  # 08:00 in Vietnam (timezone below)
    },
    "unfeature-lapsed-products": {
        "task": "storefront.unfeature_lapsed_products",
        "schedule": crontab(hour=0, minute=5),
    },
}


def broker_url(config) -> str:
    if config.get("CELERY_BROKER_URL"):
        return config["CELERY_BROKER_URL"]
    # REDIS_URL may also be the rate limiter's "memory://", which no worker could consume.
    redis_url = config.get("REDIS_URL") or ""
    return redis_url if redis_url.startswith(("redis://", "rediss://", "unix://")) else ""


def celery_config(config) -> dict:
    broker = broker_url(config)
    return {
        "broker_url": broker or "memory://",
        "result_backend": config.get("CELERY_RESULT_BACKEND") or None,
        "task_ignore_result": not config.get("CELERY_RESULT_BACKEND"),
        "task_default_queue": config.get("CELERY_QUEUE", "storefront"),
        # A worker killed mid-task leaves the message unacknowledged, so it runs again;
        # the tasks are idempotent, so running again does nothing twice.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "worker_hijack_root_logger": False,
        "broker_connection_retry_on_startup": True,
        # A request that sends a task must not hang on a dead broker.
        "broker_connection_timeout": 2,
        "broker_transport_options": {"socket_connect_timeout": 2, "socket_timeout": 5},
        "beat_schedule": BEAT_SCHEDULE,
        "timezone": "Asia/Ho_Chi_Minh",
        "enable_utc": True,
    }


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            # In process, the caller's app context is already there; a worker pushes one.
            if has_app_context() and current_app._get_current_object() is app:
                return self.run(*args, **kwargs)
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(celery_config(app.config))
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    app.config["TASKS_IN_PROCESS"] = not broker_url(app.config)
    from . import jobs  # noqa: F401  (registers the tasks)

    return celery_app


# Tasks whose work is not yet written anywhere when they are sent (the placed order's emails
# are written by the task): if the broker cannot take one, it runs in this process after the
# commit instead of waiting for a sweep that could not find it.
RUN_HERE_WHEN_BROKER_DOWN = {"storefront.order_placed_emails"}


def enqueue(name: str, *args, **kwargs) -> None:
    """Send task `name` after the current transaction commits (once per transaction for the
    same arguments); nothing is sent if it rolls back."""
    app = current_app._get_current_object()
    key = ("task", name, args, tuple(sorted(kwargs.items())))
    on_commit(db.session, lambda: dispatch(app, name, args, kwargs), key=key)


def dispatch(app: Flask, name: str, args: tuple = (), kwargs: dict | None = None) -> None:
    from ..core import observability

    kwargs = kwargs or {}
    task = app.extensions["celery"].tasks[name]
    if app.config["TASKS_IN_PROCESS"]:
        _run_here(task, name, args, kwargs)
        return
    try:
        task.apply_async(args, kwargs, headers=observability.task_headers(), retry=False)
    except Exception as error:  # kombu/redis raise several types; none may fail the request
        observability.ENQUEUE_FAILURES.labels(task=name).inc()
        if name in RUN_HERE_WHEN_BROKER_DOWN:
            log.warning("broker unreachable, %s runs in process: %s", name, error)
            _run_here(task, name, args, kwargs)
        else:
            log.warning("broker unreachable, %s waits for the next sweep: %s", name, error)


def _run_here(task, name: str, args: tuple, kwargs: dict) -> None:
    # The data is committed; a failing side effect is logged and left for a later run
    # (an email stays in the outbox), never shown to the buyer as an error. Deliberately
    # broad: tasks reach SMTP, S3, image decoding and the database, each with its own
    # exception types, and the worker (which retries) would catch the same breadth.
    try:
        task(*args, **kwargs)  # in the caller's app context and session
    except Exception:
        log.exception("task %s failed in process", name)


# ------------------------------------------------------------------ task metrics


@task_prerun.connect
def _task_started(task_id=None, task=None, **_):
    from ..core import observability

    observability.task_started(task_id, task)


@task_postrun.connect
def _task_finished(task_id=None, task=None, state=None, **_):
    from ..core import observability

    observability.task_finished(task_id, task, state)


@task_failure.connect
def _task_failed(sender=None, task_id=None, exception=None, **_):
    from ..core import observability

    name = getattr(sender, "name", "unknown")
    observability.TASK_FAILURES.labels(task=name).inc()
    log.error("task %s (%s) failed for good: %r", name, task_id, exception)

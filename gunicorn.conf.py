"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py "storefront:create_app()"`.

Every value can be overridden from the environment, so one file serves a laptop, a container
and a machine behind a load balancer.
"""

import os
import shutil
import tempfile
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 30
graceful_timeout = 30
keepalive = 5
# Recycle each worker now and then, so slow growth never becomes a memory problem.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
accesslog = "-"
errorlog = "-"

# Prometheus in multiprocess mode: each worker writes its samples to this folder, /metrics sums
# them. It must be set before any worker imports prometheus_client, hence here, and emptied
# on start so a restart does not add yesterday's counts.
_metrics_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", str(Path(tempfile.gettempdir()) / "storefront-metrics")
)


def on_starting(server):
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    os.makedirs(_metrics_dir, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)

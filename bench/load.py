"""A bounded load generator: a fixed number of GETs (or a time cap) over keep-alive
connections from a few threads, against 127.0.0.1 only."""

import http.client
import statistics
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Result:
    label: str
    path: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float] = field(repr=False, default_factory=list)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))
        return ordered[index]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")

    @property
    def p99(self) -> float:
        return self.percentile(99)

    def as_dict(self) -> dict:
        return {
            "label": self.label,
            "path": self.path,
            "requests": self.requests,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p50, 2),
            "p99_ms": round(self.p99, 2),
        }


def _check_local(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    if parts.hostname != "127.0.0.1":
        raise ValueError("the load generator only targets 127.0.0.1")
    return parts.hostname, parts.port or 80


def run_load(
    base_url: str,
    path: str,
    *,
    label: str,
    requests: int,
    concurrency: int,
    time_cap: float,
    warmup: int = 20,
) -> Result:
    host, port = _check_local(base_url)
    _fire(host, port, path, warmup, concurrency=1, deadline=time.monotonic() + time_cap)

    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    remaining = [requests]
    deadline = time.monotonic() + time_cap

    def take() -> bool:
        with lock:
            if remaining[0] <= 0 or time.monotonic() > deadline:
                return False
            remaining[0] -= 1
            return True

    def worker():
        connection = http.client.HTTPConnection(host, port, timeout=30)
        own: list[float] = []
        own_errors = 0
        while take():
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Accept-Encoding": "identity"})
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    own_errors += 1
                if response.will_close:
                    connection.close()
                    connection = http.client.HTTPConnection(host, port, timeout=30)
            except (OSError, http.client.HTTPException):
                own_errors += 1
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=30)
                continue
            own.append((time.perf_counter() - started) * 1000)
        connection.close()
        with lock:
            latencies.extend(own)
            errors[0] += own_errors

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return Result(label, path, len(latencies), errors[0], seconds, latencies)


def _fire(host, port, path, count, concurrency, deadline) -> None:
    """Warm the workers (imports, template compilation, connection pools)."""
    del concurrency
    connection = http.client.HTTPConnection(host, port, timeout=30)
    for _ in range(count):
        if time.monotonic() > deadline:
            break
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        if response.will_close:
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=30)
    connection.close()

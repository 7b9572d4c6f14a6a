"""Run the same request from many threads at once, each with its own session and connection.

The data a race reads must be committed before it starts: every thread opens its
own app context (so its own SQLAlchemy session and pooled connection) and sees
only what other connections can see. A barrier releases the threads together,
so the requests really overlap; each outcome (a response, a return value or the
exception raised) is returned in thread order.
"""

import threading
from collections.abc import Callable

from storefront.extensions import db

RACERS = 10
BARRIER_TIMEOUT = 60
JOIN_TIMEOUT = 120


def race(app, action: Callable[[int], object], racers: int = RACERS) -> list:
    barrier = threading.Barrier(racers)
    outcomes: list = [None] * racers

    def run(index: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=BARRIER_TIMEOUT)
                outcomes[index] = action(index)
            except Exception as error:  # returned to the test, which asserts on it
                db.session.rollback()
                outcomes[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a racer hung (deadlock?)"
    return outcomes


def post_all(app, clients, url: str, data: dict | None = None) -> list:
    """POST the same form from each client at the same moment; returns the responses."""
    return race(app, lambda i: clients[i].post(url, data=dict(data or {})), len(clients))


def statuses(outcomes: list) -> list:
    return [getattr(outcome, "status_code", repr(outcome)) for outcome in outcomes]

"""Run side effects only after the transaction commits.

Services call `on_commit(fn)`; the callbacks run after the caller's commit and
are dropped on rollback, so an email never announces an order that was not saved.
"""

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

_KEY = "storefront_on_commit"


def on_commit(session, callback: Callable[[], None]) -> None:
    # Flask-SQLAlchemy's scoped session proxies .info to the real session.
    session.info.setdefault(_KEY, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session):
    callbacks = session.info.pop(_KEY, [])
    for callback in callbacks:
        callback()


@event.listens_for(Session, "after_rollback")
def _drop_on_rollback(session):
    session.info.pop(_KEY, None)

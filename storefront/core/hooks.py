"""Run side effects only after the transaction commits.

Services call `on_commit(session, fn)`; the callbacks run once the caller's `commit()` has
returned and are dropped on rollback, so an email never announces an order that was not saved.
They run after commit() returns rather than inside SQLAlchemy's after_commit event because a
callback may use the session again (an in-process task reads and writes its own rows), which
the event forbids.
"""

from collections.abc import Callable, Hashable

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event
from sqlalchemy.orm import Session

_PENDING = "storefront_on_commit"
_KEYS = "storefront_on_commit_keys"
_READY = "storefront_after_commit"
_UNDO = "storefront_on_rollback"


def on_commit(session, callback: Callable[[], None], key: Hashable | None = None) -> None:
    """Run `callback` after the next commit. A `key` seen before in this transaction is
    skipped, so ten emails in one order ask for one send task, not ten."""
    # Flask-SQLAlchemy's scoped session proxies .info to the real session.
    if key is not None:
        keys = session.info.setdefault(_KEYS, set())
        if key in keys:
            return
        keys.add(key)
    session.info.setdefault(_PENDING, []).append(callback)


def on_rollback(session, callback: Callable[[], None]) -> None:
    """Run `callback` if the transaction rolls back (undo what cannot roll back with it:
    a file already stored). Forgotten once it commits."""
    session.info.setdefault(_UNDO, []).append(callback)


@event.listens_for(Session, "after_commit")
def _commit_succeeded(session):
    session.info.pop(_KEYS, None)
    session.info.pop(_UNDO, None)
    callbacks = session.info.pop(_PENDING, [])
    if callbacks:
        session.info.setdefault(_READY, []).extend(callbacks)


@event.listens_for(Session, "after_rollback")
def _drop_on_rollback(session):
    session.info.pop(_PENDING, None)
    session.info.pop(_KEYS, None)
    for undo in session.info.pop(_UNDO, []):
        undo()


def run_after_commit(session) -> None:
    # A callback may commit again (an in-process task); its own callbacks run in that commit.
    while callbacks := session.info.pop(_READY, None):
        for callback in callbacks:
            callback()


class CommitHookSession(FlaskSession):
    """db.session's class: runs the on_commit callbacks once commit() has returned."""

    def commit(self) -> None:
        super().commit()
        run_after_commit(self)

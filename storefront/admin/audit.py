"""The audit log: every admin action records who changed which object, and how.

`record` adds the row to the caller's session, so it commits (or rolls back)
together with the change it describes: there is never a change without its
record, nor a record of a change that did not happen.
"""

import enum
import re
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from .models import AuditEvent

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def object_type(obj) -> str:
    """ProducerOrder -> "producer_order": stable names that survive a table rename."""
    return _CAMEL.sub("_", type(obj).__name__).lower()


def jsonable(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def snapshot(obj, *fields: str) -> dict:
    """The named attributes of `obj` as plain JSON values."""
    return {name: jsonable(getattr(obj, name)) for name in fields}


def changed_only(before: dict, after: dict) -> tuple[dict, dict]:
    """Keep only the keys whose values differ, so an edit's record shows what changed."""
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record(
    session: Session,
    actor_id: int | None,
    action: str,
    obj,
    before: dict | None,
    after: dict | None,
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor_id,
        action=action,
        object_type=object_type(obj),
        object_id=str(obj.id),
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
    )
    session.add(event)
    session.flush()
    return event

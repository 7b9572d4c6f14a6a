"""Column helpers shared by every feature's models."""

import enum
from datetime import datetime

from sqlalchemy import DateTime, Enum
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow


def enum_column(enum_cls: type[enum.Enum], **kwargs):
    """Store an enum by its value as a short string with a CHECK, portable across databases."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
        name=kwargs.pop("name", enum_cls.__name__.lower()),
        **kwargs,
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

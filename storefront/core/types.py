"""Column helpers shared by every feature's models."""

import enum
from datetime import datetime

from sqlalchemy import DateTime, Enum
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow


class LabelledEnum(enum.Enum):
    """An enum whose members carry the words a person sees: `DRAFT = "draft", _l("Draft")`.

    The value stays the stored code; `label` is a lazy string, translated when shown, so
    pages, emails, exports and the audit log all read one set of words.
    """

    def __new__(cls, value: str, label):
        member = object.__new__(cls)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def choices(cls, members=None) -> list:
        """A form select's choices (value and label), in declaration order."""
        from wtforms.fields.choices import SelectChoice  # forms only: models need no wtforms

        return [SelectChoice(member.value, member.label) for member in (members or cls)]


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

"""The edge's one set of bounds, used by every form, query-string parser and API argument.

What the database can hold decides the limits: ids, quantities and money are
INTEGER columns (PostgreSQL refuses anything above 2³¹−1 with an error, where
SQLite silently widens), and PostgreSQL refuses a NUL byte in any text. So a
value outside these bounds is refused here, with a message or a 404, and never
becomes a query. Text is refused when it holds control characters: single-line
fields (names, subjects, tracking numbers) take none at all, so no CR/LF can
reach an email header; multi-line fields keep tab and line breaks only.
"""

import re

from flask import Flask, abort, request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter
from wtforms import Field
from wtforms.validators import NumberRange, ValidationError

DB_INT_MAX = 2**31 - 1  # INTEGER: every id, quantity, count and amount of money in đồng
MAX_ID = DB_INT_MAX
MAX_MONEY_VND = DB_INT_MAX
# Anything longer than this is not a number a person typed.
_MAX_DIGITS = 12

_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_CONTROL_MULTI_LINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DECIMAL = re.compile(r"-?[0-9]+")


def parse_int(raw, minimum: int = 0, maximum: int = DB_INT_MAX) -> int | None:
    """A plain decimal integer within [minimum, maximum]; None for anything else.

    Only ASCII digits with an optional minus: int() would also take "²", "٣", "1_000",
    " 7 " and "+5", and str.isdigit() accepts "²" that int() then refuses.
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw if raw is not None else "").strip()
        if len(text) > _MAX_DIGITS or not _DECIMAL.fullmatch(text):
            return None
        value = int(text)
    return value if minimum <= value <= maximum else None


def parse_id(raw) -> int | None:
    """A database id (1 to 2³¹−1) from a form or query string; None for anything else."""
    return parse_int(raw, 1, MAX_ID)


def has_control_characters(text: str | None, multiline: bool = False) -> bool:
    if not text:
        return False
    pattern = _CONTROL_MULTI_LINE if multiline else _CONTROL_SINGLE_LINE
    return pattern.search(text) is not None


def single_line(text: str | None) -> str:
    """For values that become one line (an email subject, a CSV cell): control chars → spaces."""
    return " ".join(_CONTROL_SINGLE_LINE.sub(" ", text or "").split())


# ------------------------------------------------------------------ WTForms validators


class PlainText:
    """No control characters: none at all on one line, only tab and line breaks in a text area."""

    def __init__(self, multiline: bool = False, message=None):
        self.multiline = multiline
        self.message = message

    def __call__(self, form, field: Field) -> None:
        if isinstance(field.data, str) and has_control_characters(field.data, self.multiline):
            raise ValidationError(
                self.message
                or (
                    _l("Remove the invisible control characters from this text.")
                    if self.multiline
                    else _l("Enter this on one line, without line breaks or control characters.")
                )
            )


def int_range(minimum: int = 0, maximum: int = DB_INT_MAX, message=None) -> NumberRange:
    """NumberRange whose upper bound is never above what an INTEGER column holds."""
    return NumberRange(min=minimum, max=min(maximum, DB_INT_MAX), message=message)


# ------------------------------------------------------------------ URLs and requests


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` in every route: an id above 2³¹−1 is a 404, not a database error."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 (werkzeug's own parameter name)
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(map, *args, **kwargs)


def _holds_nul(values) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in values)


def refuse_nul_bytes():
    """PostgreSQL cannot store NUL and no person types one, so none passes this point.

    A path holding one names nothing (404); in the query string it is dropped, as the
    listing drops other control characters; a form holding one is refused (400).
    Upload file names are never used, so they are not looked at.
    """
    if "\x00" in request.path:
        abort(404)
    if _holds_nul(request.args.items(multi=True)):
        request.args = ImmutableMultiDict(
            (key.replace("\x00", ""), value.replace("\x00", ""))
            for key, value in request.args.items(multi=True)
        )
    writes = request.method in ("POST", "PUT", "PATCH", "DELETE") and not request.is_json
    if writes and _holds_nul(request.form.items(multi=True)):
        abort(400)


def init_validators(app: Flask) -> None:
    """Before the blueprints: their routes are built with the bounded `int` converter."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(refuse_nul_bytes)

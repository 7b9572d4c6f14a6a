"""The base of every form: text fields refuse control characters, whole numbers stay
within what an INTEGER column holds (core.validators).

A single-line field (a name, an email, a tracking number) takes none at all, so a
CR/LF can never reach an email header or a CSV cell; a text area keeps tab and
line breaks. The check is added here once rather than to each of the shop's
text fields, so a field added later cannot forget it.
"""

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField, TextAreaField

from .validators import DB_INT_MAX, PlainText, int_range

_ONE_LINE = PlainText()
_MULTI_LINE = PlainText(multiline=True)
# Whatever narrower range a field sets, no whole number may exceed what INTEGER holds.
_FITS_INTEGER = int_range(-DB_INT_MAX, DB_INT_MAX)


class Form(FlaskForm):
    def validate(self, extra_validators=None):
        extra = {name: list(chain) for name, chain in (extra_validators or {}).items()}
        for name, field in self._fields.items():
            if isinstance(field, TextAreaField):
                extra.setdefault(name, []).append(_MULTI_LINE)
            elif isinstance(field, StringField) and not isinstance(field, HiddenField):
                # Hidden fields carry our own values back (a next URL, a key), checked where used.
                extra.setdefault(name, []).append(_ONE_LINE)
            elif isinstance(field, IntegerField):
                extra.setdefault(name, []).append(_FITS_INTEGER)
        return super().validate(extra_validators=extra)

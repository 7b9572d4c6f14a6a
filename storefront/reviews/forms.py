from flask_babel import lazy_gettext as _l
from wtforms import MultipleFileField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from ..core.forms import Form
from . import services

STAR_CHOICES = [
    SelectChoice("5", _l("5 stars: excellent")),
    SelectChoice("4", _l("4 stars: good")),
    SelectChoice("3", _l("3 stars: all right")),
    SelectChoice("2", _l("2 stars: poor")),
    SelectChoice("1", _l("1 star: bad")),
]


class ReviewForm(Form):
    stars = RadioField(
        _l("Your rating"),
        choices=STAR_CHOICES,
        validators=[InputRequired(message=_l("Choose from 1 to 5 stars."))],
        validate_choice=True,
    )
    body = TextAreaField(
        _l("Your review"),
        validators=[Length(max=services.MAX_BODY)],
        description=_l("What did you like, what could be better? (optional)"),
    )
    photos = MultipleFileField(
        _l("Photos (up to 3, JPEG, PNG or WebP)"),
        description=_l("Photos are shown publicly with your review."),
    )


class ReplyForm(Form):
    reply = TextAreaField(
        _l("Your public reply"),
        validators=[
            DataRequired(message=_l("Write your reply.")),
            Length(max=services.MAX_REPLY),
        ],
    )


class ReportForm(Form):
    reason = TextAreaField(_l("What is wrong with this review?"), validators=[Length(max=500)])


class HideForm(Form):
    reason = TextAreaField(
        _l("Reason for hiding (kept in the audit log)"),
        validators=[
            DataRequired(message=_l("Give the reason for hiding this review.")),
            Length(max=services.MAX_REASON),
        ],
    )

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, IntegerField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange

from ..core.forms import Form
from ..core.validators import DB_INT_MAX


class WishlistForm(Form):
    product_id = IntegerField(
        validators=[
            InputRequired(message=_l("Unknown product.")),
            NumberRange(1, DB_INT_MAX, message=_l("Unknown product.")),
        ]
    )
    next = HiddenField()


class AlertForm(Form):
    email = EmailField(
        _l("Your email"),
        validators=[
            DataRequired(message=_l("Enter your email address.")),
            Email(message=_l("Enter a valid email address.")),
            Length(max=254),
        ],
    )

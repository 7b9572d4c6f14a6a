from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TelField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from ..core import places
from ..core.forms import Form
from . import passwords
from .services import MIN_PASSWORD_LENGTH, TOO_COMMON

PHONE_PATTERN = r"^\+?[0-9 .-]{8,20}$"


def _int_or_none(value):
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def not_common(_form, field) -> None:
    """The message beside the password field (services.check_new_password checks it too)."""
    if field.data and passwords.is_common(field.data):
        raise ValidationError(TOO_COMMON)


class LoginForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class RegisterForm(Form):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    phone = TelField(
        _l("Phone (optional)"),
        validators=[Optional(), Regexp(PHONE_PATTERN, message=_l("Enter a valid phone number."))],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200), not_common],
        description=_l("At least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
    )
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )
    consent = BooleanField(
        _l("I have read the privacy notice and agree to the processing of my data for my orders."),
        validators=[DataRequired(message=_l("Tick the box to agree to the privacy notice."))],
    )
    next = HiddenField()


class ChangePasswordForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200), not_common],
    )
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The passwords do not match.")),
        ],
    )


class LogoutForm(Form):
    """Logout is a POST, so a third-party page cannot log a buyer out."""


class ForgotPasswordForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])


class ResetPasswordForm(Form):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200), not_common],
        description=_l("At least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
    )
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[
            DataRequired(),
            EqualTo("password", message=_l("The passwords do not match.")),
        ],
    )


class ChangeEmailForm(Form):
    new_email = EmailField(
        _l("New email address"), validators=[DataRequired(), Email(), Length(max=254)]
    )
    password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])


class ConfirmForm(Form):
    """A bare POST with CSRF: resend a link, sign out everywhere, make an address default."""


class CodeForm(Form):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(message=_l("Enter the code.")), Length(max=20)],
        description=_l("The 6-digit code from your authenticator app, or a recovery code."),
    )


class DeleteAccountForm(Form):
    password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    understood = BooleanField(
        _l("I understand that my account cannot be restored."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )


class AddressForm(Form):
    recipient_name = StringField(
        _l("Recipient's name"),
        validators=[DataRequired(message=_l("Enter the recipient's name.")), Length(max=120)],
    )
    phone = TelField(
        _l("Phone"),
        validators=[
            DataRequired(message=_l("Enter a phone number.")),
            Regexp(PHONE_PATTERN, message=_l("Enter a valid phone number.")),
        ],
    )
    province = SelectField(_l("Province or city"), coerce=_int_or_none, validate_choice=False)
    ward = SelectField(_l("Ward or commune"), coerce=_int_or_none, validate_choice=False)
    street = StringField(
        _l("Street address"),
        validators=[
            DataRequired(message=_l("Enter the street address.")),
            Length(max=255),
        ],
        description=_l("House number, street, hamlet or village."),
    )
    make_default = BooleanField(_l("Use as my default address"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.province.choices = [SelectChoice("", _l("Choose a province"))] + [
            SelectChoice(str(code), name) for code, name in places.provinces()
        ]
        self.ward.choices = [SelectChoice("", _l("Choose a ward"))] + [
            SelectChoice(str(code), name) for code, name in places.wards(self.province.data or 0)
        ]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.province.data is None or not places.province_name(self.province.data):
            self.province.errors.append(_l("Choose a province."))
            valid = False
        if self.ward.data is None:
            self.ward.errors.append(_l("Choose a ward or commune."))
            valid = False
        elif self.province.data and not places.is_valid_place(self.province.data, self.ward.data):
            self.ward.errors.append(_l("This ward is not in the chosen province; choose again."))
            valid = False
        return valid

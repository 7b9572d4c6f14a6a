import dataclasses

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, TelField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, Regexp

from ..core import places
from ..core.forms import Form
from ..errors import DomainError
from . import invoices
from .models import PaymentMethod

PHONE_PATTERN = r"^\+?[0-9 .-]{8,20}$"


def _int_or_none(value):
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class CheckoutForm(Form):
    address_id = RadioField(_l("Deliver to"), coerce=_int_or_none, validators=[Optional()])
    name = StringField(
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
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(message=_l("Enter your email address.")),
            Email(message=_l("Enter a valid email address.")),
            Length(max=254),
        ],
        description=_l("We send the order confirmation and the tracking link here."),
    )
    province = SelectField(
        _l("Province or city"),
        coerce=_int_or_none,
        validate_choice=False,
        render_kw=places.FILTERABLE,
    )
    ward = SelectField(
        _l("Ward or commune"),
        coerce=_int_or_none,
        validate_choice=False,
        render_kw=places.FILTERABLE,
    )
    street = StringField(
        _l("Street address"),
        validators=[Length(max=255)],
        description=_l("House number, street, hamlet or village."),
    )
    note = StringField(_l("Note for the cooperatives (optional)"), validators=[Length(max=500)])
    save_address = BooleanField(_l("Save this address to my account"))
    invoice_wanted = BooleanField(_l("I need a VAT invoice (hoá đơn GTGT)"))
    invoice_company = StringField(_l("Company name"), validators=[Length(max=200)])
    invoice_tax_code = StringField(
        _l("Tax code"),
        validators=[Length(max=20)],
        description=_l("10 digits, or 13 for a branch (0101234567-001)."),
    )
    invoice_address = StringField(_l("Company address"), validators=[Length(max=255)])
    invoice_email = EmailField(_l("Email for the invoice"), validators=[Length(max=254)])
    payment_method = RadioField(
        _l("Payment method"),
        choices=[
            SelectChoice(PaymentMethod.COD.value, _l("Cash on delivery")),
            SelectChoice(PaymentMethod.BANK_TRANSFER.value, _l("Bank transfer (VietQR)")),
            SelectChoice(PaymentMethod.CARD.value, _l("Card (Stripe secure checkout)")),
        ],
        default=PaymentMethod.COD.value,
        validators=[InputRequired(message=_l("Choose a payment method."))],
    )

    def __init__(self, *args, saved_addresses=(), card_enabled=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not card_enabled:
            self.payment_method.choices = [
                c for c in self.payment_method.choices if c.value != PaymentMethod.CARD.value
            ]
        self.saved_addresses = {a.id: a for a in saved_addresses}
        self.address_id.choices = [SelectChoice("", _l("A new address"))] + [
            SelectChoice(
                str(a.id),
                f"{a.recipient_name}, {a.street}, "
                + places.place_label(a.province_code, a.ward_code),
            )
            for a in saved_addresses
        ]
        self.province.choices = [SelectChoice("", _l("Choose a province"))] + [
            SelectChoice(str(code), name) for code, name in places.provinces()
        ]
        # Without JavaScript the ward list must already be the chosen province's.
        self.ward.choices = [SelectChoice("", _l("Choose a ward"))] + [
            SelectChoice(str(code), name) for code, name in places.wards(self.province.data or 0)
        ]

    @property
    def saved_address(self):
        return self.saved_addresses.get(self.address_id.data)

    def invoice_details(self):
        if not self.invoice_wanted.data:
            return None
        return invoices.InvoiceDetails(
            company_name=self.invoice_company.data or "",
            tax_code=self.invoice_tax_code.data or "",
            address=self.invoice_address.data or "",
            email=self.invoice_email.data or "",
        )

    def _validate_invoice(self) -> bool:
        details = self.invoice_details()
        if details is None:
            return True
        checks = (
            (self.invoice_company, _only("company_name")),
            (self.invoice_tax_code, _only("tax_code")),
            (self.invoice_address, _only("address")),
            (self.invoice_email, _only("email")),
        )
        valid = True
        for field, only in checks:
            try:
                invoices.validate(only(details))
            except DomainError as error:
                field.errors = [*field.errors, error.message]
                valid = False
        return valid

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        valid = self._validate_invoice() and valid
        if self.address_id.data is not None and self.saved_address is None:
            self.address_id.errors = [_l("Choose one of your saved addresses.")]
            return False
        if self.saved_address is not None:
            return valid
        if self.province.data is None:
            self.province.errors.append(_l("Choose a province."))
            valid = False
        elif not places.province_name(self.province.data):
            self.province.errors.append(_l("Choose a province from the list."))
            valid = False
        if self.ward.data is None:
            self.ward.errors.append(_l("Choose a ward or commune."))
            valid = False
        elif self.province.data and not places.is_valid_place(self.province.data, self.ward.data):
            self.ward.errors.append(_l("This ward is not in the chosen province; choose again."))
            valid = False
        if not (self.street.data or "").strip():
            self.street.errors.append(_l("Enter the street address."))
            valid = False
        return valid


class CancelForm(Form):
    reason = StringField(
        _l("Why are you cancelling?"),
        validators=[
            DataRequired(message=_l("Give a reason for the cancellation.")),
            Length(max=255),
        ],
    )
    token = StringField()


_VALID_INVOICE = invoices.InvoiceDetails(
    company_name="HTX", tax_code="0101234567", address="Hà Nội", email="a@b.vn"
)


def _only(name: str):
    """Check one field alone (its error goes next to it): the others are made valid."""
    return lambda details: dataclasses.replace(_VALID_INVOICE, **{name: getattr(details, name)})


class ActionForm(Form):
    """A button or small form whose fields the service checks; carries CSRF and the token."""

    token = StringField()


def quantities_from(form, prefix: str, lines) -> dict[int, int]:
    """`prefix<line id>` fields as whole numbers 0–9999; anything else counts as 0."""
    found = {}
    for line in lines:
        raw = (form.get(f"{prefix}{line.id}") or "").strip()
        if raw.isdigit() and len(raw) <= 4:
            found[line.id] = int(raw)
    return found


class PayForm(Form):
    """Start or retry the card payment; carries the guest token."""

    token = StringField()

"""Admin forms validate shape; the domains' services (catalogue, producers, orders, auth) enforce
the rules."""

import secrets
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DecimalField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from ..auth.forms import PHONE_PATTERN
from ..core import places
from ..core.forms import Form
from ..core.validators import MAX_ID, MAX_MONEY_VND, int_range
from ..producers.models import ProducerKind, ProducerStatus


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class ProducerStatusForm(Form):
    status = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(
        _l("Reason (shown to the producer)"), validators=[Optional(), Length(max=500)]
    )

    def validate_status(self, field):
        if field.data not in {s.value for s in ProducerStatus}:
            raise ValidationError(_l("Choose a valid status."))


class ApplicationAnswerForm(Form):
    answer = HiddenField(validators=[DataRequired()])
    note = TextAreaField(
        _l("What the applicant should change, or why it is turned down"),
        validators=[
            DataRequired(_l("Tell the applicant why, in a sentence or two.")),
            Length(max=2000),
        ],
    )

    def validate_answer(self, field):
        if field.data not in {"changes", "reject"}:
            raise ValidationError(_l("Choose an answer."))


class ProducerEditForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    story = TextAreaField(_l("Story"), validators=[Optional(), Length(max=10_000)])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=120)])
    contact_phone = TelField(
        _l("Contact phone"),
        validators=[Optional(), Regexp(PHONE_PATTERN, message=_l("Enter a valid phone number."))],
    )
    contact_email = EmailField(
        _l("Contact email"), validators=[Optional(), Email(), Length(max=254)]
    )
    province_code = SelectField(_l("Province"), coerce=_optional_int, validate_choice=False)
    ward_code = SelectField(_l("Ward or commune"), coerce=_optional_int, validate_choice=False)
    street = StringField(_l("Street address"), validators=[Optional(), Length(max=255)])
    historical_address = StringField(
        _l("Address as printed on old certificates"),
        validators=[Optional(), Length(max=255)],
        description=_l("Before the July 2025 reform, e.g. “huyện Đồng Văn, tỉnh Hà Giang”."),
    )
    commission_percent = DecimalField(
        _l("Commission rate (%)"),
        places=2,
        validators=[Optional(), NumberRange(min=0, max=100)],
        description=_l("Leave empty to use the shop-wide rate."),
    )
    bank_name = StringField(_l("Bank"), validators=[Optional(), Length(max=120)])
    bank_account = StringField(_l("Account number"), validators=[Optional(), Length(max=40)])
    bank_account_name = StringField(_l("Account holder"), validators=[Optional(), Length(max=120)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = ProducerKind.choices()
        self.province_code.choices = [SelectChoice("", _l("— Choose —"))] + [
            SelectChoice(code, name) for code, name in places.provinces()
        ]
        wards = places.wards(self.province_code.data) if self.province_code.data else []
        self.ward_code.choices = [SelectChoice("", _l("— Choose —"))] + [
            SelectChoice(code, name) for code, name in wards
        ]

    @classmethod
    def for_producer(cls, producer, formdata=None):
        rate = producer.commission_rate_bp
        return cls(
            formdata=formdata,
            obj=producer,
            kind=producer.kind.value,
            commission_percent=None if rate is None else Decimal(rate) / 100,
        )

    def changes(self) -> dict:
        percent = self.commission_percent.data
        return {
            "name": self.name.data,
            "kind": ProducerKind(self.kind.data),
            "story": self.story.data or "",
            "contact_name": self.contact_name.data,
            "contact_phone": self.contact_phone.data,
            "contact_email": (self.contact_email.data or "").lower(),
            "province_code": self.province_code.data,
            "ward_code": self.ward_code.data,
            "street": self.street.data,
            "historical_address": self.historical_address.data,
            # Exact decimal to basis points: 8.25 % -> 825, no float on the way.
            "commission_rate_bp": None if percent is None else int(percent * 100),
            "bank_name": self.bank_name.data,
            "bank_account": self.bank_account.data,
            "bank_account_name": self.bank_account_name.data,
        }

    def validate_kind(self, field):
        if field.data not in {k.value for k in ProducerKind}:
            raise ValidationError(_l("Choose the kind of producer."))


class RejectCertificateForm(Form):
    reason = TextAreaField(
        _l("Reason for rejection"),
        validators=[DataRequired(), Length(max=255)],
        description=_l("The producer sees this, e.g. “The scan is unreadable”."),
    )


class ProductIdForm(Form):
    product_id = IntegerField(validators=[InputRequired(), int_range(1, MAX_ID)])


class MoveForm(Form):
    direction = HiddenField(validators=[DataRequired()])


class CancelSubOrderForm(Form):
    reason = StringField(_l("Reason for cancelling"), validators=[DataRequired(), Length(max=255)])


class RefundForm(Form):
    amount = IntegerField(
        _l("Amount (đồng)"),
        validators=[Optional(), NumberRange(min=1, max=99_999_999)],
        description=_l("Leave empty to refund the products chosen below."),
    )
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=255)])
    bank_reference = StringField(
        _l("Bank reference of your transfer to the buyer"),
        validators=[Optional(), Length(max=64), Regexp(r"^[^\x00-\x1f\x7f]*$")],
    )
    paid_on = DateField(_l("Day the transfer was sent"), validators=[Optional()])
    # One key per form shown: a double click or a resubmitted page refunds once.
    idempotency_key = HiddenField(validators=[DataRequired(), Length(max=80)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.idempotency_key.data:
            self.idempotency_key.data = f"admin-refund-{secrets.token_hex(12)}"

    def line_fields(self):
        return [f for f in self if f.name.startswith(f"{self._prefix}line_")]

    def line_quantities(self) -> dict[int, int]:
        return {int(f.name.rsplit("_", 1)[1]): f.data for f in self.line_fields() if f.data}

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and self.amount.data is None and not self.line_quantities():
            self.amount.errors = [_l("Enter an amount, or how many of each product to refund.")]
            return False
        return valid


class ReturnRefundForm(Form):
    bank_reference = StringField(
        _l("Bank reference of your transfer to the buyer"),
        validators=[Optional(), Length(max=64), Regexp(r"^[^\x00-\x1f\x7f]*$")],
    )
    paid_on = DateField(_l("Day the transfer was sent"), validators=[Optional()])


def refund_form_for(sub_order, **kwargs) -> RefundForm:
    """The refund form of one sub-order: an amount, or a quantity per line."""

    class SubOrderRefundForm(RefundForm):
        pass

    for line in sub_order.lines:
        left = line.quantity - line.refunded_quantity
        setattr(
            SubOrderRefundForm,
            f"line_{line.id}",
            IntegerField(
                line.product_name,
                validators=[Optional(), NumberRange(min=0, max=max(left, 0))],
                description=_l("%(n)d can still be refunded", n=max(left, 0)),
            ),
        )
    return SubOrderRefundForm(prefix=f"r{sub_order.id}", **kwargs)


class ResendForm(Form):
    audience = SelectField(
        _l("Send to"),
        choices=[
            SelectChoice("buyer", _l("The buyer: order confirmation and payment receipt")),
            SelectChoice("producers", _l("Each cooperative: its own part of the order")),
        ],
        default="buyer",
    )


class PayoutForm(Form):
    amount = IntegerField(
        _l("Amount paid (đồng)"),
        validators=[InputRequired(), NumberRange(min=1, max=MAX_MONEY_VND)],
    )
    bank_reference = StringField(
        _l("Bank reference"),
        validators=[DataRequired(), Length(max=120)],
        description=_l("The reference printed on the bank's transfer receipt."),
    )


class StatementForm(Form):
    class Meta:
        csrf = False  # a GET filter

    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("The end date is before the start date."))


class UserActiveForm(Form):
    active = HiddenField(validators=[DataRequired()])


class ConfirmForm(Form):
    """A bare CSRF-protected POST (verify, confirm transfer, resend, promote)."""

"""The voucher and sale forms, shared by the dashboard (a cooperative's own) and the admin
(the shop's). Fields carry raw values; services.create_voucher / update_voucher judge them."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from ..catalogue.ocop import GROUPS
from ..core.forms import Form
from ..core.validators import MAX_MONEY_VND
from .models import Voucher, VoucherKind, VoucherScope
from .services import VoucherTerms, utc_to_vn

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
_MONEY = NumberRange(min=0, max=MAX_MONEY_VND, message=_l("Enter an amount in whole đồng."))


class VoucherForm(Form):
    code = StringField(
        _l("Code"),
        validators=[Optional()],
        description=_l("Letters and digits, e.g. TET2027. Empty: applied automatically."),
    )
    kind = SelectField(
        _l("Discount"),
        choices=VoucherKind.choices(),
    )
    value = IntegerField(
        _l("Percentage, or amount off (đồng)"),
        validators=[Optional(), NumberRange(min=0, max=MAX_MONEY_VND)],
        description=_l("Not used for free shipping."),
    )
    max_discount = IntegerField(
        _l("At most (đồng)"), validators=[Optional(), _MONEY], description=_l("Empty: no cap.")
    )
    min_order = IntegerField(_l("Minimum order (đồng)"), default=0, validators=[Optional(), _MONEY])
    scope = SelectField(_l("Applies to"), choices=[])
    scope_producer_id = SelectField(_l("Cooperative"), choices=[], validate_choice=False)
    scope_group = SelectField(
        _l("OCOP group"),
        choices=[SelectChoice("", "—")] + [SelectChoice(k, v) for k, v in GROUPS.items()],
        validate_choice=False,
    )
    scope_stars = SelectField(
        _l("Star level"),
        choices=[SelectChoice("", "—")] + [SelectChoice(str(n), f"{n}★") for n in (3, 4, 5)],
        validate_choice=False,
    )
    product_ids = SelectMultipleField(_l("Products"), choices=[], coerce=int)
    starts_at = DateTimeLocalField(
        _l("Starts (Vietnam time)"),
        format=DATETIME_FORMAT,
        validators=[InputRequired(message=_l("Enter when the voucher starts."))],
    )
    ends_at = DateTimeLocalField(
        _l("Ends (Vietnam time)"), format=DATETIME_FORMAT, validators=[Optional()]
    )
    total_uses = IntegerField(
        _l("Total uses"),
        validators=[Optional(), NumberRange(min=1, max=10_000_000)],
        description=_l("Empty: no limit."),
    )
    per_buyer = IntegerField(
        _l("Uses per buyer"), default=1, validators=[Optional(), NumberRange(min=1, max=1000)]
    )
    show_on_product = BooleanField(_l("Show on product pages"))

    def setup(self, *, shop: bool, products: list, producers: list = ()):
        scopes = [s for s in VoucherScope if not (not shop and s is VoucherScope.PRODUCER)]
        self.scope.choices = VoucherScope.choices(scopes)
        self.product_ids.choices = [(p.id, p.name) for p in products]
        self.scope_producer_id.choices = [SelectChoice("", "—")] + [
            SelectChoice(str(p.id), p.name) for p in producers
        ]
        if not shop:
            del self.scope_producer_id
        return self

    def terms(self) -> VoucherTerms:
        producer_field = getattr(self, "scope_producer_id", None)
        return VoucherTerms(
            code=self.code.data or None,
            kind=self.kind.data,
            value=self.value.data,
            max_discount=self.max_discount.data or None,
            min_order=self.min_order.data or 0,
            scope=self.scope.data,
            scope_producer_id=_int_or_none(producer_field.data if producer_field else None),
            scope_group=self.scope_group.data or None,
            scope_stars=_int_or_none(self.scope_stars.data),
            product_ids=list(self.product_ids.data or []),
            starts_at=self.starts_at.data,
            ends_at=self.ends_at.data,
            total_uses=self.total_uses.data,
            per_buyer=self.per_buyer.data,
            show_on_product=bool(self.show_on_product.data),
        )

    def fill(self, voucher: Voucher) -> None:
        """The form shows the voucher's terms (GET of the edit page)."""
        self.code.data = voucher.code
        self.kind.data = voucher.kind.value
        self.value.data = voucher.percent if voucher.kind is VoucherKind.PERCENT else voucher.amount
        self.max_discount.data = voucher.max_discount
        self.min_order.data = voucher.min_order
        self.scope.data = voucher.scope.value
        if getattr(self, "scope_producer_id", None) is not None:
            self.scope_producer_id.data = str(voucher.scope_producer_id or "")
        self.scope_group.data = voucher.scope_group or ""
        self.scope_stars.data = str(voucher.scope_stars or "")
        self.product_ids.data = sorted(voucher.product_ids)
        self.starts_at.data = utc_to_vn(voucher.starts_at)
        self.ends_at.data = utc_to_vn(voucher.ends_at)
        self.total_uses.data = voucher.total_uses
        self.per_buyer.data = voucher.per_buyer
        self.show_on_product.data = voucher.show_on_product


def _int_or_none(raw):
    from ..core.validators import parse_id

    return parse_id(raw) if raw not in (None, "") else None


class SaleForm(Form):
    sale_price = IntegerField(
        _l("Sale price (đồng)"),
        validators=[Optional(), NumberRange(min=1, max=MAX_MONEY_VND)],
        description=_l("Empty: no sale."),
    )
    starts_at = DateTimeLocalField(
        _l("Starts (Vietnam time)"), format=DATETIME_FORMAT, validators=[Optional()]
    )
    ends_at = DateTimeLocalField(
        _l("Ends (Vietnam time)"), format=DATETIME_FORMAT, validators=[Optional()]
    )


class VoucherActionForm(Form):
    """Pause, resume, stop: nothing but the CSRF token."""

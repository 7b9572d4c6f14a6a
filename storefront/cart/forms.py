"""Cart forms carry the CSRF token and the raw fields; the services judge the values,
so a tampered or fractional quantity gets the same clear message wherever it comes from."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField
from wtforms.validators import InputRequired

from ..core.forms import Form


class AddToCartForm(Form):
    product_id = HiddenField(validators=[InputRequired(message=_l("Choose a product."))])
    quantity = StringField(
        _l("Quantity"), default="1", validators=[InputRequired(message=_l("Enter a quantity."))]
    )
    # Which variant (a size, a colour): radio buttons on the product page, no JavaScript
    # needed; may be left out for a product with a single form.
    variant_id = HiddenField()
    # Optional echoes of what the product page showed; when present they must match the database.
    price = HiddenField()
    currency = HiddenField()
    next = HiddenField()


class UpdateLineForm(Form):
    quantity = StringField(
        _l("Quantity"), validators=[InputRequired(message=_l("Enter a quantity."))]
    )


class CartActionForm(Form):
    """Remove a line, accept changes: nothing but the CSRF token."""


class VoucherForm(Form):
    """A voucher code typed by the buyer; the service normalises and judges it."""

    code = StringField(
        _l("Voucher code"), validators=[InputRequired(message=_l("Enter a voucher code."))]
    )
    next = HiddenField()

"""Dashboard forms: shape only. Rules (who may, what goes live) live in services.

Each form names its fields explicitly and the views hand services typed inputs
built from those fields only, so posting `featured`, `producer_id`, `status` or
`approved` has nothing to land on.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
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
)

from ..catalogue import ocop
from ..catalogue.certificates import CertificateInput
from ..catalogue.models import MAX_WEIGHT_GRAMS, OPTION_KINDS
from ..catalogue.products import ProductInput
from ..catalogue.variants import VariantInput
from ..core import places
from ..core.forms import Form
from ..core.validators import PlainText
from ..producers.applications import (
    DocumentUpload,
    LegalIdentity,
    ProfileInput,
)
from ..producers.banks import VIETQR_BANKS
from ..producers.inventory import MAX_STOCK
from ..producers.lifecycle import ProducerApplication
from ..producers.models import DocumentKind, ProducerKind, ProducerStatus, StockReason

PHONE_PATTERN = r"^\+?[0-9 .-]{8,20}$"

MONTHS = [
    SelectChoice("", _l("— none —")),
    *[SelectChoice(str(m), _l("Month %(m)d", m=m)) for m in range(1, 13)],
]

ADJUST_REASONS = {
    StockReason.HARVEST: _l("Harvest or production batch (adds units)"),
    StockReason.DAMAGE: _l("Damage or loss (removes units)"),
    StockReason.COUNT_CORRECTION: _l("Count correction (sets the number counted)"),
}


def _int_or_none(value):
    if value in (None, ""):
        return None
    return int(value)


def _with_blank(pairs) -> list[SelectChoice]:
    return [SelectChoice("", _l("Choose…"))] + [SelectChoice(v, label) for v, label in pairs]


def _text(value: str | None) -> str:
    return (value or "").strip()


class _ProducerProfileFields(Form):
    """The producer's public profile and contact, shared by the application and the
    producer's own profile page."""

    province_code = SelectField(
        _l("Province or city"),
        coerce=_int_or_none,
        validators=[DataRequired()],
        render_kw=places.FILTERABLE,
    )
    ward_code = SelectField(
        _l("Ward or commune"),
        coerce=_int_or_none,
        validate_choice=False,  # the service checks the ward belongs to the province
        validators=[Optional()],
        render_kw=places.FILTERABLE,
    )
    street = StringField(_l("Street, village (optional)"), validators=[Length(max=255)])
    historical_address = StringField(
        _l("Address before July 2025 (optional)"),
        validators=[Length(max=255)],
        description=_l("As printed on older certificates, e.g. huyện Đồng Văn, tỉnh Hà Giang."),
    )
    story = TextAreaField(_l("Your story (optional)"), validators=[Length(max=5000)])
    name_en = StringField(
        _l("Name in English (optional)"),
        validators=[Length(max=200)],
        description=_l("Shown to buyers who use the shop in English."),
        render_kw={"lang": "en"},
    )
    story_en = TextAreaField(
        _l("Your story in English (optional)"),
        validators=[Length(max=5000)],
        render_kw={"lang": "en"},
    )
    contact_name = StringField(_l("Contact person"), validators=[Length(max=120)])
    contact_phone = TelField(
        _l("Contact phone"),
        validators=[Optional(), Regexp(PHONE_PATTERN, message=_l("Enter a valid phone number."))],
    )
    contact_email = EmailField(
        _l("Contact email"), validators=[Optional(), Email(), Length(max=254)]
    )
    legal_name = StringField(
        _l("Legal name"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("As on the registration certificate, e.g. Hợp tác xã Mật ong Đồng Văn."),
    )
    registration_number = StringField(
        _l("Business or cooperative registration number"),
        validators=[DataRequired(), Length(max=40)],
    )
    tax_code = StringField(
        _l("Tax code"),
        validators=[DataRequired(), Length(max=14)],
        description=_l("10 digits (or 10-3 for a branch)."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )

    def _set_place_choices(self) -> None:
        self.province_code.choices = _with_blank(places.provinces())
        province = self.province_code.data
        self.ward_code.choices = _with_blank(places.wards(province) if province else [])

    def _identity(self) -> LegalIdentity:
        return LegalIdentity(
            legal_name=_text(self.legal_name.data),
            registration_number=_text(self.registration_number.data),
            tax_code=_text(self.tax_code.data),
        )


class BankAccountForm(Form):
    """The account payouts go to: at application, and when a producer asks for a change."""

    bank_bin = SelectField(
        _l("Bank"),
        choices=[SelectChoice("", _l("Choose your bank"))]
        + [SelectChoice(code, name) for code, name in VIETQR_BANKS],
        validate_choice=False,
        validators=[DataRequired(message=_l("Choose your bank from the list."))],
    )
    account = StringField(
        _l("Account number"),
        validators=[DataRequired(), Length(max=40)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    holder = StringField(
        _l("Account holder"),
        validators=[DataRequired(), Length(max=120)],
        description=_l("As the bank prints it, e.g. HTX MAT ONG DONG VAN."),
    )


class ApplyForm(_ProducerProfileFields, BankAccountForm):
    name = StringField(_l("Producer name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind of producer"), validators=[DataRequired()])
    registration_document = FileField(
        _l("Registration certificate"),
        validators=[FileRequired(_l("Upload your registration certificate (PDF or photo)."))],
        description=_l("PDF, JPEG, PNG or WebP."),
    )
    ocop_documents = MultipleFileField(
        _l("OCOP decisions and other papers (optional)"),
        description=_l("Up to 9 files: PDF, JPEG, PNG or WebP."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = ProducerKind.choices()
        self._set_place_choices()

    def to_input(self) -> ProducerApplication:
        return ProducerApplication(
            name=_text(self.name.data),
            kind=ProducerKind(self.kind.data),
            province_code=self.province_code.data,
            ward_code=self.ward_code.data,
            street=_text(self.street.data),
            historical_address=_text(self.historical_address.data),
            story=_text(self.story.data),
            name_en=_text(self.name_en.data),
            story_en=_text(self.story_en.data),
            contact_name=_text(self.contact_name.data),
            contact_phone=_text(self.contact_phone.data),
            contact_email=_text(self.contact_email.data),
            identity=self._identity(),
            bank_bin=self.bank_bin.data,
            bank_account=_text(self.account.data),
            bank_account_name=_text(self.holder.data),
        )

    def uploads(self) -> list[DocumentUpload]:
        first = self.registration_document.data
        found = [DocumentUpload(DocumentKind.BUSINESS_REGISTRATION, first.read(), first.filename)]
        for extra in self.ocop_documents.data or []:
            if extra and extra.filename:
                found.append(
                    DocumentUpload(DocumentKind.OCOP_DECISION, extra.read(), extra.filename)
                )
        return found


class ProfileForm(_ProducerProfileFields):
    """The producer's own profile. Name, kind and legal identity only while the application
    is open; the view removes them otherwise."""

    name = StringField(_l("Producer name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind of producer"), validators=[DataRequired()])

    @classmethod
    def for_producer(cls, producer, formdata=None):
        form = cls(formdata=formdata, obj=producer)
        if formdata is None:
            form.kind.data = producer.kind.value
        if producer.status is not ProducerStatus.PENDING:
            for name in ("name", "kind", "legal_name", "registration_number", "tax_code"):
                delattr(form, name)
        else:
            form.kind.choices = ProducerKind.choices()
        form._set_place_choices()
        return form

    def to_input(self) -> ProfileInput:
        is_open = "name" in self._fields
        return ProfileInput(
            story=_text(self.story.data),
            story_en=_text(self.story_en.data),
            name_en=_text(self.name_en.data),
            contact_name=_text(self.contact_name.data),
            contact_phone=_text(self.contact_phone.data),
            contact_email=_text(self.contact_email.data),
            province_code=self.province_code.data,
            ward_code=self.ward_code.data,
            street=_text(self.street.data),
            historical_address=_text(self.historical_address.data),
            name=_text(self.name.data) if is_open else None,
            kind=ProducerKind(self.kind.data) if is_open else None,
            identity=self._identity() if is_open else None,
        )


class ProducerPhotoForm(Form):
    photo = FileField(
        _l("Photo of your place or your people"),
        validators=[FileRequired(_l("Choose a photo to upload."))],
    )


class DocumentForm(Form):
    kind = SelectField(
        _l("Kind of document"),
        choices=DocumentKind.choices(),
        validators=[DataRequired()],
    )
    document = FileField(
        _l("File"), validators=[FileRequired(_l("Choose a PDF or a photo to upload."))]
    )

    def upload(self) -> DocumentUpload:
        data = self.document.data
        return DocumentUpload(DocumentKind(self.kind.data), data.read(), data.filename or "")


class ProductForm(Form):
    name = StringField(_l("Product name"), validators=[DataRequired(), Length(max=200)])
    group = SelectField(_l("OCOP group"), validators=[DataRequired()])
    subgroup = SelectField(
        _l("Subgroup (optional)"), validators=[Optional()], validate_choice=False
    )
    unit = StringField(
        _l("Unit"),
        validators=[DataRequired(), Length(max=60)],
        description=_l("What one purchase is, e.g. “hũ 500 ml” or “tấm 2 m”."),
    )
    price = IntegerField(
        _l("Price (đồng)"),
        validators=[DataRequired(), NumberRange(min=1, max=99_999_999)],
        render_kw={"inputmode": "numeric"},
    )
    description = TextAreaField(_l("Description (optional)"), validators=[Length(max=10000)])
    name_en = StringField(
        _l("Name in English (optional)"),
        validators=[Length(max=200)],
        description=_l("Shown to buyers who use the shop in English."),
        render_kw={"lang": "en"},
    )
    description_en = TextAreaField(
        _l("Description in English (optional)"),
        validators=[Length(max=10000)],
        render_kw={"lang": "en"},
    )
    made_to_order = BooleanField(_l("Made to order"))
    lead_time_days = IntegerField(
        _l("Lead time in days"),
        validators=[Optional(), NumberRange(min=1, max=365)],
        description=_l("Only for made-to-order products."),
        render_kw={"inputmode": "numeric"},
    )
    # Coerced to int so an edit form pre-selects the product's stored month.
    season_start_month = SelectField(
        _l("Season starts"), choices=MONTHS, coerce=_int_or_none, default=""
    )
    season_end_month = SelectField(
        _l("Season ends"), choices=MONTHS, coerce=_int_or_none, default=""
    )
    low_stock_threshold = IntegerField(
        _l("Low-stock alert at"),
        default=5,
        validators=[Optional(), NumberRange(min=0, max=100000)],
        render_kw={"inputmode": "numeric"},
    )
    initial_stock = IntegerField(
        _l("Units in stock now"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=MAX_STOCK)],
        render_kw={"inputmode": "numeric"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.group.choices = _with_blank(ocop.GROUPS.items())
        # One flat list (phones render optgroups poorly); data-group lets the script
        # show only the chosen group's subgroups.
        self.subgroup.choices = [SelectChoice("", _l("— none —"))] + [
            SelectChoice(code, f"{ocop.GROUPS[group]} › {label}", {"data-group": group})
            for group, subs in ocop.SUBGROUPS.items()
            for code, label in subs.items()
        ]

    def to_input(self) -> ProductInput:
        threshold = self.low_stock_threshold.data
        return ProductInput(
            name=_text(self.name.data),
            group=self.group.data,
            subgroup=self.subgroup.data or None,
            unit=_text(self.unit.data),
            price=self.price.data,
            description=_text(self.description.data),
            name_en=_text(self.name_en.data),
            description_en=_text(self.description_en.data),
            made_to_order=bool(self.made_to_order.data),
            lead_time_days=self.lead_time_days.data,
            season_start_month=self.season_start_month.data,
            season_end_month=self.season_end_month.data,
            low_stock_threshold=5 if threshold is None else threshold,
        )


class ImageForm(Form):
    photo = FileField(_l("Photo"), validators=[FileRequired(_l("Choose a photo to upload."))])
    alt = StringField(
        _l("Short description of the photo"),
        validators=[Length(max=200)],
        description=_l("Read aloud to blind buyers, e.g. “a jar of golden mint honey”."),
    )


class CertificateForm(Form):
    number = StringField(_l("Certificate number"), validators=[DataRequired(), Length(max=64)])
    stars = SelectField(
        _l("Stars"),
        choices=[SelectChoice(str(n), f"{n} ★") for n in (3, 4, 5)],
        validators=[DataRequired()],
    )
    issuing_authority = StringField(
        _l("Issuing authority, as printed"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("e.g. UBND tỉnh Hà Giang"),
    )
    decision_number = StringField(
        _l("Decision number"),
        validators=[DataRequired(), Length(max=64)],
        description=_l("e.g. 1234/QĐ-UBND"),
    )
    signed_on = DateField(_l("Date signed"), validators=[DataRequired()])
    scan = FileField(
        _l("Scan or photo of the certificate"),
        validators=[FileRequired(_l("Attach a photo or scan of the certificate."))],
        description=_l("JPEG, PNG or WebP. For a PDF, take a screenshot of the page."),
    )

    def to_input(self) -> CertificateInput:
        return CertificateInput(
            number=_text(self.number.data),
            stars=int(self.stars.data),
            issuing_authority=_text(self.issuing_authority.data),
            decision_number=_text(self.decision_number.data),
            signed_on=self.signed_on.data,
        )


class VariantForm(Form):
    """A variant's options and its own SKU, price and weight (stock moves on the stock page)."""

    volume = StringField(_l("Volume (optional)"), validators=[Length(max=40), PlainText()])
    weight = StringField(
        _l("Bag or pack (optional)"),
        validators=[Length(max=40), PlainText()],
        description=_l("e.g. 500 g, 1 kg."),
    )
    size = StringField(
        _l("Size (optional)"),
        validators=[Length(max=40), PlainText()],
        description=_l("e.g. S, M, L, XL."),
    )
    colour = StringField(_l("Colour (optional)"), validators=[Length(max=40), PlainText()])
    pattern = StringField(_l("Pattern (optional)"), validators=[Length(max=40), PlainText()])
    sku = StringField(
        _l("SKU"),
        validators=[DataRequired(message=_l("Enter a SKU.")), Length(max=64), PlainText()],
        description=_l("Your own code for this variant, e.g. AO-LANH-M. Unique in the shop."),
    )
    price = IntegerField(
        _l("Price (đồng)"),
        validators=[
            InputRequired(message=_l("Enter a price in đồng.")),
            NumberRange(
                min=1, max=99_999_999, message=_l("Enter a price from 1 to 99.999.999 đồng.")
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )
    weight_grams = IntegerField(
        _l("Weight with packaging (grams)"),
        validators=[
            InputRequired(message=_l("Enter the weight in grams.")),
            NumberRange(
                min=1,
                max=MAX_WEIGHT_GRAMS,
                message=_l("Enter a weight from 1 to 50.000 grams."),
            ),
        ],
        description=_l("Used to work out the shipping fee."),
        render_kw={"inputmode": "numeric"},
    )
    barcode = StringField(
        _l("Barcode (optional)"),
        validators=[
            Optional(),
            Regexp(r"^[0-9]{8,14}$", message=_l("A barcode is 8 to 14 digits (EAN or UPC).")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    low_stock_threshold = IntegerField(
        _l("Low-stock alert at"),
        default=2,
        validators=[Optional(), NumberRange(min=0, max=100000)],
        render_kw={"inputmode": "numeric"},
    )
    image_id = SelectField(_l("Photo (optional)"), coerce=_int_or_none, validate_choice=False)
    initial_stock = IntegerField(
        _l("Units in stock now"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=MAX_STOCK)],
        render_kw={"inputmode": "numeric"},
    )

    def __init__(self, *args, product=None, **kwargs):
        super().__init__(*args, **kwargs)
        images = product.images if product is not None else []
        self.image_id.choices = [SelectChoice("", _l("— the product's photos —"))] + [
            SelectChoice(image.id, _l("Photo %(n)d", n=n)) for n, image in enumerate(images, 1)
        ]

    def to_input(self) -> VariantInput:
        threshold = self.low_stock_threshold.data
        return VariantInput(
            sku=_text(self.sku.data),
            price=self.price.data,
            weight_grams=self.weight_grams.data,
            options={kind: _text(getattr(self, kind).data) for kind in OPTION_KINDS},
            barcode=_text(self.barcode.data) or None,
            low_stock_threshold=threshold if threshold is not None else 2,
            image_id=self.image_id.data,
        )

    def fill_from(self, variant) -> None:
        for option in variant.options or ():
            if option.get("kind") in OPTION_KINDS:
                getattr(self, option["kind"]).data = option.get("value")
        self.sku.data = variant.sku
        self.price.data = variant.price
        self.weight_grams.data = variant.weight_grams
        self.barcode.data = variant.barcode
        self.low_stock_threshold.data = variant.low_stock_threshold
        self.image_id.data = variant.image_id


class AdjustStockForm(Form):
    # Which variant's stock (shown when the product has several; the service checks it).
    variant_id = SelectField(_l("Variant"), coerce=_int_or_none, validate_choice=False)
    reason = SelectField(_l("Reason"), validators=[DataRequired()])
    quantity = IntegerField(
        _l("Units"),
        # InputRequired, not DataRequired: a count correction to zero is legitimate.
        validators=[
            InputRequired(message=_l("Enter a number of units.")),
            NumberRange(min=0, max=MAX_STOCK),
        ],
        render_kw={"inputmode": "numeric"},
    )
    note = StringField(_l("Note (optional)"), validators=[Length(max=255)])

    def __init__(self, *args, product=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = [SelectChoice(r.value, label) for r, label in ADJUST_REASONS.items()]
        variants = product.active_variants if product is not None else []
        self.variant_id.choices = [
            SelectChoice(v.id, f"{v.label or v.sku} ({v.sku}) · {v.stock_on_hand}")
            for v in variants
        ]


class ThresholdForm(Form):
    threshold = IntegerField(
        _l("Low-stock alert at"),
        validators=[InputRequired(), NumberRange(min=0, max=100000)],
        render_kw={"inputmode": "numeric"},
    )


class StockImportForm(Form):
    csv_file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])


class StockImportApplyForm(Form):
    # A hidden textarea, not <input type=hidden>: it keeps the file's line breaks.
    csv_text = TextAreaField(validators=[DataRequired()], render_kw={"hidden": True})


class ShipForm(Form):
    carrier = StringField(
        _l("Carrier"),
        validators=[DataRequired(), Length(max=60)],
        description=_l("e.g. Viettel Post, GHN, VNPost"),
    )
    tracking_number = StringField(
        _l("Tracking number"), validators=[DataRequired(), Length(max=60)]
    )


class DeliverForm(Form):
    cash_received = BooleanField(_l("The cash on delivery was received"))


class CancelForm(Form):
    reason = StringField(_l("Reason for cancelling"), validators=[DataRequired(), Length(max=255)])


class InviteForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])


class SwitchProducerForm(Form):
    producer_id = SelectField(_l("Producer"), coerce=int, validate_choice=False)


# ---------------------------------------------------------------- shipping


class ShippingProfileForm(Form):
    carrier = SelectField(_l("Carrier for your parcels"), choices=[], validate_choice=True)
    free_threshold = IntegerField(
        _l("Free shipping from (đồng)"),
        validators=[Optional(), NumberRange(min=0, max=2_000_000_000)],
        description=_l(
            "Leave empty for no free shipping. From this goods total you pay the parcel."
        ),
    )


class CarrierAccountForm(Form):
    """The credentials of one carrier's account; the fields depend on the carrier. Secrets
    are never shown again once saved (PasswordField does not echo its value)."""

    @classmethod
    def for_carrier(cls, carrier: str, **kwargs) -> "CarrierAccountForm":
        from wtforms import PasswordField

        from ..shipping import carriers

        fields = {}
        for name in carriers.MODULES[carrier].CREDENTIAL_FIELDS:
            required = carriers.REQUIRED_CREDENTIALS.get(name, True)
            kind = PasswordField if name in ("token", "password") else StringField
            fields[name] = kind(
                carriers.CREDENTIAL_LABELS[name],
                validators=[DataRequired() if required else Optional(), Length(max=500)],
            )
        form_class = type(f"{carrier.title()}AccountForm", (cls,), fields)
        return form_class(prefix=carrier, **kwargs)

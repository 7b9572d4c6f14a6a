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


def test_english_interface_shows_english_names_and_text_when_given(app, client):
    from tests.catalogue.factories_catalogue import ProducerFactory, make_product

    producer = ProducerFactory(
        name="HTX Mật ong", slug="htx", name_en="Honey Cooperative", story_en="Forty families."
    )
    make_certified(
        name="Mật ong bạc hà",
        slug="mat-ong",
        producer=producer,
        name_en="Mint honey",
        description_en="From wild mint flowers.",
    )
    make_product(name="Chè shan tuyết", slug="che", producer=producer)  # no English name
    db.session.commit()
    for path in ("/", "/products", "/products/mat-ong", "/producers", "/producers/htx"):
        vi = client.get(path).get_data(as_text=True)
        assert "Mint honey" not in vi and "Honey Cooperative" not in vi, path
    client.set_cookie("lang", "en")
    listing = client.get("/products").get_data(as_text=True)
    assert "Mint honey" in listing and "Chè shan tuyết" in listing  # Vietnamese when missing
    page = client.get("/products/mat-ong").get_data(as_text=True)
    assert "<h1>Mint honey</h1>" in page and "From wild mint flowers." in page
    assert "Honey Cooperative" in page
    producer_page = client.get("/producers/htx").get_data(as_text=True)
    assert "Honey Cooperative" in producer_page and "Forty families." in producer_page

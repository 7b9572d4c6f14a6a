"""The dashboard's Vietnamese catalogue is complete, current, and used."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "storefront/dashboard/translations/vi/LC_MESSAGES/messages.po"
SOURCES = [
    *sorted((ROOT / "storefront/dashboard").glob("*.py")),
    ROOT / "storefront/producers/statements.py",
    *sorted((ROOT / "templates/dashboard").glob("*.html")),
    ROOT / "templates/emails/dashboard_invitation.txt",
]
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _catalogue():
    with CATALOGUE.open("rb") as handle:
        return read_po(handle, locale="vi")


def _extracted() -> set[str]:
    found = set()
    for path in SOURCES:
        method = "python" if path.suffix == ".py" else "jinja2"
        for _lineno, message, _comments, _context in extract_from_file(
            method, str(path), keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_is_translated_with_the_same_placeholders():
    catalogue = _catalogue()
    for message in catalogue:
        if not message.id:
            continue
        assert message.string, f"untranslated: {message.id!r}"
        assert "fuzzy" not in message.flags, message.id
        assert sorted(PLACEHOLDER.findall(message.id)) == sorted(
            PLACEHOLDER.findall(message.string)
        ), message.id


def test_catalogue_covers_the_sources():
    known = {message.id for message in _catalogue() if message.id}
    missing = _extracted() - known
    assert not missing, f"run make i18n-update for the dashboard: {sorted(missing)}"


def test_pages_are_vietnamese_by_default(client, login_a):
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Tổng quan" in page and "Đơn cần xác nhận" in page
    client.set_cookie("lang", "en")
    assert "Orders to confirm" in client.get("/dashboard").get_data(as_text=True)

"""Vietnamese is the default and complete; English is one click away."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
METHOD_MAP = [("**.py", "python"), ("**.html", "jinja2"), ("**.txt", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _msgids_in_code() -> dict[str, str]:
    found = {}
    for folder in ("storefront", "templates"):
        # Babel skips folders starting with "_" by default; templates/_macros has strings too.
        for filename, _lineno, message, _comments, _context in extract_from_dir(
            ROOT / folder,
            METHOD_MAP,
            keywords=KEYWORDS,
            directory_filter=lambda path: not Path(path).name.startswith("."),
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid:
                found.setdefault(msgid, f"{folder}/{filename}")
    return found


def _translated_msgids() -> set[str]:
    translated = set()
    for po_path in ROOT.glob("storefront/translations/vi/LC_MESSAGES/messages.po"):
        with po_path.open("rb") as po_file:
            for message in read_po(po_file):
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                if message.id and all(strings):
                    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
                    translated.add(msgid)
    return translated


def test_every_visible_string_has_a_vietnamese_translation():
    translated = _translated_msgids()  # once: the catalogue has hundreds of entries
    missing = {
        msgid: where for msgid, where in _msgids_in_code().items() if msgid not in translated
    }
    hint = "Untranslated (run `make i18n-update`, then fill in storefront/translations/vi):\n"
    assert not missing, hint + "\n".join(
        f"  {where}: {msgid!r}" for msgid, where in sorted(missing.items(), key=lambda i: i[1])
    )


PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def test_translations_keep_their_placeholders_and_nothing_is_fuzzy():
    catalogue = ROOT / "storefront/translations/vi/LC_MESSAGES/messages.po"
    with catalogue.open("rb") as po_file:
        messages = [m for m in read_po(po_file) if m.id]
    for message in messages:
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        msgstr = message.string if isinstance(message.string, str) else message.string[0]
        assert "fuzzy" not in message.flags, msgid
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(msgstr)), msgid


def test_vietnamese_is_the_default_and_english_is_a_switch_away(client):
    home = client.get("/login").get_data(as_text=True)
    assert '<html lang="vi">' in home
    assert "Đăng nhập" in home

    response = client.post("/lang", data={"lang": "en", "next": "/login"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    english = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in english
    assert "Log in" in english

    client.post("/lang", data={"lang": "vi", "next": "/login"})
    assert "Đăng nhập" in client.get("/login").get_data(as_text=True)


def test_language_switch_ignores_unknown_languages_and_foreign_next(client):
    response = client.post("/lang", data={"lang": "fr", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    assert '<html lang="vi">' in client.get("/login").get_data(as_text=True)


def test_wtforms_messages_are_vietnamese(client):
    response = client.post("/login", data={"email": "", "password": ""})
    assert "Vui lòng điền mục này." in response.get_data(as_text=True)

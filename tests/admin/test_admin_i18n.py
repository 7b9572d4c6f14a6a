"""The admin catalogue translates every string of the admin's code, pages and emails."""

from pathlib import Path

from babel.messages.extract import extract_from_dir, extract_from_file

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
EMAILS = ["certificate_expiring.txt", "certificate_reviewed.txt", "producer_status.txt"]


def _admin_msgids() -> set[str]:
    found = set()

    def add(message):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.add(msgid)

    for folder, method in (("storefront/admin", "python"), ("templates/admin", "jinja2")):
        pattern = "**.py" if method == "python" else "**.html"
        for _f, _n, message, _c, _ctx in extract_from_dir(
            ROOT / folder, [(pattern, method)], keywords=KEYWORDS
        ):
            add(message)
    for name in EMAILS:
        for _n, message, _c, _ctx in extract_from_file(
            "jinja2", ROOT / "templates" / "emails" / name, keywords=KEYWORDS
        ):
            add(message)
    return found


def test_admin_pages_are_vietnamese_by_default(admin_client):
    html = admin_client.get("/admin/").get_data(as_text=True)
    assert "Tổng quan" in html and "Nhật ký thao tác" in html
    admin_client.set_cookie("lang", "en")
    assert "Audit log" in admin_client.get("/admin/").get_data(as_text=True)

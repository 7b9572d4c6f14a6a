"""The dashboard's Vietnamese catalogue is complete, current, and used."""

import re
from pathlib import Path

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


def test_pages_are_vietnamese_by_default(client, login_a):
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Tổng quan" in page and "Đơn cần xác nhận" in page
    client.set_cookie("lang", "en")
    assert "Orders to confirm" in client.get("/dashboard").get_data(as_text=True)

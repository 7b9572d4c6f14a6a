"""The admin's order page and audit log speak in words: no raw status code, timeline kind or
audit action, the audited object by its name, and times in Vietnam's time zone."""

import re
from datetime import datetime, timedelta

from .conftest import DESKTOP
from .journeys import add_honey, checkout_as_guest, login_admin, order_from_page, submit

ADMIN = ("admin@ocop.example", "admin-demo-2026")
RAW_TIMELINE = {"placed", "paid", "sub_order_confirmed", "expired", "refund"}
RAW_AUDIT = re.compile(r"\b[a-z_]+\.[a-z_]+\b|\b[a-z_]+ #\d+")
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def test_admin_order_page_and_audit_log_show_words_and_local_time(shop, open_tab):
    buyer = open_tab(shop, viewport=DESKTOP, name="buyer")
    buyer.goto("/", "home")
    add_honey(buyer, quantity=1)
    checkout_as_guest(buyer, "bank_transfer")
    number = order_from_page(buyer).number
    order_id = shop.query("SELECT id FROM orders WHERE number = ?", (number,))[0][0]

    admin = open_tab(shop, viewport=DESKTOP, name="admin")
    login_admin(admin, shop, *ADMIN)
    admin.goto(f"/admin/orders/{order_id}", "order")
    admin.page.once("dialog", lambda dialog: dialog.accept())
    submit(admin, "form[action$='/confirm-transfer'] button[type=submit]")
    admin.shot("order-paid")

    timeline = admin.page.locator("#order-timeline tbody")
    timeline.wait_for()
    events = [t.strip() for t in timeline.locator("tr td:nth-child(2)").all_inner_texts()]
    assert len(events) >= 2, events  # placed, then paid
    for text in events:
        assert text and text not in RAW_TIMELINE, events
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), events
    main = admin.page.locator("main").inner_text()
    assert not ISO_TIME.search(main), "a raw (UTC) timestamp on the order page"

    admin.goto("/admin/audit", "audit-log")
    row = admin.page.locator("table.audit-table tbody tr", has_text=number).first
    row.wait_for()
    cells = row.locator("td").all_inner_texts()
    when, action, obj = cells[0], cells[2], cells[3]
    assert not RAW_AUDIT.search(action), action
    assert number in obj and not RAW_AUDIT.search(obj), obj
    assert row.locator(f"td a[href$='/admin/orders/{order_id}']").count() == 1
    body = admin.page.locator("table.audit-table tbody").inner_text()
    assert not ISO_TIME.search(body), "a raw (UTC) timestamp in the audit log"

    stored = shop.query(
        "SELECT created_at FROM audit_events WHERE action = 'order.confirm_bank_transfer' "
        "AND object_id = ?",
        (str(order_id),),
    )[0][0]
    utc = datetime.fromisoformat(str(stored))
    vietnam = utc + timedelta(hours=7)
    assert vietnam.strftime("%H:%M") in when, (when, stored)
    assert utc.strftime("%H:%M") not in when, (when, stored)

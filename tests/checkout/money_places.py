"""Reads an order's money from every place that shows it, for the totals tests.

Each reader returns integer đồng parsed from what a person sees, so a test can
check that the order page, the account list, the admin pages, the cooperatives'
dashboards, packing slips and CSV exports and the buyer's last email agree.
"""

import csv
import io
import re

from storefront.mail import outbox
from storefront.money import format_vnd

AMOUNT = r"(-?[\d.]+)\xa0₫"


def parse_vnd(text: str) -> int:
    return int(text.replace(".", "").replace("\xa0₫", "").strip())


def _first(pattern: str, html: str) -> int:
    match = re.search(pattern, html, re.S)
    assert match, f"not found: {pattern}"
    return parse_vnd(match.group(1))


def order_page_total(client, order) -> int:
    html = client.get(f"/orders/{order.number}?token={order.access_token}").get_data(as_text=True)
    return _first(r'class="grand-total">' + AMOUNT, html)


def order_page_due(client, order) -> int:
    html = client.get(f"/orders/{order.number}?token={order.access_token}").get_data(as_text=True)
    match = re.search(r'class="amount-due"><strong>' + AMOUNT, html)
    return parse_vnd(match.group(1)) if match else 0


def order_page_refunded(client, order) -> int:
    html = client.get(f"/orders/{order.number}?token={order.access_token}").get_data(as_text=True)
    match = re.search(r'class="refunded-total">' + AMOUNT, html)
    return parse_vnd(match.group(1)) if match else 0


def _row_amount(html: str, number: str) -> int:
    row = re.search(re.escape(number) + r"</a>.*?</tr>", html, re.S)
    assert row, f"{number} not listed"
    return _first(r'<td class="num"[^>]*>' + AMOUNT, row.group(0))


def account_list_total(client, order) -> int:
    return _row_amount(client.get("/account/orders").get_data(as_text=True), order.number)


def admin_list_total(client, order) -> int:
    return _row_amount(client.get("/admin/orders").get_data(as_text=True), order.number)


def admin_detail_total(client, order) -> int:
    html = client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    return _first(r'class="grand-total"><strong>' + AMOUNT, html)


def dashboard_csv(client, sub_order) -> dict:
    text = client.get("/dashboard/orders/export.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    row = next(r for r in rows if r["sub_order_id"] == str(sub_order.id))
    return {"total": int(row["total"]), "due": int(row["amount_due"])}


def packing_slip_cod(client, sub_order) -> int:
    html = client.get(f"/dashboard/orders/{sub_order.id}/slip").get_data(as_text=True)
    match = re.search(r'class="slip-cod">[^<]*?' + AMOUNT, html)
    return parse_vnd(match.group(1)) if match else 0


def last_email_total(to: str) -> int:
    # The last email that states the order's total (an invitation to review does not).
    mine = [m for m in outbox() if m["To"] == to and "/reviews/new/" not in m.get_content()]
    assert mine, f"no email to {to}"
    body = mine[-1].get_content()
    match = re.search(r"(?:Tổng đơn hàng hiện tại|Order total now): " + AMOUNT, body)
    assert match, body
    return parse_vnd(match.group(1))


__all__ = ["format_vnd"]

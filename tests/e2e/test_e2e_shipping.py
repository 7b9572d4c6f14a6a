"""A cooperative connects GHN (the offline fake: the shop runs without live carriers),
the buyer sees the parcel's fee and delivery days before ordering, the cooperative books
the parcel with "Gửi hàng" and prints the label, GHN's tracking webhook says delivered,
and the buyer sees it with the tracking link, in words."""

import json
import sqlite3

import pytest

from .conftest import PHONE
from .journeys import (
    BUYER,
    HONEY_PRODUCER,
    TUYEN_QUANG,
    add_honey,
    order_from_page,
    search_mint_honey_4_stars,
    submit,
)

MEMBER = ("htx.matong@ocop.example", "htx-demo-2026")


@pytest.fixture
def ghn_connected(shop):
    """The honey cooperative's GHN account lasts for this journey only: the other journeys
    price its parcels with the shop's flat fee."""
    yield
    with sqlite3.connect(shop.db_path) as connection:
        connection.execute(
            "DELETE FROM carrier_accounts WHERE producer_id ="
            " (SELECT id FROM producers WHERE name = ?)",
            (HONEY_PRODUCER,),
        )
        connection.execute(
            "DELETE FROM shipping_profiles WHERE producer_id ="
            " (SELECT id FROM producers WHERE name = ?)",
            (HONEY_PRODUCER,),
        )


def test_cooperative_books_ghn_and_a_webhook_marks_it_delivered(shop, open_tab, ghn_connected):
    member = open_tab(shop, viewport=PHONE, name="member")
    member.login(*MEMBER)
    member.goto("/dashboard/shipping", "shipping-settings")
    member.assert_no_horizontal_scroll()
    member.page.fill("input[name='ghn-token']", "demo-ghn-token")
    member.page.fill("input[name='ghn-shop_id']", "885")
    submit(member, "#carrier-ghn form button[type=submit]")
    member.shot("ghn-connected")
    assert "demo-ghn-token" not in member.page.content()
    ((secret,),) = shop.query(
        "SELECT c.webhook_secret FROM carrier_accounts c JOIN producers p"
        " ON p.id = c.producer_id WHERE p.name = ? AND c.carrier = 'ghn'",
        (HONEY_PRODUCER,),
    )
    assert f"/webhooks/shipping/ghn/{secret}" in member.page.inner_text("main")

    buyer = open_tab(shop, viewport=PHONE, name="buyer")
    search_mint_honey_4_stars(buyer)
    add_honey(buyer, quantity=2)
    page = buyer.page
    buyer.goto("/checkout", "checkout")
    page.fill("input[name=name]", BUYER["name"])
    page.fill("input[name=phone]", BUYER["phone"])
    page.fill("input[name=email]", BUYER["email"])
    page.select_option("select[name=province]", TUYEN_QUANG)
    page.locator("select[name=ward] option:not([value=''])").first.wait_for(state="attached")
    ward = page.locator("select[name=ward] option:not([value=''])").first.get_attribute("value")
    page.select_option("select[name=ward]", ward)
    page.fill("input[name=street]", BUYER["street"])
    # The fee and the delivery days of the parcel, before the order is placed.
    submit(buyer, ".shipping-refresh button")
    buyer.shot("checkout-quoted")
    quote = page.locator(".parcel-quote").inner_text()
    assert "Giao Hàng Nhanh" in quote and "khoảng 1 ngày" in quote, quote
    page.check("input[name=payment_method][value=cod]")
    submit(buyer, "#checkout-form button[type=submit]:not([name])")
    order = order_from_page(buyer)

    member.goto("/dashboard/orders", "orders")
    entry = member.page.locator(".item-card", has_text=order.number)
    with member.page.expect_navigation():
        entry.locator("a.item-main").click()
    sub_order_id = int(member.page.url.rstrip("/").rsplit("/", 1)[-1])
    submit(member, "form[action$='/confirm'] button[type=submit]")
    submit(member, "form[action$='/pack'] button[type=submit]")
    member.shot("packed")
    submit(member, "form[action$='/book'] button[type=submit]")
    member.shot("booked")
    member.assert_no_horizontal_scroll()
    ((code, status),) = shop.query(
        "SELECT tracking_code, status FROM shipments WHERE producer_order_id = ?",
        (sub_order_id,),
    )
    assert status == "booked" and code.startswith("GHN")
    assert code in member.page.locator("#shipment").inner_text()
    label = member.page.request.get(shop.url(f"/dashboard/orders/{sub_order_id}/label"))
    assert label.status == 200 and label.body().startswith(b"%PDF")

    webhook = buyer.page.request.post(
        shop.url(f"/webhooks/shipping/ghn/{secret}"),
        data=json.dumps({"OrderCode": code, "Status": "delivered", "Time": "2026-12-03T08:30:00Z"}),
        headers={"Content-Type": "application/json"},
    )
    assert webhook.status == 200, webhook.text()
    assert shop.query(
        "SELECT status, cash_received FROM producer_orders WHERE id = ?", (sub_order_id,)
    ) == [("delivered", 1)]

    buyer.goto(order.url.replace(shop.base_url, ""), "order-delivered")
    section = buyer.page.locator("section.sub-order", has_text=HONEY_PRODUCER)
    text = section.inner_text()
    assert code in text
    assert "15:30" in text and "Đã giao" in text  # the carrier's event, in Vietnam time
    link = section.locator(".tracking a").get_attribute("href")
    assert link == f"https://donhang.ghn.vn/?order_code={code}"

"""A cooperative member sees the new sub-order, confirms it and ships it with a tracking
number; the buyer then sees the new status. Both on phones."""

from .conftest import PHONE
from .journeys import (
    HONEY,
    HONEY_PRODUCER,
    LINEN_PRODUCER,
    add_honey,
    add_linen,
    checkout_as_guest,
    order_from_page,
    search_mint_honey_4_stars,
    submit,
)

MEMBER = ("htx.matong@ocop.example", "htx-demo-2026")
CARRIER = "Viettel Post"
TRACKING = "VTP2026112900017"


def sub_order_section(tab, producer: str):
    return tab.page.locator("section.sub-order", has_text=producer)


def test_member_confirms_and_ships_and_the_buyer_sees_it(shop, open_tab):
    buyer = open_tab(shop, viewport=PHONE, name="buyer")
    search_mint_honey_4_stars(buyer)
    add_honey(buyer, quantity=2)
    add_linen(buyer)
    checkout_as_guest(buyer, "cod")
    order = order_from_page(buyer)

    member = open_tab(shop, viewport=PHONE, name="member")
    member.login(*MEMBER)
    member.goto("/dashboard", "dashboard")
    member.assert_no_horizontal_scroll()
    member.goto("/dashboard/orders", "dashboard-orders")
    member.assert_no_horizontal_scroll()
    entry = member.page.locator(".item-card", has_text=order.number)
    assert entry.count() == 1, "the new sub-order is listed once"
    with member.page.expect_navigation():
        entry.locator("a.item-main").click()
    member.shot("sub-order-new")
    member.assert_no_horizontal_scroll()
    text = member.page.locator("main").inner_text()
    assert HONEY in text
    # The cooperative sees its own part of the order, never the other cooperative's.
    assert LINEN_PRODUCER not in text and "lanh" not in text.lower()
    sub_order_id = int(member.page.url.rstrip("/").rsplit("/", 1)[-1])

    submit(member, "form[action$='/confirm'] button[type=submit]")
    member.shot("sub-order-confirmed")
    submit(member, "form[action$='/pack'] button[type=submit]")
    member.shot("sub-order-packed")
    member.page.fill("input[name=carrier]", CARRIER)
    member.page.fill("input[name=tracking_number]", TRACKING)
    submit(member, "form[action$='/ship'] button[type=submit]")
    member.shot("sub-order-shipped")
    assert shop.query(
        "SELECT status, carrier, tracking_number FROM producer_orders WHERE id = ?",
        (sub_order_id,),
    ) == [("shipped", CARRIER, TRACKING)]

    buyer.goto(order.url.replace(shop.base_url, ""), "order-shipped")
    honey = sub_order_section(buyer, HONEY_PRODUCER)
    assert TRACKING in honey.inner_text() and CARRIER in honey.inner_text()
    # The timeline is placed → confirmed → packed → shipped → delivered: the honey part
    # is at "shipped", the linen part is still at "placed".
    assert current_step(honey) == 3
    assert current_step(sub_order_section(buyer, LINEN_PRODUCER)) == 0
    assert TRACKING not in sub_order_section(buyer, LINEN_PRODUCER).inner_text()


def current_step(section) -> int:
    steps = section.locator(".timeline li")
    marks = [steps.nth(i).get_attribute("aria-current") for i in range(steps.count())]
    assert marks.count("step") == 1, marks
    return marks.index("step")

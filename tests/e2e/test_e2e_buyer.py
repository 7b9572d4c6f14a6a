"""The buyer on a 390×844 phone: search, filter, two cooperatives, guest checkout."""

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
    sub_order_names,
)


def test_guest_buys_honey_and_linen_cash_on_delivery(shop, open_tab):
    tab = open_tab(shop, viewport=PHONE)
    search_mint_honey_4_stars(tab)
    tab.assert_no_horizontal_scroll()
    add_honey(tab, quantity=2)
    tab.assert_no_horizontal_scroll()
    linen = add_linen(tab)
    tab.assert_no_horizontal_scroll()

    checkout_as_guest(tab, "cod")
    tab.shot("order-placed-cod")
    tab.assert_no_horizontal_scroll()

    order = order_from_page(tab)
    assert "token=" in order.url  # a guest's private link
    assert sorted(sub_order_names(tab)) == sorted([HONEY_PRODUCER, LINEN_PRODUCER])
    page_text = tab.page.locator("main").inner_text()
    assert HONEY in page_text and linen in page_text
    assert "Tuyên Quang" in page_text

    # What the page claims is what was stored.
    rows = shop.query(
        "SELECT po.producer_name, ol.product_name, ol.quantity FROM orders o "
        "JOIN producer_orders po ON po.order_id = o.id "
        "JOIN order_lines ol ON ol.producer_order_id = po.id WHERE o.number = ?",
        (order.number,),
    )
    assert (HONEY_PRODUCER, HONEY, 2) in rows, rows
    assert {row[0] for row in rows} == {HONEY_PRODUCER, LINEN_PRODUCER}
    assert shop.query(
        "SELECT payment_method, province_code FROM orders WHERE number = ?", (order.number,)
    ) == [("cod", 8)]

"""Issue 16's variants in Chromium: a guest picks an M and then an L of "Áo lanh nam" with the
radio buttons (they work with JavaScript off too), sees both in the cart and orders them."""

from .conftest import DESKTOP, PHONE
from .journeys import checkout_as_guest, order_from_page, submit


def _pick(page, size: str) -> None:
    choice = page.locator("label.variant-choice", has_text=f"Cỡ {size}")
    assert choice.count() == 1, size
    choice.locator("input[type=radio]").check()


def test_guest_orders_an_m_and_an_l_of_the_linen_shirt(shop, open_tab):
    tab = open_tab(shop, viewport=PHONE, name="variants")
    page = tab.page
    for size in ("M", "L"):
        tab.goto("/products/ao-lanh-nam", f"shirt-{size}")
        tab.assert_no_horizontal_scroll()
        _pick(page, size)
        submit(tab, "form.add-to-cart button[type=submit]")
    tab.shot("cart-m-and-l")
    cart = page.locator("main").inner_text()
    assert "Cỡ M" in cart and "Cỡ L" in cart, cart
    tab.assert_no_horizontal_scroll()

    checkout_as_guest(tab, "cod")
    order = order_from_page(tab)
    rows = shop.query(
        "SELECT ol.sku, ol.variant_label, ol.quantity FROM order_lines ol "
        "JOIN orders o ON o.id = ol.order_id WHERE o.number = ? ORDER BY ol.sku",
        (order.number,),
    )
    assert rows == [("AO-LANH-NAM-L", "Cỡ L", 1), ("AO-LANH-NAM-M", "Cỡ M", 1)]
    text = page.locator("main").inner_text()
    assert "Áo lanh nam (Cỡ M)" in text and "Áo lanh nam (Cỡ L)" in text


def test_the_size_links_and_radio_buttons_work_without_javascript(browser, shop):
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(shop.url("/products/hat-de-sang-tung"))
        with page.expect_navigation():
            page.locator(".variant-links a", has_text="Túi 2 kg").click()
        assert "variant=HAT-DE-2KG" in page.url
        assert "230.000" in page.locator(".product-price").inner_text()
        checked = page.locator("input[name=variant_id]:checked")
        assert checked.locator("xpath=..").inner_text().startswith("Túi 2 kg")
        with page.expect_navigation():
            page.click("form.add-to-cart button[type=submit]")
        assert "/cart" in page.url
        assert "Túi 2 kg" in page.locator("main").inner_text()
    finally:
        context.close()

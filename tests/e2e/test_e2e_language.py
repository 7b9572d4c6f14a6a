"""Language: Vietnamese by default, switch to English and back, on a phone."""

from .conftest import PHONE


def test_switch_to_english_and_back(shop, open_tab):
    tab = open_tab(shop, viewport=PHONE)
    tab.goto("/", "home-vi")
    page = tab.page
    assert page.get_attribute("html", "lang") == "vi"
    assert page.locator(".lang-switch button[value=vi]").get_attribute("aria-pressed") == "true"
    tab.assert_no_horizontal_scroll()

    tab.goto("/products?q=mat+ong", "listing-vi")
    tab.open_menu()  # on a phone the language switch is in the menu
    page.click(".lang-switch button[value=en]")
    page.wait_for_load_state("load")
    tab.shot("listing-en")
    assert page.get_attribute("html", "lang") == "en"
    # The switch keeps the buyer where they were, query included.
    assert page.url.endswith("/products?q=mat+ong")
    assert "Search" in page.inner_text("header")
    assert page.locator(".lang-switch button[value=en]").get_attribute("aria-pressed") == "true"

    tab.open_menu()
    page.click(".lang-switch button[value=vi]")
    page.wait_for_load_state("load")
    tab.shot("listing-vi-again")
    assert page.get_attribute("html", "lang") == "vi"
    assert "Tìm" in page.inner_text("header")
    assert page.url.endswith("/products?q=mat+ong")

"""Issue 18's phone findings, checked in Chromium at 390 px: the header menu and cart count,
stacked tables, the bank transfer copy buttons and saved QR, Vietnamese-ordered and
filterable address lists, and axe on every page the journey visits."""

import json
from urllib.parse import urlsplit

import pytest

from .conftest import ARTIFACTS, PHONE, Tab, axe_violations, logged_in_state
from .journeys import (
    BUYER,
    add_honey,
    login_admin,
    order_from_page,
    search_mint_honey_4_stars,
    submit,
)

ADMIN = ("admin@ocop.example", "admin-demo-2026")
MEMBER = ("htx.matong@ocop.example", "htx-demo-2026")
SCREENSHOTS = ARTIFACTS / "readme"


@pytest.fixture(scope="module")
def states(browser, shop):
    """Logged-in cookies, once per module (the login form is rate limited)."""
    context = browser.new_context(viewport=PHONE)
    try:
        # Admins need their second factor (set up on first login): the journey's own steps.
        tab = Tab(context.new_page(), ARTIFACTS / "phone-admin-login", shop.base_url)
        login_admin(tab, shop, *ADMIN)
        admin = context.storage_state()
    finally:
        context.close()
    return {"member": logged_in_state(browser, shop.base_url, *MEMBER), "admin": admin}


def inside_viewport(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1


def readme_shot(tab, name: str, locator=None, height: int | None = None) -> None:
    """A screenshot for the README (copied by hand into static/img/screenshots/)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = str(SCREENSHOTS / f"{name}.png")
    if locator is not None:
        locator.screenshot(path=path)
    else:
        clip = {"x": 0, "y": 0, "width": PHONE["width"], "height": height}
        tab.page.screenshot(path=path, clip=clip)


def assert_axe_clean(browser, url: str, storage_state=None, prepare=None) -> None:
    violations = axe_violations(
        browser, url, viewport=PHONE, storage_state=storage_state, prepare=prepare
    )
    assert not violations, f"{url}:\n" + json.dumps(violations, indent=2, ensure_ascii=False)


def test_phone_header_is_a_menu_with_a_cart_count(shop, open_tab, browser):
    tab = open_tab(shop, viewport=PHONE)
    tab.goto("/", "home")
    page = tab.page
    tab.assert_no_horizontal_scroll()
    nav_link = page.locator(".main-nav a", has_text="Sản phẩm")
    assert not nav_link.is_visible(), "the links fold into the menu on a phone"
    for part in ("a.brand", "a.header-cart", "summary.nav-toggle", "#site-search"):
        assert inside_viewport(page.locator(part)), part
    assert page.locator(".header-cart .cart-count").inner_text().split()[0] == "0"

    page.click("summary.nav-toggle")
    tab.shot("menu-open")
    links = page.locator(".main-nav a, .main-nav button")
    assert links.count() >= 3
    for index in range(links.count()):
        link = links.nth(index)
        assert link.is_visible() and inside_viewport(link), link.inner_text()
        assert link.bounding_box()["height"] >= 44, "tap targets of 44 px"
    assert page.locator(".lang-switch button[value=en]").is_visible()
    readme_shot(tab, "header-menu-phone", height=560)
    assert run_axe_here(browser, shop, open_menu=True) == []

    search_mint_honey_4_stars(tab)
    add_honey(tab, quantity=2)
    assert page.locator(".header-cart .cart-count").inner_text().split()[0] == "2"
    tab.assert_no_horizontal_scroll()


def run_axe_here(browser, shop, open_menu: bool) -> list:
    """axe on the home page with the phone menu open (a state the URL alone does not show)."""
    from .conftest import run_axe

    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(shop.url("/"))
        if open_menu:
            page.click("summary.nav-toggle")
        return run_axe(page)
    finally:
        context.close()


def test_stacked_cart_bank_transfer_copy_and_saved_qr(shop, open_tab, browser):
    tab = open_tab(shop, viewport=PHONE)
    tab.page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = tab.page
    search_mint_honey_4_stars(tab)
    add_honey(tab, quantity=2)

    # The cart: one stacked block per line, its total visible without scrolling sideways.
    tab.goto("/cart", "cart")
    tab.assert_no_horizontal_scroll()
    row = page.locator(".cart-table tbody tr").first
    assert row.evaluate("el => getComputedStyle(el).display") == "block"
    total = row.locator("td[data-label='Tổng cộng']")
    assert total.is_visible() and inside_viewport(total)
    assert "700.000" in total.inner_text()
    readme_shot(tab, "cart-stacked-phone", page.locator("main"))

    # Checkout: the ward list is in Vietnamese order and filters as one types.
    tab.goto("/checkout", "checkout")
    page.fill("input[name=name]", BUYER["name"])
    page.fill("input[name=phone]", BUYER["phone"])
    page.fill("input[name=email]", BUYER["email"])
    provinces = page.locator("select[name=province] option").all_inner_texts()
    assert provinces.index("Cà Mau") < provinces.index("Cao Bằng")
    hanoi = page.locator("select[name=province] option", has_text="Hà Nội").get_attribute("value")
    page.select_option("select[name=province]", hanoi)
    page.locator("select[name=ward] option", has_text="Phường Cầu Giấy").wait_for(state="attached")
    wards = page.locator("select[name=ward] option").all_inner_texts()
    assert wards.index("Phường Cầu Giấy") < wards.index("Phường Chương Mỹ")
    assert len(wards) > 100
    page.fill("#ward-filter", "cau giay")
    shown = page.locator("select[name=ward] option:not([value=''])").all_inner_texts()
    assert shown == ["Phường Cầu Giấy"], shown
    assert page.locator("select[name=ward]").input_value() != ""  # the one match is chosen
    tab.shot("ward-filtered")
    page.fill("input[name=street]", BUYER["street"])
    page.check("input[name=payment_method][value=bank_transfer]")
    submit(tab, "#checkout-form button[type=submit]:not([name])")
    order = order_from_page(tab)
    tab.shot("order-bank-transfer")
    tab.assert_no_horizontal_scroll()
    assert "Phường Cầu Giấy" in page.locator("main").inner_text()

    # Bank transfer: copy buttons for account, amount and reference, and a QR to save.
    buttons = page.locator("button.copy-button")
    assert buttons.count() == 3
    reference = order.number.replace("-", "")
    expected = ["0011004455667", "700000", reference]
    readme_shot(tab, "bank-transfer-phone", page.locator("section[aria-labelledby=bank-title]"))
    for index, value in enumerate(expected):
        button = buttons.nth(index)
        assert button.is_visible() and inside_viewport(button)
        button.click()
        assert page.evaluate("navigator.clipboard.readText()") == value
        assert button.inner_text().startswith("Đã sao chép")
    save = page.locator("a.save-qr")
    assert save.get_attribute("download") == f"VietQR-{order.number}.png"
    with page.expect_download() as download:
        save.click()
    assert download.value.suggested_filename == f"VietQR-{order.number}.png"
    with open(download.value.path(), "rb") as saved:
        assert saved.read(8) == b"\x89PNG\r\n\x1a\n"

    order_path = urlsplit(order.url)
    assert_axe_clean(browser, shop.url(f"{order_path.path}?{order_path.query}"))


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("member", "/dashboard"),
        ("member", "/dashboard/orders"),
        ("member", "/dashboard/payouts"),
        ("admin", "/admin/"),
        ("admin", "/admin/orders"),
        ("admin", "/admin/producers"),
        ("guest", "/producers/htx-mat-ong-bac-ha-dong-van"),
    ],
)
def test_phone_pages_pass_axe_and_fit(shop, browser, open_tab, states, who, path):
    state = states.get(who)
    assert_axe_clean(browser, shop.url(path), storage_state=state)
    tab = open_tab(shop, viewport=PHONE, name=who)
    if state:
        tab.page.context.add_cookies(state["cookies"])
    tab.goto(path, path.strip("/").replace("/", "-") or "home")
    tab.assert_no_horizontal_scroll()
    for row in tab.page.locator(".table-wrap tbody tr").all()[:5]:
        assert row.evaluate("el => getComputedStyle(el).display") == "block"


def test_dashboard_tabs_are_separate_words(shop, open_tab, states):
    state = states["member"]
    tab = open_tab(shop, viewport=PHONE, name="member")
    tab.page.context.add_cookies(state["cookies"])
    tab.goto("/dashboard", "dashboard")
    tabs = tab.page.locator(".dash-nav a")
    boxes = [tabs.nth(i).bounding_box() for i in range(tabs.count())]
    for left, right in zip(boxes, boxes[1:], strict=False):
        assert left["x"] + left["width"] <= right["x"] + 0.5, "tabs do not overlap"
    for i in range(tabs.count()):
        # A label breaks between words only: no word is split over two lines.
        words = tabs.nth(i).inner_text().split()
        assert all(
            tabs.nth(i).evaluate(
                "(el, w) => { const r = document.createRange(); const t = el.firstChild;"
                " const at = t.textContent.indexOf(w); r.setStart(t, at);"
                " r.setEnd(t, at + w.length); return r.getClientRects().length; }",
                word,
            )
            == 1
            for word in words
        ), words
    chart = tab.page.locator("svg.sales-chart text").all_inner_texts()
    assert "0,25" not in chart and "0.75" not in chart

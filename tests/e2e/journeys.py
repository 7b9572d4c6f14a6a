"""Steps a buyer takes, shared by the journeys. Each step leaves a screenshot behind."""

import re
from dataclasses import dataclass

HONEY = "Mật ong bạc hà Đồng Văn"
HONEY_PRODUCER = "HTX Mật ong bạc hà Đồng Văn"
LINEN_PRODUCER = "HTX Dệt lanh Lũng Cú"
TUYEN_QUANG = "8"

BUYER = {
    "name": "Trần Thị Mai",
    "phone": "0912 345 678",
    "email": "mai.tran@example.vn",
    "street": "Số 12, đường 17/8",
}


@dataclass
class PlacedOrder:
    number: str
    url: str  # the guest's private link (with its token)


def submit(tab, selector: str) -> None:
    with tab.page.expect_navigation():
        tab.page.click(selector)


def search_mint_honey_4_stars(tab) -> None:
    """Search "mat ong" from the header, then filter to 4★ and more."""
    page = tab.page
    tab.goto("/", "home")
    page.fill("#site-search", "mat ong")
    submit(tab, "form.header-search button[type=submit]")
    tab.shot("search-mat-ong")
    names = page.locator(".product-card-name").all_inner_texts()
    assert HONEY in names, names
    assert len(names) >= 2, "the 3★ jars should be found too before filtering"

    summary = page.locator(".filters-panel summary")
    if summary.count() and not page.locator(".filters-panel").get_attribute("open"):
        summary.click()
    submit(tab, ".filters-panel a[href*='stars=4']")
    tab.shot("filtered-4-stars")
    assert "stars=4" in page.url
    names = page.locator(".product-card-name").all_inner_texts()
    assert names == [HONEY], names


def add_honey(tab, quantity: int = 2) -> None:
    page = tab.page
    submit(tab, f".product-card-link:has-text('{HONEY}')")
    tab.shot("product-honey")
    assert page.locator("h1").inner_text().strip() == HONEY
    page.fill("#quantity", str(quantity))
    submit(tab, "form.add-to-cart button[type=submit]")
    tab.shot("cart-with-honey")


def add_linen(tab) -> str:
    """Find a hand-woven linen product from the Lũng Cú cooperative and add one."""
    page = tab.page
    page.fill("#site-search", "vải lanh")
    submit(tab, "form.header-search button[type=submit]")
    tab.shot("search-vai-lanh")
    card = page.locator(".product-card", has_text=LINEN_PRODUCER).first
    name = card.locator(".product-card-name").inner_text().strip()
    assert "lanh" in name.lower(), name
    with page.expect_navigation():
        card.locator(".product-card-link").click()
    tab.shot("product-linen")
    submit(tab, "form.add-to-cart button[type=submit]")
    tab.shot("cart-two-producers")
    cart = page.locator("main").inner_text()
    assert HONEY_PRODUCER in cart and LINEN_PRODUCER in cart, cart
    return name


def checkout_as_guest(tab, method: str) -> None:
    """Fill the checkout form with an address in Tuyên Quang and pick the payment method."""
    page = tab.page
    tab.goto("/checkout", "checkout")
    page.fill("input[name=name]", BUYER["name"])
    page.fill("input[name=phone]", BUYER["phone"])
    page.fill("input[name=email]", BUYER["email"])
    page.select_option("select[name=province]", TUYEN_QUANG)
    # checkout.js fetches the province's wards; the first real option is enough. (Not
    # wait_for_function: its polling evaluates a string, which the shop's CSP rightly blocks.)
    page.locator("select[name=ward] option:not([value=''])").first.wait_for(state="attached")
    ward = page.locator("select[name=ward] option:not([value=''])").first.get_attribute("value")
    page.select_option("select[name=ward]", ward)
    page.fill("input[name=street]", BUYER["street"])
    page.check(f"input[name=payment_method][value={method}]")
    tab.shot(f"checkout-filled-{method}")
    submit(tab, "#checkout-form button[type=submit]:not([name])")


def order_from_page(tab) -> PlacedOrder:
    heading = tab.page.locator("h1").inner_text()
    match = re.search(r"OCOP-\d{4}-\d{6}", heading)
    assert match, heading
    return PlacedOrder(match.group(0), tab.page.url)


def sub_order_names(tab) -> list[str]:
    return [text.strip() for text in tab.page.locator("section.sub-order h2").all_inner_texts()]


def _totp_code(secret: str, last_step: int | None) -> str:
    """A code the shop has not seen yet: a code is refused a second time inside its window."""
    import time

    import pyotp

    totp = pyotp.TOTP(secret)
    while True:
        step = totp.timecode(time.time())
        if last_step is None or step > last_step:
            return totp.generate_otp(step)
        if last_step == step:  # the next step is accepted already (one step of drift)
            return totp.generate_otp(step + 1)
        time.sleep(1)


def login_admin(tab, shop, email: str, password: str) -> None:
    """Log in as an administrator, setting up the second factor the first time (required
    before any admin page) and answering it with a fresh code afterwards."""
    page = tab.page
    tab.goto("/login", "admin-login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    submit(tab, "form[action$='/login'] button[type=submit]")
    if "/login/2fa" in page.url:
        secret, last_step = shop.query(
            "SELECT totp_secret, totp_last_step FROM users WHERE email = ?", (email,)
        )[0]
        tab.shot("admin-second-factor")
        page.fill("input[name=code]", _totp_code(secret, last_step))
        submit(tab, "form[action*='/login/2fa'] button[type=submit]")
        assert "/login" not in page.url, page.inner_text("main")
        return
    tab.goto("/admin/", "admin-sent-to-second-factor")
    assert "/account/2fa" in page.url, "an admin without a second factor must set it up first"
    secret = page.inner_text("#totp-secret").strip()
    page.fill("input[name=code]", _totp_code(secret, None))
    submit(tab, "form[action*='/account/2fa'] button[type=submit]")
    tab.shot("admin-recovery-codes")
    assert page.locator(".code-list code").count() == 10

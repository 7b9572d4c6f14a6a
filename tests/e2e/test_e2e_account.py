"""A buyer on a phone: signs up (with consent), forgets the password and resets it from the
outbox email, keeps an address book and sees the account pages fit a 390 px screen."""

import email
import re

from .conftest import PHONE
from .journeys import submit

PASSWORD = "mat-khau-dai-du-1"
NEW_PASSWORD = "mat-khau-moi-dai-2"


def newest_link_to(shop, to: str, path: str) -> str:
    for eml in sorted(shop.outbox.glob("*.eml"), reverse=True):
        message = email.message_from_bytes(eml.read_bytes())
        if message["To"] == to:
            body = message.get_payload(decode=True).decode()
            found = re.search(rf"https?://\S+{re.escape(path)}\S+", body)
            if found:
                return found.group(0)
    raise AssertionError(f"no email to {to} with {path}")


def test_buyer_resets_a_forgotten_password_and_keeps_addresses_on_a_phone(shop, open_tab):
    tab = open_tab(shop, viewport=PHONE, name="account")
    page = tab.page
    address = "lan.e2e@example.vn"

    tab.goto("/register", "register")
    page.fill("input[name=name]", "Lò Thị Lan")
    page.fill("input[name=email]", address)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=confirm]", PASSWORD)
    page.check("input[name=consent]")
    submit(tab, "form[action$='/register'] button[type=submit]")
    tab.shot("registered")
    verify = newest_link_to(shop, address, "/email/verify/")
    assert verify.startswith(shop.base_url)
    page.goto(verify)
    tab.shot("verified")
    tab.logout()

    tab.goto("/login", "login")
    submit(tab, "a[href$='/password/forgot']")
    tab.shot("forgot")
    tab.assert_no_horizontal_scroll()
    page.fill("input[name=email]", address)
    submit(tab, "form[action$='/password/forgot'] button[type=submit]")
    tab.shot("forgot-sent")
    link = newest_link_to(shop, address, "/password/reset/")
    assert link.startswith(shop.base_url + "/password/reset/")
    page.goto(link)
    tab.shot("reset-form")
    tab.assert_no_horizontal_scroll()
    page.fill("input[name=password]", NEW_PASSWORD)
    page.fill("input[name=confirm]", NEW_PASSWORD)
    submit(tab, "form[action*='/password/reset/'] button[type=submit]")
    tab.shot("reset-done")
    tab.login(address, NEW_PASSWORD)

    tab.goto("/account", "account")
    tab.assert_no_horizontal_scroll()
    assert "Các lần đăng nhập gần đây" in page.inner_text("main")
    tab.goto("/account/addresses/new", "address-new")
    page.fill("input[name=recipient_name]", "Lò Thị Lan")
    page.fill("input[name=phone]", "0912 345 678")
    page.select_option("select[name=province]", "8")
    # Not wait_for_function: its polling evaluates a string, which the shop's CSP blocks.
    page.locator("select[name=ward] option[value='721']").wait_for(state="attached")
    page.select_option("select[name=ward]", "721")
    page.fill("input[name=street]", "Thôn Lũng Cẩm")
    submit(tab, "form#address-form button.btn-primary")
    tab.shot("addresses")
    tab.assert_no_horizontal_scroll()
    assert "Thôn Lũng Cẩm" in page.inner_text("main")
    tab.goto("/account/2fa", "two-factor-setup")
    tab.assert_no_horizontal_scroll()
    assert page.locator(".totp-qr svg").count() == 1
    tab.goto("/policies/privacy", "privacy-policy")
    tab.assert_no_horizontal_scroll()

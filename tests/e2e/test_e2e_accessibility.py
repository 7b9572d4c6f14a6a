"""axe-core (vendored, see vendor/README.md) on the buyer's and the cooperative's main pages:
no serious or critical violations, on a phone and on a desktop."""

import json

import pytest

from .conftest import DESKTOP, PHONE, axe_violations, logged_in_state

MEMBER = ("htx.matong@ocop.example", "htx-demo-2026")
HONEY_SLUG = "mat-ong-bac-ha-dong-van"


@pytest.fixture(scope="module")
def member_state(browser, shop):
    return logged_in_state(browser, shop.base_url, *MEMBER)


def with_cart(shop):
    """Put a jar of honey in the context's cart, for the cart and checkout pages."""

    def prepare(page):
        page.goto(shop.url(f"/products/{HONEY_SLUG}"))
        with page.expect_navigation():
            page.click("form.add-to-cart button[type=submit]")

    return prepare


PAGES = [
    ("home", "/", None),
    ("listing", "/products?q=mat+ong&stars=4", None),
    ("product", f"/products/{HONEY_SLUG}", None),
    # Verified reviews with a histogram and a cooperative's reply (seeded).
    ("product-reviews", "/products/mat-ong-bac-ha-250ml?reviews=highest", None),
    ("wishlist", "/wishlist", None),
    ("cart", "/cart", "cart"),
    ("checkout", "/checkout", "cart"),
    ("dashboard", "/dashboard", "member"),
    ("dashboard-orders", "/dashboard/orders", "member"),
    ("dashboard-products", "/dashboard/products", "member"),
    ("dashboard-reviews", "/dashboard/reviews", "member"),
]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize(("name", "path", "needs"), PAGES, ids=[p[0] for p in PAGES])
def test_no_serious_accessibility_violations(
    browser, shop, member_state, name, path, needs, viewport
):
    violations = axe_violations(
        browser,
        shop.url(path),
        viewport=viewport,
        storage_state=member_state if needs == "member" else None,
        prepare=with_cart(shop) if needs == "cart" else None,
    )
    report = json.dumps(violations, indent=2, ensure_ascii=False)
    assert not violations, f"{name} ({path}):\n{report}"


def test_axe_does_report_a_broken_page(browser):
    """The control: the same harness flags an image without alt text and an unlabelled input."""
    from .conftest import run_axe

    context = browser.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        page.set_content(
            "<!doctype html><html lang='en'><head><title>broken</title></head><body><main>"
            "<img src='data:image/gif;base64,R0lGODlhAQABAAAAACw='><input type='text'>"
            "</main></body></html>"
        )
        rules = {violation["rule"] for violation in run_axe(page)}
    finally:
        context.close()
    assert {"image-alt", "label"} <= rules, rules

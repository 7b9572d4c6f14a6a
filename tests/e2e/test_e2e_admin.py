"""The admin verifies a pending certificate, features the product, then finds it on the home
page among the featured products (which only shows products with a valid certificate)."""

from .conftest import DESKTOP
from .journeys import login_admin, submit

ADMIN = ("admin@ocop.example", "admin-demo-2026")
PRODUCT = "Khăn thêu Sà Phìn"  # seeded with a certificate awaiting verification


def featured_names(tab) -> list[str]:
    section = tab.page.locator("section[aria-labelledby=featured-heading]")
    if section.count() == 0:
        return []
    return [n.strip() for n in section.locator(".product-card-name").all_inner_texts()]


def test_admin_verifies_a_certificate_and_features_the_product(shop, open_tab):
    visitor = open_tab(shop, viewport=DESKTOP, name="visitor")
    visitor.goto("/", "home-before")
    assert PRODUCT not in featured_names(visitor)

    admin = open_tab(shop, viewport=DESKTOP, name="admin")
    login_admin(admin, shop, *ADMIN)
    admin.goto("/admin/certificates?tab=pending", "certificates-pending")
    row = admin.page.locator("tbody tr", has_text=PRODUCT)
    assert row.count() == 1
    number = row.locator("td a").first.inner_text().strip()
    with admin.page.expect_navigation():
        row.locator("td a").first.click()
    admin.shot("certificate-detail")
    submit(admin, "form[action$='/verify'] button[type=submit]")
    admin.shot("certificate-verified")
    assert shop.query("SELECT status FROM certificates WHERE number = ?", (number,)) == [
        ("verified",)
    ]

    admin.goto("/admin/featured?q=" + "Khăn thêu", "featured-candidates")
    candidate = admin.page.locator("tbody tr", has_text=PRODUCT)
    assert candidate.count() == 1, "a verified, valid product can be featured"
    with admin.page.expect_navigation():
        candidate.locator("form[action$='/admin/featured'] button[type=submit]").click()
    admin.shot("featured")
    assert shop.query("SELECT featured FROM products WHERE name = ?", (PRODUCT,)) == [(1,)]

    admin.goto("/", "home-after-admin")
    assert PRODUCT in featured_names(admin), (
        "the admin featured it but the home page does not show it: featuring must bump the "
        "catalogue version (storefront/catalogue/cache.py) in its transaction"
    )
    visitor.goto("/", "home-after")
    assert PRODUCT in featured_names(visitor)
    card = visitor.page.locator(
        "section[aria-labelledby=featured-heading] .product-card", has_text=PRODUCT
    )
    assert card.locator(".ocop-badge").count() == 1  # its stars show now

"""The buyer types the demo shop voucher at checkout on a phone and pays cash on delivery."""

from .conftest import PHONE
from .journeys import add_honey, add_linen, checkout_as_guest, order_from_page, submit


def test_guest_applies_ocop10_at_checkout(shop, open_tab):
    tab = open_tab(shop, viewport=PHONE)
    page = tab.page
    tab.goto("/products?q=mat+ong", "voucher-search")
    add_honey(tab, quantity=1)
    add_linen(tab)

    tab.goto("/checkout", "voucher-checkout")
    page.fill("#voucher-code", " ocop10 ")  # odd case and spaces: the same code
    submit(tab, "form.voucher-form button[type=submit]")
    page.locator(".discount-total").wait_for(state="visible")
    tab.shot("voucher-applied")
    tab.assert_no_horizontal_scroll()
    assert "OCOP10" in page.locator(".voucher-applied").inner_text()

    checkout_as_guest(tab, "cod")
    order = order_from_page(tab)
    [(discount, grand, goods)] = shop.query(
        "SELECT o.discount_total, o.grand_total, SUM(ol.line_total) FROM orders o "
        "JOIN order_lines ol ON ol.order_id = o.id WHERE o.number = ? "
        "GROUP BY o.discount_total, o.grand_total",
        (order.number,),
    )
    assert discount == min(goods * 10 // 100, 50_000) > 0
    shares = shop.query(
        "SELECT SUM(po.goods_discount), SUM(po.total) FROM producer_orders po "
        "JOIN orders o ON o.id = po.order_id WHERE o.number = ?",
        (order.number,),
    )
    assert shares == [(discount, grand)]
    assert page.locator(".voucher-discount").first.is_visible()

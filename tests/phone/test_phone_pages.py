"""The rough edges found on a 390 px phone (issue 18), checked on the server's HTML.
The browser journeys (tests/e2e/test_e2e_phone.py) check the same pages in Chromium."""

import re
from datetime import date, timedelta

from storefront.core import places
from storefront.dashboard.charts import sales_chart
from storefront.dashboard.queries import DaySales
from storefront.extensions import db
from storefront.money import format_vnd_deduction
from storefront.orders.models import Order, PaymentStatus
from storefront.text import vietnamese_sort_key
from tests.checkout.factories_checkout import form_data
from tests.factories import ProducerMemberFactory, ProductFactory, variant_of

# ------------------------------------------------------------------ Vietnamese order


def _names(pairs):
    return [name for _code, name in pairs]


def test_provinces_follow_vietnamese_alphabetical_order():
    names = _names(places.provinces())
    assert names.index("Cà Mau") < names.index("Cao Bằng")
    assert names.index("Cao Bằng") < names.index("Điện Biên") < names.index("Gia Lai")
    # đ is a letter after d: no province starts with D, so Đ follows C directly.
    assert names.index("Cao Bằng") < names.index("Đắk Lắk")


def test_wards_sort_by_letters_then_tones_with_single_spaces():
    hanoi = next(code for code, name in places.provinces() if name.endswith("Hà Nội"))
    names = _names(places.wards(hanoi))
    assert names.index("Phường Cầu Giấy") < names.index("Phường Chương Mỹ")
    for province_code, _name in places.provinces():
        for _code, ward in places.wards(province_code):
            assert "  " not in ward and ward == ward.strip()
    hcm = next(code for code, name in places.provinces() if name.endswith("Hồ Chí Minh"))
    hcm_names = _names(places.wards(hcm))
    assert "Phường An Nhơn" in hcm_names
    assert hcm_names == sorted(hcm_names, key=vietnamese_sort_key)


def test_sort_key_orders_base_letters_before_tones():
    words = ["Chương Mỹ", "Cầu Giấy", "Cao Bằng", "Cà Mau", "Ca", "Đà Nẵng", "Dương"]
    assert sorted(words, key=vietnamese_sort_key) == [
        "Ca",
        "Cà Mau",
        "Cao Bằng",
        "Cầu Giấy",
        "Chương Mỹ",
        "Dương",
        "Đà Nẵng",
    ]
    # Same letters: the tone decides (none, huyền, hỏi, ngã, sắc, nặng).
    tones = ["ma", "mà", "mả", "mã", "má", "mạ"]
    assert sorted(["mạ", "má", "ma", "mã", "mả", "mà"], key=vietnamese_sort_key) == tones


def test_checkout_selects_can_be_filtered_and_are_marked_required(client):
    honey = ProductFactory()
    client.post("/cart/add", data={"product_id": honey.id, "quantity": 1})
    page = client.get("/checkout").get_data(as_text=True)
    for name in ("province", "ward"):
        select = re.search(rf'<select[^>]*name="{name}"[^>]*>', page).group(0)
        assert 'data-filter="Gõ để lọc danh sách"' in select
        assert 'aria-required="true"' in select
    for field_id in ("province", "ward", "street"):
        label = re.search(rf'<label for="{field_id}">.*?</label>\s*(<span[^>]*>\*</span>)?', page)
        assert label and label.group(1), f"{field_id} has no required mark"
    assert "Trường bắt buộc" in page
    assert 'src="/static/js/filter-select.js"' in page


# ------------------------------------------------------------------ header, icons, home


def test_header_menu_and_cart_count(client):
    page = client.get("/").get_data(as_text=True)
    assert '<details class="nav-menu">' in page and 'class="nav-toggle"' in page
    assert re.search(r'class="cart-count cart-count-empty">0<', page)
    honey = ProductFactory()
    client.post("/cart/add", data={"product_id": honey.id, "quantity": 3})
    page = client.get("/").get_data(as_text=True)
    count = re.search(
        r'class="cart-count">(\d+)<span class="visually-hidden"> ([^<]+)</span>', page
    )
    assert count and count.group(1) == "3" and count.group(2) == "sản phẩm"


def test_favicon_and_manifest(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/x-icon"
    assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200
    assert manifest.mimetype == "application/manifest+json"
    body = manifest.get_json()
    assert body["name"] == "Chợ OCOP" and body["display"] == "standalone"
    for icon in body["icons"]:
        served = client.get(icon["src"])
        assert served.status_code == 200 and served.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert 'rel="manifest"' in client.get("/").get_data(as_text=True)


def test_home_hides_groups_without_products(client):
    ProductFactory(group="food")
    page = client.get("/").get_data(as_text=True)
    groups = re.findall(r'href="/products\?group=(\w+)"', page)
    assert groups == ["food"]


# ------------------------------------------------------------------ cart, checkout, order


def test_cart_cells_carry_their_column_names(client):
    honey = ProductFactory()
    client.post("/cart/add", data={"product_id": honey.id, "quantity": 1})
    page = client.get("/cart").get_data(as_text=True)
    for label in ("Giá", "Số lượng", "Tổng cộng"):
        assert f'data-label="{label}"' in page


def test_checkout_with_changed_cart_leads_to_one_banner(client):
    honey = ProductFactory(price=100_000)
    client.post("/cart/add", data={"product_id": honey.id, "quantity": 1})
    variant_of(honey).price = 120_000
    db.session.commit()
    response = client.get("/checkout", follow_redirects=True)
    assert response.request.path == "/cart"
    page = response.get_data(as_text=True)
    assert page.count("flash-warning") == 1, "the cart's own banner, not a second flash"


def test_bank_transfer_copy_buttons_and_saved_qr(client):
    honey = ProductFactory(price=125_000)
    client.post("/cart/add", data={"product_id": honey.id, "quantity": 2})
    location = client.post("/checkout", data=form_data("bank_transfer")).headers["Location"]
    page = client.get(location).get_data(as_text=True)
    number = location.split("/")[2].split("?")[0]
    order = db.session.query(Order).filter_by(number=number).one()
    copies = re.findall(r'data-copy="([^"]+)"', page)
    assert copies == ["0011004455667", str(order.grand_total), order.transfer_reference]
    assert 'src="/static/js/order.js"' in page
    token = location.split("token=")[1]
    save = re.search(r'<a class="btn btn-small save-qr" href="([^"]+)" download="([^"]+)"', page)
    assert save and save.group(2) == f"VietQR-{number}.png"
    png = client.get(save.group(1).replace("&amp;", "&"))
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert "attachment" in png.headers["Content-Disposition"]
    assert client.get(f"/orders/{number}/transfer-qr.png").status_code == 404  # no token
    assert client.get(f"/orders/{number}/transfer-qr.png?token=x{token}").status_code == 404


def test_cash_orders_have_no_qr_png(client):
    honey = ProductFactory()
    client.post("/cart/add", data={"product_id": honey.id, "quantity": 1})
    location = client.post("/checkout", data=form_data("cod")).headers["Location"]
    number = location.split("/")[2].split("?")[0]
    token = location.split("token=")[1]
    assert client.get(f"/orders/{number}/transfer-qr.png?token={token}").status_code == 404


# ------------------------------------------------------------------ the cooperative's pages


def _chart_labels(svg: str) -> list[str]:
    return re.findall(r">([^<>]+)</text>", svg)


def _days(values):
    start = date(2026, 11, 1)
    return [DaySales(start + timedelta(days=i), r, u) for i, (r, u) in enumerate(values)]


def test_empty_chart_has_round_axes():
    labels = _chart_labels(str(sales_chart(_days([(0, 0)] * 30), "t", "r", "u")))
    revenue, units = labels[0:10:2], labels[1:10:2]
    assert revenue == ["200k", "150k", "100k", "50k", "0"]
    assert units == ["4", "3", "2", "1", "0"]


def test_chart_axes_share_the_languages_decimal_mark():
    days = _days([(1_500_000, 5), (375_000, 3)])
    vi = _chart_labels(str(sales_chart(days, "t", "r", "u", locale="vi")))
    en = _chart_labels(str(sales_chart(days, "t", "r", "u", locale="en")))
    assert vi[:10] == ["2 tr", "8", "1,5 tr", "6", "1 tr", "4", "0,5 tr", "2", "0", "0"]
    assert en[:10] == ["2M", "8", "1.5M", "6", "1M", "4", "0.5M", "2", "0", "0"]
    assert not any("." in label for label in vi[:10])


def test_deductions_never_show_minus_zero():
    assert format_vnd_deduction(0) == "0\u00a0₫"
    assert format_vnd_deduction(None) == "0\u00a0₫"
    assert format_vnd_deduction(8_000) == "\u22128.000\u00a0₫"


def test_paid_card_orders_carry_a_paid_badge_in_the_cooperatives_list(client, auth):
    member = ProducerMemberFactory()
    honey = ProductFactory(producer=member.producer)
    client.post("/cart/add", data={"product_id": honey.id, "quantity": 1})
    location = client.post("/checkout", data=form_data("bank_transfer")).headers["Location"]
    number = location.split("/")[2].split("?")[0]
    order = db.session.query(Order).filter_by(number=number).one()
    auth.login(member.user.email)
    listing = client.get("/dashboard/orders").get_data(as_text=True)
    assert "Đã thanh toán" not in listing
    order.payment_status = PaymentStatus.PAID
    db.session.commit()
    listing = client.get("/dashboard/orders").get_data(as_text=True)
    assert '<span class="pill pill-ok">Đã thanh toán</span>' in listing

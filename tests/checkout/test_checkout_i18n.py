from pathlib import Path

from tests.factories import ProductFactory

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = [
    ROOT / "storefront/cart/translations/vi/LC_MESSAGES/messages.po",
    ROOT / "storefront/orders/translations/vi/LC_MESSAGES/messages.po",
]


def test_pages_speak_vietnamese_by_default(client):
    honey = ProductFactory()
    assert "Giỏ hàng của bạn đang trống." in client.get("/cart").get_data(as_text=True)
    client.post("/cart/add", data={"product_id": honey.id, "quantity": 1})
    page = client.get("/checkout").get_data(as_text=True)
    assert "Địa chỉ giao hàng" in page and "Thanh toán khi nhận hàng" in page
    client.set_cookie("lang", "en")
    assert "Delivery address" in client.get("/checkout").get_data(as_text=True)

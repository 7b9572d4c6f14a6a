"""Helpers for the checkout tests: a sellable product, a filled cart, checkout form data."""

from storefront.cart import services as cart_services
from storefront.extensions import db
from storefront.orders.checkout import CheckoutDetails
from storefront.orders.models import PaymentMethod
from tests.factories import ProducerFactory, ProductFactory

PROVINCE = 8  # Tuyên Quang
WARD = 721  # Xã Đồng Văn


def product(**overrides):
    return ProductFactory(**overrides)


def cart_with(items: dict, user=None):
    """A cart holding {product: quantity}."""
    cart = (
        cart_services.get_or_create_user_cart(db.session, user)
        if user
        else cart_services.create_anonymous_cart(db.session)
    )
    for item, quantity in items.items():
        cart_services.add_item(db.session, cart, item.id, quantity)
    return cart


def details(method=PaymentMethod.COD, **overrides) -> CheckoutDetails:
    values = {
        "name": "Lò Thị Mai",
        "phone": "0912 345 678",
        "email": "mai@example.vn",
        "province_code": PROVINCE,
        "ward_code": WARD,
        "street": "Thôn Lũng Cẩm",
        "note": "",
        "payment_method": method,
        "locale": "vi",
    }
    values.update(overrides)
    return CheckoutDetails(**values)


def form_data(method="cod", **overrides) -> dict:
    data = {
        "name": "Lò Thị Mai",
        "phone": "0912 345 678",
        "email": "mai@example.vn",
        "province": str(PROVINCE),
        "ward": str(WARD),
        "street": "Thôn Lũng Cẩm",
        "note": "",
        "payment_method": method,
    }
    data.update(overrides)
    return data


__all__ = ["ProducerFactory", "product", "cart_with", "details", "form_data"]

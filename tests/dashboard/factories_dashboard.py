"""Orders, images and ledger rows for dashboard tests (the shared factories lack them)."""

import itertools
from io import BytesIO

from PIL import Image

from storefront.extensions import db
from storefront.models import (
    Order,
    OrderLine,
    PaymentMethod,
    PaymentStatus,
    ProducerOrder,
    ProductImage,
)
from storefront.producers import inventory
from tests.factories import variant_of, vid

_numbers = itertools.count(1)


def make_order(
    producer,
    items,
    payment_method=PaymentMethod.COD,
    payment_status=None,
    shipping_fee=30_000,
    commission_rate_bp=800,
    created_at=None,
):
    """An order with one sub-order for `producer`; items = [(product, qty)]. Stock is reserved."""
    if payment_status is None:
        payment_status = (
            PaymentStatus.COD if payment_method is PaymentMethod.COD else PaymentStatus.PAID
        )
    n = next(_numbers)
    subtotal = sum(product.price * qty for product, qty in items)
    order = Order(
        number=f"OCOP-TEST-{n:06d}",
        access_token=f"token-{n}",
        email=f"buyer{n}@example.vn",
        name=f"Người mua {n}",
        phone="0912345678",
        province_code=8,
        ward_code=721,
        street="Thôn Lũng Cẩm",
        payment_method=payment_method,
        payment_status=payment_status,
        items_total=subtotal,
        shipping_total=shipping_fee,
        grand_total=subtotal + shipping_fee,
    )
    if created_at is not None:
        order.created_at = created_at
    db.session.add(order)
    db.session.flush()
    sub_order = ProducerOrder(
        order=order,
        producer_id=producer.id,
        producer_name=producer.name,
        subtotal=subtotal,
        shipping_fee=shipping_fee,
        total=subtotal + shipping_fee,
        commission_rate_bp=commission_rate_bp,
    )
    if created_at is not None:
        sub_order.created_at = created_at
    db.session.add(sub_order)
    db.session.flush()
    for product, qty in items:
        db.session.add(
            OrderLine(
                order=order,
                producer_order=sub_order,
                product_id=product.id,
                variant_id=vid(product),
                sku=variant_of(product).sku,
                producer_id=producer.id,
                product_name=product.name,
                product_slug=product.slug,
                producer_name=producer.name,
                unit=product.unit,
                unit_price=product.price,
                quantity=qty,
                line_total=product.price * qty,
                made_to_order=product.made_to_order,
            )
        )
    db.session.flush()
    inventory.reserve(
        db.session,
        {vid(product): qty for product, qty in items if not product.made_to_order},
        producer_order_ids={vid(product): sub_order.id for product, _ in items},
    )
    db.session.flush()
    return sub_order


def make_image(product, name="b"):
    image = ProductImage(
        product=product, filename=f"products/{name}.jpg", thumb_filename=f"products/{name}-t.jpg"
    )
    db.session.add(image)
    db.session.flush()
    return image


def image_bytes(fmt="JPEG", size=(64, 48), mode="RGB") -> bytes:
    buffer = BytesIO()
    Image.new(mode, size, (200, 150, 30) if mode == "RGB" else (200, 150, 30, 128)).save(
        buffer, format=fmt
    )
    return buffer.getvalue()

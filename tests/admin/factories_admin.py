"""Admin test data: orders built directly (checkout is another feature's job) and helpers."""

import itertools
from datetime import datetime

from storefront.extensions import db
from storefront.models import (
    Order,
    OrderLine,
    PaymentMethod,
    PaymentStatus,
    ProducerOrder,
    SubOrderStatus,
)
from tests.factories import (
    AdminFactory,
    CertificateFactory,
    ProducerFactory,
    ProductFactory,
    UserFactory,
    variant_of,
)

_numbers = itertools.count(1)

__all__ = [
    "AdminFactory",
    "CertificateFactory",
    "ProducerFactory",
    "ProductFactory",
    "UserFactory",
    "make_order",
]


def make_order(
    items,
    method=PaymentMethod.COD,
    status=None,
    email="buyer@example.vn",
    phone="0912 345 678",
    province_code=1,
    ward_code=None,
    created_at: datetime | None = None,
    shipping_fee=30_000,
    reserve=True,
    sub_status=SubOrderStatus.PLACED,
) -> Order:
    """An order of [(product, quantity), ...], split per producer, stock reserved."""
    n = next(_numbers)
    if status is None:
        status = PaymentStatus.COD if method is PaymentMethod.COD else PaymentStatus.PENDING
    by_producer: dict[int, list] = {}
    for product, quantity in items:
        by_producer.setdefault(product.producer_id, []).append((product, quantity))
    order = Order(
        number=f"OCOP-2026-{n:06d}-{id(items) % 1000:03d}",
        access_token=f"token-{n}-{id(items)}",
        email=email,
        name="Trần Thị Mua",
        phone=phone,
        province_code=province_code,
        ward_code=ward_code or 0,
        street="12 Phố Cổ",
        payment_method=method,
        payment_status=status,
        items_total=0,
        shipping_total=0,
        grand_total=0,
        transfer_reference=f"OCOP{n:06d}{id(items) % 1000:03d}"
        if method is PaymentMethod.BANK_TRANSFER
        else None,
    )
    if created_at is not None:
        order.created_at = created_at
    items_total = shipping_total = 0
    for producer_id, lines in by_producer.items():
        subtotal = sum(p.price * q for p, q in lines)
        sub_order = ProducerOrder(
            producer_id=producer_id,
            producer_name=lines[0][0].producer.name,
            status=sub_status,
            subtotal=subtotal,
            shipping_fee=shipping_fee,
            total=subtotal + shipping_fee,
            commission_rate_bp=800,
        )
        order.sub_orders.append(sub_order)
        for product, quantity in lines:
            variant = variant_of(product)
            line = OrderLine(
                product_id=product.id,
                variant_id=variant.id,
                sku=variant.sku,
                producer_id=producer_id,
                product_name=product.name,
                product_slug=product.slug,
                producer_name=product.producer.name,
                unit=product.unit,
                unit_price=product.price,
                quantity=quantity,
                line_total=product.price * quantity,
                stars=4,
            )
            line.order = order
            sub_order.lines.append(line)
            if reserve:  # the variant holds the stock, the product its summary
                variant.stock_reserved += quantity
                product.stock_reserved += quantity
        items_total += subtotal
        shipping_total += shipping_fee
    order.items_total = items_total
    order.shipping_total = shipping_total
    order.grand_total = items_total + shipping_total
    db.session.add(order)
    db.session.flush()
    return order


def admin_user(**kwargs):
    return AdminFactory(**kwargs)


def customer(**kwargs):
    return UserFactory(**kwargs)

"""A product's price now. Written against anything with price, sale_price, sale_starts_at and
sale_ends_at. With variants (issue 16) the sale stays set on the product (one form, one sale
price for its lowest price) and variant_price_now applies it to each variant."""

from datetime import datetime

from ..clock import utcnow


def sale_running(item, now: datetime | None = None) -> bool:
    if item.sale_price is None or item.sale_starts_at is None:
        return False
    now = now or utcnow()
    if now < item.sale_starts_at:
        return False
    if item.sale_ends_at is not None and now >= item.sale_ends_at:
        return False
    return 0 <= item.sale_price < item.price


def price_now(item, now: datetime | None = None) -> int:
    return item.sale_price if sale_running(item, now) else item.price


def percent_off(price: int, sale_price: int) -> int:
    """The percentage shown beside a struck-through price, rounded down (never overstated)."""
    if price <= 0 or sale_price >= price:
        return 0
    return (price - sale_price) * 100 // price


def variant_price_now(variant, now: datetime | None = None) -> int:
    """A variant's price now. The sale is still set on the product (one sale price, for its
    lowest price, as before variants): while it runs, the variant whose price is the
    product's pays the sale price and every other variant gets the same share off, rounded
    down to the đồng (a 10% sale stays 10% on the 2 kg bag)."""
    product = variant.product
    if not sale_running(product, now) or product.price <= 0:
        return variant.price
    if variant.price == product.price:
        return product.sale_price
    return variant.price * product.sale_price // product.price

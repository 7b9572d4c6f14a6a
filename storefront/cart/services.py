"""Cart services: plain functions over a session and a cart; the caller commits.

Prices never come from the buyer: a line stores the price the buyer *saw*
(`price_seen`) only so the cart can flag a change; every total is computed from
the product row.
"""

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from ..catalogue.models import Product, ProductStatus, ProductVariant
from ..catalogue.products import sellable_product
from ..catalogue.queries import best_stars
from ..clock import VN_TZ, utcnow
from ..core.validators import DB_INT_MAX, parse_id, parse_int
from ..errors import NotFound, OutOfStock, ValidationFailed
from ..producers.models import Producer
from ..promotions import rules as promotion_rules
from ..promotions.pricing import variant_price_now
from .models import Cart, CartLine

# A shop for jars of honey, not a wholesale desk: a bigger order is a phone call.
MAX_LINE_QUANTITY = 99
CURRENCY = "VND"


@dataclass(frozen=True)
class ShippingPolicy:
    """One flat fee per producer parcel, waived from a goods subtotal threshold."""

    fee: int
    free_threshold: int

    @classmethod
    def from_config(cls, config) -> "ShippingPolicy":
        return cls(
            fee=config["SHIPPING_FEE_VND"], free_threshold=config["FREE_SHIPPING_THRESHOLD_VND"]
        )

    def fee_for(self, subtotal: int) -> int:
        if subtotal <= 0 or subtotal >= self.free_threshold:
            return 0
        return self.fee

    def price_groups(self, groups: list["ProducerGroup"]) -> None:
        """Set each producer parcel's fee. The checkout's routed policy (shipping.quotes)
        prices them by carrier, route and weight instead, once the buyer has chosen a ward."""
        for group in groups:
            group.shipping_fee = self.fee_for(group.subtotal)


# ---------------------------------------------------------------- finding carts


def new_token() -> str:
    return secrets.token_urlsafe(32)


def find_anonymous_cart(session: Session, token: str | None) -> Cart | None:
    if not token or len(token) > 64:
        return None
    return session.scalar(select(Cart).where(Cart.token == token, Cart.user_id.is_(None)))


def find_user_cart(session: Session, user) -> Cart | None:
    return session.scalar(select(Cart).where(Cart.user_id == user.id))


def get_or_create_user_cart(session: Session, user) -> Cart:
    cart = find_user_cart(session, user)
    if cart is None:
        cart = Cart(token=new_token(), user_id=user.id)
        session.add(cart)
        session.flush()
    return cart


def create_anonymous_cart(session: Session) -> Cart:
    cart = Cart(token=new_token())
    session.add(cart)
    session.flush()
    return cart


# ---------------------------------------------------------------- changing carts


def parse_quantity(raw) -> int:
    """Whole numbers from 1 to MAX_LINE_QUANTITY; anything else is refused with a message."""
    value = parse_int(raw, minimum=-DB_INT_MAX, maximum=DB_INT_MAX)
    if value is None:
        raise ValidationFailed(_l("Enter a whole number of items."))
    if value < 1:
        raise ValidationFailed(_l("The quantity must be at least 1."))
    if value > MAX_LINE_QUANTITY:
        raise ValidationFailed(
            _l("You can buy at most %(n)d of one product per order.", n=MAX_LINE_QUANTITY)
        )
    return value


def display_name(product: Product, variant: ProductVariant | None) -> str:
    """“Áo lanh nam (Cỡ M)”: the product's name and, when it has several forms, which one."""
    label = variant.label if variant is not None else ""
    return f"{product.name} ({label})" if label else product.name


def _check_stock(product: Product, variant: ProductVariant, quantity: int) -> None:
    if product.made_to_order:
        return
    name = display_name(product, variant)
    available = max(variant.available, 0)
    if available <= 0:
        raise OutOfStock(_l("Sorry, %(name)s is sold out.", name=name))
    if quantity > available:
        raise OutOfStock(
            _l(
                "Only %(n)d of %(name)s left; lower the quantity.",
                n=available,
                name=name,
            )
        )


def choose_variant(product: Product, variant_id=None) -> ProductVariant:
    """The variant a buyer picked, of this product and on sale. A product with one form needs
    no choice; an unknown, archived or other product's variant id is refused alike."""
    active = product.active_variants
    if variant_id in (None, ""):
        if len(active) == 1:
            return active[0]
        raise ValidationFailed(
            _l("Choose a size, colour or other option of %(name)s.", name=product.name)
        )
    wanted = parse_id(variant_id)
    variant = next((v for v in active if wanted is not None and v.id == wanted), None)
    if variant is None:
        raise NotFound(
            _l("This option of %(name)s is not available. Choose another.", name=product.name)
        )
    return variant


def _check_claimed_price(variant: ProductVariant, price=None, currency=None) -> None:
    """A form may echo the price it showed; if it does, it must be ours, in đồng."""
    if currency not in (None, "") and str(currency).strip().upper() != CURRENCY:
        raise ValidationFailed(_l("Prices are in Vietnamese đồng only. Nothing was changed."))
    if price in (None, ""):
        return
    if str(price).strip() != str(variant_price_now(variant)):
        raise ValidationFailed(
            _l("The price sent does not match our price. Nothing was changed; please try again.")
        )


def add_item(
    session: Session,
    cart: Cart,
    product_id,
    quantity,
    price=None,
    currency=None,
    now: datetime | None = None,
    variant_id=None,
) -> CartLine:
    quantity = parse_quantity(quantity)
    product = sellable_product(session, product_id)
    variant = choose_variant(product, variant_id)
    _check_claimed_price(variant, price, currency)
    line = next((line for line in cart.lines if line.variant_id == variant.id), None)
    new_quantity = quantity + (line.quantity if line else 0)
    if new_quantity > MAX_LINE_QUANTITY:
        raise ValidationFailed(
            _l("You can buy at most %(n)d of one product per order.", n=MAX_LINE_QUANTITY)
        )
    _check_stock(product, variant, new_quantity)
    if line is None:
        line = CartLine(
            product_id=product.id,
            variant_id=variant.id,
            quantity=new_quantity,
            price_seen=variant_price_now(variant),
        )
        cart.lines.append(line)
    else:
        line.quantity = new_quantity
        line.price_seen = variant_price_now(variant)
    cart.placed_order_id = None
    cart.updated_at = now or utcnow()
    session.flush()
    return line


def _own_line(cart: Cart, line_id) -> CartLine:
    line_id = parse_id(line_id)
    if line_id is None:
        raise NotFound(_l("That item is no longer in your cart."))
    line = next((line for line in cart.lines if line.id == line_id), None)
    if line is None:
        raise NotFound(_l("That item is no longer in your cart."))
    return line


def set_quantity(
    session: Session, cart: Cart, line_id, quantity, now: datetime | None = None
) -> CartLine:
    """Change a line's quantity. The buyer is looking at today's price: it becomes the seen one."""
    quantity = parse_quantity(quantity)
    line = _own_line(cart, line_id)
    product = sellable_product(session, line.product_id)
    variant = choose_variant(product, line.variant_id)
    _check_stock(product, variant, quantity)
    line.quantity = quantity
    line.price_seen = variant_price_now(variant)
    cart.updated_at = now or utcnow()
    session.flush()
    return line


def remove_line(session: Session, cart: Cart, line_id, now: datetime | None = None) -> None:
    line = _own_line(cart, line_id)
    cart.lines.remove(line)
    cart.updated_at = now or utcnow()
    session.flush()


def accept_changes(session: Session, cart: Cart, now: datetime | None = None) -> int:
    """The buyer reviewed the flags: take today's prices, drop what can no longer be bought,
    lower quantities to what is left, drop codes that no longer apply and take the current
    terms of the others. Returns how many lines changed."""
    summary = summarize(session, cart, ShippingPolicy(0, 0))
    changed = 0
    if cart.vouchers:
        dropped = {p.code for p in summary.pricing.problems if not p.changed}
        versions = {a.voucher.code: a.voucher.version for a in summary.pricing.applied}
        cart.vouchers = [
            {"code": entry["code"], "version": versions.get(entry["code"], entry.get("version"))}
            for entry in cart.vouchers
            if isinstance(entry, dict) and entry.get("code") not in dropped
        ] or None
        changed += len(dropped)
    for view in summary.all_lines:
        line = view.line
        if view.unavailable:
            cart.lines.remove(line)
            changed += 1
            continue
        if view.price_changed:
            line.price_seen = view.unit_price
            changed += 1
        if view.short_by:
            line.quantity = view.available
            changed += 1
    cart.updated_at = now or utcnow()
    session.flush()
    return changed


def lock(session: Session, cart: Cart, *also):
    """Hold the cart's row lock until the commit and reload it, so a second checkout of the
    same cart waits here and then sees what the first one left. One statement: any copy of
    its lines the session holds is expired, so the next read of the lines reloads them.
    `also`: more columns to read in the same statement (the checkout takes the order's id);
    returned."""
    session.flush()
    row = session.execute(
        select(Cart, *also)
        .where(Cart.id == cart.id)
        .with_for_update(of=Cart, key_share=True)
        .execution_options(populate_existing=True)
    ).one()
    session.expire(cart, ["lines"])
    for key, obj in list(session.identity_map.items()):
        if key[0] is CartLine and obj.__dict__.get("cart_id") == cart.id:
            session.expire(obj)
    return tuple(row[1:])


def consume(session: Session, cart: Cart, order_id: int) -> None:
    """Empty the cart into the order (under the cart's lock, see `lock`); refuses if
    there was nothing left to empty, so a cart cannot become two orders."""
    removed = session.execute(delete(CartLine).where(CartLine.cart_id == cart.id))
    if removed.rowcount == 0:
        raise ValidationFailed(_l("Your cart is empty."))
    cart.placed_order_id = order_id
    session.expire(cart, ["lines"])
    session.flush()


def merge_carts(session: Session, anonymous_token: str, user) -> None:
    """Merge the anonymous cart into the user's: quantities summed, capped at stock.

    The anonymous cart is consumed. Lines whose product can no longer be bought are dropped.
    """
    anonymous = find_anonymous_cart(session, anonymous_token)
    if anonymous is None:
        return
    target = find_user_cart(session, user)
    if target is None:
        # Adopt the cart as it is; only the owner changes.
        anonymous.user_id = user.id
        anonymous.token = new_token()
        session.flush()
        target, lines = anonymous, []
    else:
        lines = list(anonymous.lines)
    by_variant = {line.variant_id: line for line in target.lines}
    for line in lines:
        product = session.get(Product, line.product_id)
        variant = session.get(ProductVariant, line.variant_id)
        sellable = (
            product is not None
            and variant is not None
            and variant.is_active
            and product.status is ProductStatus.ACTIVE
            and product.producer.is_approved
        )
        if not sellable:
            continue
        existing = by_variant.get(variant.id)
        wanted = line.quantity + (existing.quantity if existing else 0)
        cap = (
            MAX_LINE_QUANTITY
            if product.made_to_order
            else min(variant.available, MAX_LINE_QUANTITY)
        )
        quantity = min(wanted, cap)
        if quantity <= 0:
            continue
        if existing is None:
            target.lines.append(
                CartLine(
                    product_id=product.id,
                    variant_id=variant.id,
                    quantity=quantity,
                    price_seen=line.price_seen,
                )
            )
        else:
            existing.quantity = quantity
    target.updated_at = utcnow()
    if anonymous is not target:
        session.delete(anonymous)
    session.flush()


# ---------------------------------------------------------------- reading carts


def buyer_key(user=None, email: str | None = None) -> str | None:
    """Who a voucher's per-buyer limit counts: the account, else the guest's e-mail."""
    if user is not None and getattr(user, "id", None) is not None:
        return f"user:{user.id}"
    email = (email or "").strip().lower()
    return email or None


@dataclass
class LineView:
    line: CartLine
    product: Product
    variant: ProductVariant
    quantity: int
    unit_price: int
    line_total: int
    price_changed: bool
    previous_price: int
    unavailable: bool  # archived, drafted or its producer suspended
    available: int
    short_by: int  # how many more than are left (0 if fine)
    list_price: int = 0  # the price without the sale (equal to unit_price when none runs)
    sale_ended: bool = False  # the buyer saw the sale price; the sale is over
    discount: int = 0  # the vouchers' share of this line
    shop_discount: int = 0
    variant_archived: bool = False  # the cooperative stopped selling this size/colour
    stars: int | None = None  # the product's OCOP stars today (Product.stars_on)

    @property
    def name(self) -> str:
        return display_name(self.product, self.variant)

    @property
    def weight_grams(self) -> int:
        """Grams per unit (the variant's, with packaging), as OrderLine.weight_grams."""
        return self.variant.weight_grams

    @property
    def on_sale(self) -> bool:
        return self.unit_price < self.list_price

    @property
    def has_problem(self) -> bool:
        return self.unavailable or self.price_changed or self.short_by > 0


@dataclass
class ProducerGroup:
    producer: Producer
    lines: list[LineView] = field(default_factory=list)
    subtotal: int = 0  # goods before vouchers
    shipping_fee: int = 0  # before vouchers
    goods_discount: int = 0
    shipping_discount: int = 0
    shop_goods_discount: int = 0
    shop_shipping_discount: int = 0

    @property
    def discount(self) -> int:
        return self.goods_discount + self.shipping_discount

    @property
    def paid_subtotal(self) -> int:
        return self.subtotal - self.goods_discount

    @property
    def paid_shipping(self) -> int:
        return self.shipping_fee - self.shipping_discount

    @property
    def total(self) -> int:
        """What the buyer pays for this parcel."""
        return self.paid_subtotal + self.paid_shipping


@dataclass
class CartSummary:
    groups: list[ProducerGroup]
    items_total: int
    shipping_total: int
    item_count: int
    pricing: promotion_rules.Pricing = field(default_factory=promotion_rules.Pricing)

    @property
    def discount_total(self) -> int:
        return self.pricing.total

    @property
    def grand_total(self) -> int:
        """What the buyer pays: never below zero, the allocation caps every share."""
        return max(self.items_total + self.shipping_total - self.discount_total, 0)

    @property
    def all_lines(self) -> list[LineView]:
        return [view for group in self.groups for view in group.lines]

    @property
    def has_problems(self) -> bool:
        return any(view.has_problem for view in self.all_lines) or bool(self.pricing.problems)

    @property
    def is_empty(self) -> bool:
        return not self.groups


def item_count(session: Session, cart: Cart | None) -> int:
    """How many units the cart holds (the header's badge)."""
    if cart is None or cart.id is None:
        return 0
    return session.scalar(
        select(func.coalesce(func.sum(CartLine.quantity), 0)).where(CartLine.cart_id == cart.id)
    )


def load_lines(session: Session, cart: Cart | None, with_images: bool = True) -> list[CartLine]:
    return [line for line, _stars in _lines_with_stars(session, cart, with_images, utcnow())]


def _lines_with_stars(
    session: Session, cart: Cart | None, with_images: bool, now: datetime
) -> list[tuple[CartLine, int | None]]:
    """The cart's lines with their products, variants and producers, and each product's
    stars on `now`'s date, in one statement (a cart is a few rows). The cart page also
    shows photos and badges: their rows come in one more statement each."""
    if cart is None or cart.id is None:
        return []
    product = contains_eager(CartLine.product)
    page = (
        (product.selectinload(Product.images), product.selectinload(Product.certificates))
        if with_images
        else ()
    )
    rows = session.execute(
        select(CartLine, best_stars(_vn_date(now)))
        .join(CartLine.product)
        .where(CartLine.cart_id == cart.id)
        .options(product.joinedload(Product.producer), joinedload(CartLine.variant), *page)
        .order_by(CartLine.id)
    )
    return [(line, stars) for line, stars in rows]


def _vn_date(now: datetime):
    return now.replace(tzinfo=UTC).astimezone(VN_TZ).date()


def summarize(
    session: Session,
    cart: Cart | None,
    shipping: ShippingPolicy,
    with_images: bool = True,
    *,
    buyer_key: str | None = None,
    now: datetime | None = None,
    extra_voucher=None,
) -> CartSummary:
    """The cart as the buyer should see it: grouped by producer, priced from the database
    (sale prices while they run), with its vouchers' discounts (promotions.rules)."""
    now = now or utcnow()
    groups: dict[int, ProducerGroup] = {}
    for line, stars in _lines_with_stars(session, cart, with_images, now):
        product, variant = line.product, line.variant
        price = variant_price_now(variant, now)
        variant_archived = not variant.is_active
        unavailable = (
            product.status is not ProductStatus.ACTIVE
            or not product.producer.is_approved
            or variant_archived
        )
        available = max(variant.available, 0)
        short_by = 0
        if not unavailable and not product.made_to_order and line.quantity > available:
            short_by = line.quantity - available
        view = LineView(
            line=line,
            product=product,
            variant=variant,
            quantity=line.quantity,
            unit_price=price,
            line_total=price * line.quantity,
            price_changed=price != line.price_seen,
            previous_price=line.price_seen,
            unavailable=unavailable,
            available=available,
            short_by=short_by,
            list_price=variant.price,
            sale_ended=(
                price > line.price_seen
                and product.sale_price is not None
                and line.price_seen < variant.price
            ),
            variant_archived=variant_archived,
            stars=stars,
        )
        group = groups.setdefault(product.producer_id, ProducerGroup(producer=product.producer))
        group.lines.append(view)
        if not unavailable:
            group.subtotal += view.line_total
    ordered = sorted(groups.values(), key=lambda g: g.producer.id)
    shipping.price_groups(ordered)
    summary = CartSummary(
        groups=ordered,
        items_total=sum(g.subtotal for g in ordered),
        shipping_total=sum(g.shipping_fee for g in ordered),
        item_count=sum(v.quantity for g in ordered for v in g.lines if not v.unavailable),
    )
    _apply_vouchers(session, cart, summary, buyer_key, now, extra_voucher)
    return summary


def _apply_vouchers(session, cart, summary: CartSummary, buyer_key, now, extra) -> None:
    views = {
        view.line.id: view
        for group in summary.groups
        for view in group.lines
        if not view.unavailable
    }
    priced = [
        promotion_rules.PricedLine(
            key=key,
            product=view.product,
            producer_id=view.product.producer_id,
            value=view.line_total,
            stars=view.stars,
        )
        for key, view in views.items()
    ]
    pricing = promotion_rules.price_cart(
        session,
        cart.vouchers if cart is not None else None,
        priced,
        {g.producer.id: g.shipping_fee for g in summary.groups},
        now,
        buyer_key=buyer_key,
        extra=extra,
    )
    summary.pricing = pricing
    for line in priced:
        views[line.key].discount = line.discount
        views[line.key].shop_discount = line.shop_discount
    for group in summary.groups:
        pid = group.producer.id
        group.goods_discount = pricing.goods_discount.get(pid, 0)
        group.shipping_discount = pricing.shipping_discount.get(pid, 0)
        group.shop_goods_discount = pricing.shop_goods_discount.get(pid, 0)
        group.shop_shipping_discount = pricing.shop_shipping_discount.get(pid, 0)

"""place_order: check everything first, then one atomic write (as django-oscar's OrderCreator).

In the caller's single transaction it locks the cart (a cart becomes one order,
however many times it is submitted), summarises and revalidates it against the database
(once: the view prices the page only when no order was placed), writes the Order, one
ProducerOrder per producer and the OrderLine snapshots, empties the cart, asks for the
order's emails (a task after the commit), and last reserves stock through inventory.reserve
(one conditional UPDATE for the variants in id order, then one for the products' sums), so
the hot rows stay locked only until the commit. The caller commits; any DomainError means the
caller rolls back and nothing was written or reserved.
"""

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import literal_column, null, select
from sqlalchemy.orm import Session

from ..auth.models import Address
from ..cart import services as cart_services
from ..cart.models import Cart
from ..clock import VN_TZ, utcnow
from ..core import places
from ..core.hooks import on_commit
from ..core.observability import ORDERS_PLACED
from ..errors import DomainError, PaymentError, ValidationFailed
from ..money import format_vnd
from ..producers import inventory
from ..promotions import services as promotion_services
from ..shipping import quotes as shipping_quotes
from . import emails, invoices
from .models import (
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    PaymentMethod,
    PaymentStatus,
    ProducerOrder,
)

# Stripe's limits for a VND charge: about US$0.50 at least, 8 digits at most.
CARD_MIN_VND = 13_000
CARD_MAX_VND = 99_999_999
PHONE_RE = re.compile(r"^\+?[0-9 .-]{8,20}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class OrderSettings:
    shipping: cart_services.ShippingPolicy
    commission_rate_bp: int
    bank_transfer_expiry: timedelta
    card_reservation: timedelta

    @classmethod
    def from_config(cls, config) -> "OrderSettings":
        return cls(
            shipping=cart_services.ShippingPolicy.from_config(config),
            commission_rate_bp=config["COMMISSION_RATE_BP"],
            bank_transfer_expiry=timedelta(hours=config["BANK_TRANSFER_EXPIRY_HOURS"]),
            card_reservation=timedelta(minutes=config["CARD_RESERVATION_MINUTES"]),
        )


@dataclass
class CheckoutDetails:
    name: str
    phone: str
    email: str
    province_code: int | None
    ward_code: int | None
    street: str
    payment_method: PaymentMethod
    note: str = ""
    locale: str = "vi"
    save_address: bool = False
    invoice: invoices.InvoiceDetails | None = None  # the buyer asked for a VAT invoice


class ShippingChanged(ValidationFailed):
    """The page showed other parcel fees than this address gets (its ward was chosen after
    the fees were shown): the buyer sees them before anything is ordered."""

    default_message = _l(
        "These are the shipping fees to this address: check them, then place the order."
    )


class CartAlreadyOrdered(DomainError):
    """The cart was already turned into an order: a double submit, or a retry after success."""

    default_message = _l("This cart was already ordered.")

    def __init__(self, order: Order):
        self.order = order
        super().__init__(_l("Your order %(number)s is already placed.", number=order.number))


def already_ordered(session: Session, cart: Cart | None) -> Order | None:
    """The order an emptied cart became, if it was emptied by placing one."""
    if cart is None or cart.placed_order_id is None or cart_services.load_lines(session, cart):
        return None
    return session.get(Order, cart.placed_order_id)


def validate_details(details: CheckoutDetails) -> None:
    """The same rules as the form, for callers that are not the form (CLI, bench, tests)."""
    if not details.name.strip() or len(details.name) > 120:
        raise ValidationFailed(_l("Enter the recipient's name."))
    if not PHONE_RE.match(details.phone.strip()):
        raise ValidationFailed(_l("Enter a valid phone number."))
    if not EMAIL_RE.match(details.email.strip()) or len(details.email) > 254:
        raise ValidationFailed(_l("Enter a valid email address."))
    if not places.is_valid_place(details.province_code, details.ward_code):
        raise ValidationFailed(_l("Choose a ward that belongs to the chosen province."))
    if not details.street.strip() or len(details.street) > 255:
        raise ValidationFailed(_l("Enter the street address."))
    if not isinstance(details.payment_method, PaymentMethod):
        raise ValidationFailed(_l("Choose a payment method."))
    if details.invoice is not None:
        invoices.validate(details.invoice)


def check_card_amount(amount: int) -> None:
    if amount < CARD_MIN_VND:
        raise PaymentError(
            _l(
                "Card payments need a total of at least %(min)s. Choose cash on delivery "
                "or bank transfer, or add more items.",
                min=format_vnd(CARD_MIN_VND),
            )
        )
    if amount > CARD_MAX_VND:
        raise PaymentError(
            _l(
                "Card payments are limited to %(max)s per order. Choose bank transfer "
                "or split the order.",
                max=format_vnd(CARD_MAX_VND),
            )
        )


def order_number(order_id: int, now: datetime) -> str:
    """OCOP-2026-000123: the id is unique, so the number is too, whatever the concurrency."""
    return f"OCOP-{vn_date(now).year}-{order_id:06d}"


def vn_date(now: datetime):
    return now.replace(tzinfo=UTC).astimezone(VN_TZ).date()


def _revalidate(cart_lines: cart_services.CartSummary) -> cart_services.CartSummary:
    """The cart the buyer saw must still be the cart we sell: same prices, still for sale."""
    if not cart_lines.groups:
        raise ValidationFailed(_l("Your cart is empty."))
    for problem in cart_lines.pricing.problems:
        raise ValidationFailed(
            _l(
                "Code %(code)s: %(reason)s Review your cart before ordering.",
                code=problem.code,
                reason=problem.message,
            )
        )
    for view in cart_lines.all_lines:
        if view.unavailable:
            raise ValidationFailed(
                _l(
                    "%(name)s is no longer available. Review your cart before ordering.",
                    name=view.name,
                )
            )
        if view.price_changed:
            raise ValidationFailed(
                _l(
                    "The price of %(name)s has changed. Review your cart before ordering.",
                    name=view.name,
                )
            )
        if view.quantity > cart_services.MAX_LINE_QUANTITY:
            raise ValidationFailed(
                _l(
                    "You can buy at most %(n)d of one product per order.",
                    n=cart_services.MAX_LINE_QUANTITY,
                )
            )
        if view.short_by:
            # Already too few as read: refused before anything is written (the buyers who
            # lose a rush for the last jars). Enough as read is only a hint: the stock's
            # conditional UPDATE decides.
            raise inventory.sold_out(view.name)
    return cart_lines


def _next_order_id(session: Session):
    """On PostgreSQL the order's id is drawn from its sequence in the cart's lock statement,
    so the INSERT carries the final number (no UPDATE after it); elsewhere NULL: the INSERT
    gives the id and the number follows."""
    if session.get_bind().dialect.name == "postgresql":
        return literal_column("nextval('orders_id_seq')")
    return null()


def variant_ids_of(group) -> tuple[int, ...]:
    return tuple(view.variant.id for view in group.lines)


def place_order(
    session: Session,
    cart: Cart,
    details: CheckoutDetails,
    *,
    user=None,
    now: datetime | None = None,
    settings: OrderSettings | None = None,
    shipping_seen: str | None = None,
) -> Order:
    """`shipping_seen`: the parcel fees' total the checkout page showed (a form field); when
    given, an order whose fees differ is refused with ShippingChanged."""
    now = now or utcnow()
    settings = settings or OrderSettings.from_config(current_app.config)
    validate_details(details)
    # One checkout per cart at a time: a twin submit waits for the lock, then finds the
    # cart emptied into the first one's order and is sent there.
    (order_id,) = cart_services.lock(session, cart, _next_order_id(session))
    placed = already_ordered(session, cart)
    if placed is not None:
        raise CartAlreadyOrdered(placed)
    buyer = cart_services.buyer_key(user, details.email)
    # Each parcel priced by its cooperative's carrier, route and weight (shipping.quotes).
    shipping = shipping_quotes.policy_for(
        session, settings.shipping, details.province_code, details.ward_code, current_app.config
    )
    summary = _revalidate(
        cart_services.summarize(
            session, cart, shipping, with_images=False, buyer_key=buyer, now=now
        )
    )
    if shipping_seen is not None and shipping_seen != str(summary.shipping_total):
        raise ShippingChanged()
    if details.payment_method is PaymentMethod.CARD:
        check_card_amount(summary.grand_total)

    order = Order(
        id=order_id,
        # With the id known (PostgreSQL) the number is final; otherwise a placeholder that is
        # unique per attempt, replaced once the INSERT gives the id.
        number=order_number(order_id, now) if order_id else f"TMP-{secrets.token_hex(10)}",
        access_token=secrets.token_urlsafe(32),
        user_id=user.id if user is not None else None,
        email=details.email.strip().lower(),
        name=details.name.strip(),
        phone=details.phone.strip(),
        province_code=details.province_code,
        ward_code=details.ward_code,
        street=details.street.strip(),
        note=(details.note or "").strip() or None,
        locale=details.locale if details.locale in ("vi", "en") else "vi",
        payment_method=details.payment_method,
        payment_status=PaymentStatus.PENDING,
        # What the buyer pays: goods and shipping after the vouchers (shown as their own line).
        items_total=sum(g.paid_subtotal for g in summary.groups),
        shipping_total=sum(g.paid_shipping for g in summary.groups),
        grand_total=summary.grand_total,
        discount_total=summary.discount_total,
        refunded_total=0,
        # Known to be empty: appending later loads nothing from the database.
        sub_orders=[],
        lines=[],
        payments=[],
        events=[],
    )
    if details.payment_method is PaymentMethod.COD:
        order.payment_status = PaymentStatus.COD  # confirmed at once, in the same INSERT
    session.add(order)
    if order_id is None:
        session.flush()
        order.number = order_number(order.id, now)
    if details.invoice is not None:
        invoices.request_invoice(session, order, details.invoice)

    names: dict[int, str] = {}
    to_reserve: dict[int, int] = {}
    sub_orders: dict[tuple[int, ...], ProducerOrder] = {}
    for group in summary.groups:
        producer = group.producer
        lead_times = [v.product.lead_time_days or 0 for v in group.lines if v.product.made_to_order]
        sub_order = ProducerOrder(
            order=order,
            producer_id=producer.id,
            producer_name=producer.name,
            subtotal=group.paid_subtotal,
            shipping_fee=group.paid_shipping,
            total=group.total,
            goods_discount=group.goods_discount,
            shipping_discount=group.shipping_discount,
            shop_goods_discount=group.shop_goods_discount,
            shop_shipping_discount=group.shop_shipping_discount,
            commission_rate_bp=(
                producer.commission_rate_bp
                if producer.commission_rate_bp is not None
                else settings.commission_rate_bp
            ),
            max_lead_time_days=max(lead_times) if lead_times else None,
            lines=[],
            **_quoted(getattr(shipping, "quotes", {}).get(producer.id)),
        )
        session.add(sub_order)
        sub_orders[variant_ids_of(group)] = sub_order
        for view in group.lines:
            product, variant = view.product, view.variant
            session.add(
                OrderLine(
                    order=order,
                    producer_order=sub_order,
                    product_id=product.id,
                    variant_id=variant.id,
                    sku=variant.sku,
                    variant_label=variant.label,
                    weight_grams=variant.weight_grams,
                    producer_id=producer.id,
                    product_name=product.name,
                    product_slug=product.slug,
                    producer_name=producer.name,
                    unit=product.unit,
                    unit_price=view.unit_price,
                    quantity=view.quantity,
                    line_total=view.line_total,
                    discount=view.discount,
                    shop_discount=view.shop_discount,
                    made_to_order=product.made_to_order,
                    lead_time_days=product.lead_time_days if product.made_to_order else None,
                    stars=view.stars,
                )
            )
            if not product.made_to_order:
                to_reserve[variant.id] = view.quantity
                names[variant.id] = view.name
    if details.payment_method is PaymentMethod.COD:
        payment = Payment(method=PaymentMethod.COD, provider="cod", status=PaymentStatus.COD)
    elif details.payment_method is PaymentMethod.BANK_TRANSFER:
        order.reservation_expires_at = now + settings.bank_transfer_expiry
        order.transfer_reference = order.number.replace("-", "")
        payment = Payment(method=PaymentMethod.BANK_TRANSFER, provider="bank")
    else:
        order.reservation_expires_at = now + settings.card_reservation
        payment = Payment(method=PaymentMethod.CARD, provider="stripe")
    payment.amount = order.grand_total
    payment.currency = "vnd"
    order.payments.append(payment)
    order.events.append(
        OrderEvent(
            kind="placed",
            message="",
            # "emails": written by that task after the commit (emails.sweep_placed_emails).
            data={"payment_method": details.payment_method.value, "emails": emails.PLACED_TASK},
            actor_id=user.id if user is not None else None,
        )
    )
    if user is not None and details.save_address:
        _remember_address(session, user, details)
    cart_services.consume(session, cart, order.id)
    session.flush()

    emails.announce_placed(order)
    on_commit(session, ORDERS_PLACED.labels(payment_method=order.payment_method.value).inc)

    # Stock and vouchers last: everything else is written first (one INSERT per table), so
    # the hot rows' locks, taken here, are held only until the commit that follows.
    session.flush()
    sub_order_ids: dict[int, int] = {}
    for variant_ids, sub_order in sub_orders.items():
        sub_order_ids.update(dict.fromkeys(variant_ids, sub_order.id))
    # The one place stock is checked for real: the UPDATE's WHERE decides, not the summary.
    inventory.reserve(session, to_reserve, names, sub_order_ids)
    # Each voucher's use is taken here, in the order's transaction, by a conditional UPDATE
    # (after the stock's row locks, as every other writer takes them: no deadlock).
    promotion_services.take_uses(
        session,
        order,
        summary.pricing,
        {g.producer.id: sub_orders[variant_ids_of(g)] for g in summary.groups},
        buyer,
        now,
    )
    return order


def _quoted(quote) -> dict:
    """What the buyer was quoted for the parcel, kept on its sub-order."""
    if quote is None:
        return {}
    return {
        "shipping_carrier": quote.carrier,
        "shipping_service": quote.service,
        "quoted_shipping_fee": quote.fee,
        "shipping_eta_days": quote.eta_days,
        "parcel_weight_grams": quote.weight_grams,
        "shipping_review": quote.needs_review,
    }


def _remember_address(session: Session, user, details: CheckoutDetails) -> None:
    existing = session.scalars(select(Address).where(Address.user_id == user.id)).all()
    for address in existing:
        same = (
            address.province_code == details.province_code
            and address.ward_code == details.ward_code
            and address.street.strip().lower() == details.street.strip().lower()
        )
        if same:
            return
    session.add(
        Address(
            user_id=user.id,
            recipient_name=details.name.strip(),
            phone=details.phone.strip(),
            province_code=details.province_code,
            ward_code=details.ward_code,
            street=details.street.strip(),
            is_default=not existing,
        )
    )

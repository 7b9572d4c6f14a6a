"""factory_boy factories bound to db.session. Passwords are all DEFAULT_PASSWORD."""

import dataclasses
from datetime import timedelta

import factory
from werkzeug.security import generate_password_hash

from storefront.clock import today_vn, utcnow
from storefront.extensions import db
from storefront.models import (
    Certificate,
    CertificateStatus,
    MemberRole,
    Order,
    PaymentMethod,
    Producer,
    ProducerKind,
    ProducerMember,
    ProducerStatus,
    Product,
    ProductStatus,
    User,
    UserRole,
)

DEFAULT_PASSWORD = "correct-horse-battery"
# scrypt is slow by design (about 0.1 s a check at the app's default cost), and every login in
# a test checks this hash: the same algorithm at a low cost factor. check_password_hash reads
# the cost from the hash, so the app's own hashing (registration, password change) is unchanged.
_DEFAULT_HASH = generate_password_hash(DEFAULT_PASSWORD, method="scrypt:1024:8:1")


class BaseFactory(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.vn")
    name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    password_hash = _DEFAULT_HASH
    role = UserRole.CUSTOMER


# Administrators must use a second factor; factory admins have one already set up.
ADMIN_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class AdminFactory(UserFactory):
    role = UserRole.ADMIN
    totp_secret = ADMIN_TOTP_SECRET
    totp_enabled_at = factory.LazyFunction(utcnow)


class ProducerFactory(BaseFactory):
    class Meta:
        model = Producer

    name = factory.Sequence(lambda n: f"HTX Thử nghiệm {n}")
    slug = factory.Sequence(lambda n: f"htx-thu-nghiem-{n}")
    kind = ProducerKind.COOPERATIVE
    status = ProducerStatus.APPROVED
    story = "Hợp tác xã thử nghiệm."
    province_code = 8  # Tuyên Quang
    ward_code = 721  # Xã Đồng Văn
    historical_address = "huyện Đồng Văn, tỉnh Hà Giang"


class ProducerMemberFactory(BaseFactory):
    class Meta:
        model = ProducerMember

    producer = factory.SubFactory(ProducerFactory)
    user = factory.SubFactory(UserFactory, role=UserRole.PRODUCER)
    role = MemberRole.OWNER


class ProductFactory(BaseFactory):
    class Meta:
        model = Product

    producer = factory.SubFactory(ProducerFactory)
    name = factory.Sequence(lambda n: f"Sản phẩm thử {n}")
    slug = factory.Sequence(lambda n: f"san-pham-thu-{n}")
    group = "food"
    subgroup = "raw_preprocessed"
    description = "Mô tả sản phẩm."
    unit = "hũ 500 ml"
    price = 250_000
    stock_on_hand = 20
    stock_reserved = 0
    low_stock_threshold = 3
    status = ProductStatus.ACTIVE


class CertificateFactory(BaseFactory):
    """Verified and valid today unless told otherwise."""

    class Meta:
        model = Certificate

    product = factory.SubFactory(ProductFactory)
    number = factory.Sequence(lambda n: f"OCOP-TEST-{n:05d}")
    stars = 4
    issuing_authority = "UBND tỉnh Hà Giang"
    decision_number = factory.Sequence(lambda n: f"{n}/QĐ-UBND")
    signed_on = factory.LazyFunction(lambda: today_vn() - timedelta(days=200))
    valid_until = factory.LazyAttribute(lambda o: Certificate.default_valid_until(o.signed_on))
    status = CertificateStatus.VERIFIED
    # Only a certificate with its scan can be verified; tests that need none say so.
    scan_filename = factory.Sequence(lambda n: f"certificates/scan-{n:05d}.jpg")


def place_test_order(
    items,
    *,
    method: PaymentMethod = PaymentMethod.COD,
    user=None,
    shipping_fee: int | None = None,
    commission_rate_bp: int | None = None,
    **details,
) -> Order:
    """An order of [(product, quantity), ...] placed through the real checkout: a cart, then
    orders.checkout.place_order. It is split per producer, its stock reserved, its lines
    snapshotted and its totals computed as the shop computes them (flushed, not committed).

    shipping_fee: a flat fee per producer parcel, never waived (default: the app's policy).
    Any CheckoutDetails field (name, email, phone, province_code, ...) may be given.
    """
    from flask import current_app

    from storefront.cart import services as cart_services
    from storefront.orders.checkout import CheckoutDetails, OrderSettings, place_order

    cart = (
        cart_services.get_or_create_user_cart(db.session, user)
        if user is not None
        else cart_services.create_anonymous_cart(db.session)
    )
    for product, quantity in items:
        cart_services.add_item(db.session, cart, product.id, quantity)
    settings = OrderSettings.from_config(current_app.config)
    if shipping_fee is not None:
        flat = cart_services.ShippingPolicy(fee=shipping_fee, free_threshold=10**12)
        settings = dataclasses.replace(settings, shipping=flat)
    if commission_rate_bp is not None:
        settings = dataclasses.replace(settings, commission_rate_bp=commission_rate_bp)
    values = {
        "name": "Lò Thị Mai",
        "phone": "0912 345 678",
        "email": user.email if user is not None else "mai@example.vn",
        "province_code": 8,  # Tuyên Quang
        "ward_code": 721,  # Xã Đồng Văn
        "street": "Thôn Lũng Cẩm",
        "payment_method": method,
        **details,
    }
    return place_order(db.session, cart, CheckoutDetails(**values), user=user, settings=settings)


def variant_of(product: Product):
    """A product's first variant (every product has one: catalogue.variants)."""
    db.session.flush()
    return product.variants[0]


def vid(product: Product) -> int:
    """The id of a product's only variant, for the inventory's variant-keyed calls."""
    return variant_of(product).id


def product_with_variants(forms: dict[str, tuple[int, int]], kind: str = "size", **fields):
    """A product sold in several forms: {"M": (price, stock), …} → one variant each, with
    the product's summary columns as catalogue.variants keeps them."""
    from storefront.models import ProductVariant, VariantStatus

    slug = fields.get("slug") or f"sp-bien-the-{len(forms)}-{id(forms)}"
    variants = [
        ProductVariant(
            sku=f"{slug.upper()}-{value.upper().replace(' ', '')}",
            options=[{"kind": kind, "value": value}],
            price=price,
            stock_on_hand=stock,
            stock_reserved=0,
            low_stock_threshold=1,
            weight_grams=250 + 10 * position,
            position=position,
            status=VariantStatus.ACTIVE,
        )
        for position, (value, (price, stock)) in enumerate(forms.items())
    ]
    prices = [price for price, _stock in forms.values()]
    return ProductFactory(
        slug=slug,
        variants=variants,
        price=min(prices),
        price_max=max(prices),
        stock_on_hand=sum(stock for _price, stock in forms.values()),
        **{k: v for k, v in fields.items() if k != "slug"},
    )

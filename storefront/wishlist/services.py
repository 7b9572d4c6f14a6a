"""Wishlist and back-in-stock alerts: the rules. Plain functions; the views commit.

A wishlist belongs to a user, or to a guest's cart token (the cart cookie), so a guest's
list lives with their cart and both move to the account on login (merge). Adding twice is
adding once (UNIQUE owner + product); removing what is not there does nothing.

An alert waits until the product can be bought again. Every stock movement that can make
units available (a harvest, a recount, a release) asks for the notify task after its
commit; the task claims all waiting alerts of the product with one conditional UPDATE
(status waiting -> notified) and queues their emails in the same transaction, so two
restocks racing each other email each buyer exactly once.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..catalogue.models import Product, ProductStatus
from ..catalogue.products import sellable_product
from ..clock import utcnow
from ..errors import ValidationFailed
from ..producers.models import Producer, ProducerStatus
from .models import AlertStatus, StockAlert, WishlistItem

MAX_ITEMS = 200


@dataclass(frozen=True)
class Owner:
    user_id: int | None = None
    guest_token: str | None = None

    def where(self):
        if self.user_id is not None:
            return WishlistItem.user_id == self.user_id
        return WishlistItem.guest_token == self.guest_token

    @property
    def known(self) -> bool:
        return self.user_id is not None or bool(self.guest_token)


def _buyable(product: Product) -> bool:
    return product.made_to_order or product.available > 0


def add(session: Session, owner: Owner, product_id: int) -> Product:
    product = sellable_product(session, product_id)
    count = session.scalar(select(WishlistItem.id).where(owner.where()).offset(MAX_ITEMS - 1))
    if count is not None:
        raise ValidationFailed(
            _l("Your wishlist is full (%(n)d products). Remove some first.", n=MAX_ITEMS)
        )
    try:
        with session.begin_nested():
            session.add(
                WishlistItem(
                    user_id=owner.user_id,
                    guest_token=None if owner.user_id is not None else owner.guest_token,
                    product_id=product.id,
                    price_seen=product.price,
                    in_stock_seen=_buyable(product),
                )
            )
            session.flush()
    except IntegrityError:
        pass  # already on the list: adding twice is adding once
    return product


def remove(session: Session, owner: Owner, product_id: int) -> None:
    if not owner.known:
        return
    session.execute(
        delete(WishlistItem).where(owner.where(), WishlistItem.product_id == product_id),
        execution_options={"synchronize_session": False},
    )


def merge(session: Session, guest_token: str, user_id: int) -> None:
    """Move a guest's list to the account: products already there keep the older row."""
    if not guest_token:
        return
    mine = select(WishlistItem.product_id).where(WishlistItem.user_id == user_id)
    session.execute(
        delete(WishlistItem).where(
            WishlistItem.guest_token == guest_token, WishlistItem.product_id.in_(mine)
        ),
        execution_options={"synchronize_session": False},
    )
    session.execute(
        update(WishlistItem)
        .where(WishlistItem.guest_token == guest_token)
        .values(user_id=user_id, guest_token=None),
        execution_options={"synchronize_session": False},
    )


def product_ids(session: Session, owner: Owner) -> set[int]:
    if not owner.known:
        return set()
    return set(session.scalars(select(WishlistItem.product_id).where(owner.where())))


@dataclass
class WishedProduct:
    item: WishlistItem
    product: Product
    price_change: int  # now minus when added (đồng)
    buyable: bool
    back_in_stock: bool
    sold_out_since: bool
    public: bool


def items(session: Session, owner: Owner) -> list[WishedProduct]:
    if not owner.known:
        return []
    from sqlalchemy.orm import joinedload

    rows = session.scalars(
        select(WishlistItem)
        .where(owner.where())
        .options(
            joinedload(WishlistItem.product).joinedload(Product.producer),
            joinedload(WishlistItem.product).selectinload(Product.images),
        )
        .order_by(WishlistItem.created_at.desc(), WishlistItem.id.desc())
    ).unique()
    out = []
    for item in rows:
        product = item.product
        public = product.status is ProductStatus.ACTIVE and product.producer.is_approved
        buyable = public and _buyable(product)
        out.append(
            WishedProduct(
                item=item,
                product=product,
                price_change=product.price - item.price_seen,
                buyable=buyable,
                back_in_stock=buyable and not item.in_stock_seen,
                sold_out_since=public and not buyable and item.in_stock_seen,
                public=public,
            )
        )
    return out


# ------------------------------------------------------------------ back-in-stock alerts


def request_alert(
    session: Session, product: Product, email: str, user_id: int | None, locale: str
) -> bool:
    """Ask to be emailed when `product` is back. False when this address already waits."""
    if _buyable(product):
        raise ValidationFailed(_l("This product is in stock: you can order it now."))
    email = email.strip().lower()
    if not email or len(email) > 254:
        raise ValidationFailed(_l("Enter your email address."))
    try:
        with session.begin_nested():
            session.add(
                StockAlert(
                    product_id=product.id,
                    user_id=user_id,
                    email=email,
                    locale=locale if locale in ("vi", "en") else "vi",
                    status=AlertStatus.WAITING,
                )
            )
            session.flush()
    except IntegrityError:
        return False
    return True


def stock_may_be_back(product_id: int) -> None:
    """Called by every stock movement that can free units: the check runs after commit."""
    from ..tasks import enqueue

    enqueue("storefront.notify_back_in_stock", product_id)


def notify_back_in_stock(session: Session, product_id: int, now: datetime | None = None) -> int:
    """Email every waiting buyer of `product_id` if it can be bought now; each alert ends.

    One conditional UPDATE claims the waiting rows only while the product is public and
    available, so of two tasks racing (two restocks) each row goes to exactly one, and the
    emails are written in the claiming transaction (the outbox sends them after commit).
    """
    from ..mail import queue_email

    sellable = exists().where(
        Product.id == product_id,
        Product.status == ProductStatus.ACTIVE,
        Product.stock_on_hand - Product.stock_reserved > 0,
        Producer.id == Product.producer_id,
        Producer.status == ProducerStatus.APPROVED,
    )
    claimed = session.execute(
        update(StockAlert)
        .where(
            StockAlert.product_id == product_id,
            StockAlert.status == AlertStatus.WAITING,
            sellable,
        )
        .values(status=AlertStatus.NOTIFIED, notified_at=now or utcnow())
        .returning(StockAlert.email, StockAlert.locale),
        execution_options={"synchronize_session": False},
    ).all()
    if not claimed:
        return 0
    from flask import current_app

    product = session.get(Product, product_id)
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    url = f"{base}/products/{product.slug}"
    for email, locale in claimed:
        name = product.name_en if locale == "en" and product.name_en else product.name
        queue_email(
            email,
            _l("Back in stock: %(name)s", name=name),
            "back_in_stock",
            locale=locale,
            product_name=name,
            product_url=url,
            price=product.price,
        )
    return len(claimed)

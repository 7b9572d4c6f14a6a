"""Read side of the dashboard. Every query starts from the producer it is given.

The `get_own_*_or_404` helpers are the only way a view turns an id from the URL
into an object: another producer's id looks exactly like one that does not exist.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from flask import abort
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    Certificate,
    Invitation,
    LedgerEntry,
    Order,
    OrderLine,
    Payout,
    Producer,
    ProducerMember,
    ProducerOrder,
    Product,
    ProductImage,
    ProductStatus,
    StockMovement,
    SubOrderStatus,
)
from ..orders.routing import SETTLED_PAYMENT
from ..producers.statements import to_vn_date, vn_day_start_utc

# --- who may act for which producer -------------------------------------------------------


def memberships_of(user_id: int) -> list[ProducerMember]:
    return list(
        db.session.scalars(
            select(ProducerMember)
            .join(Producer, Producer.id == ProducerMember.producer_id)
            .where(ProducerMember.user_id == user_id)
            .options(selectinload(ProducerMember.producer))
            .order_by(Producer.name, Producer.id)
        )
    )


def resolve_membership(user_id: int, chosen_producer_id: int | None) -> ProducerMember | None:
    """The membership for the chosen producer, re-checked on every request; else the first."""
    memberships = memberships_of(user_id)
    for membership in memberships:
        if membership.producer_id == chosen_producer_id:
            return membership
    return memberships[0] if memberships else None


# --- get own object or 404 ------------------------------------------------------------------


def _one_or_404(statement: Select):
    found = db.session.scalar(statement)
    if found is None:
        abort(404)
    return found


def get_own_product_or_404(producer: Producer, product_id: int) -> Product:
    return _one_or_404(
        select(Product).where(Product.id == product_id, Product.producer_id == producer.id)
    )


def get_own_image_or_404(producer: Producer, product: Product, image_id: int) -> ProductImage:
    return _one_or_404(
        select(ProductImage)
        .join(Product, Product.id == ProductImage.product_id)
        .where(
            ProductImage.id == image_id,
            ProductImage.product_id == product.id,
            Product.producer_id == producer.id,
        )
    )


def get_own_certificate_or_404(producer: Producer, certificate_id: int) -> Certificate:
    return _one_or_404(
        select(Certificate)
        .join(Product, Product.id == Certificate.product_id)
        .where(Certificate.id == certificate_id, Product.producer_id == producer.id)
        .options(selectinload(Certificate.product))
    )


def get_own_sub_order_or_404(producer: Producer, sub_order_id: int) -> ProducerOrder:
    return _one_or_404(
        select(ProducerOrder)
        .where(ProducerOrder.id == sub_order_id, ProducerOrder.producer_id == producer.id)
        .options(selectinload(ProducerOrder.lines), selectinload(ProducerOrder.order))
    )


def get_own_movement_or_404(producer: Producer, movement_id: int) -> StockMovement:
    return _one_or_404(
        select(StockMovement)
        .join(Product, Product.id == StockMovement.product_id)
        .where(StockMovement.id == movement_id, Product.producer_id == producer.id)
        .options(selectinload(StockMovement.product))
    )


def get_own_payout_or_404(producer: Producer, payout_id: int) -> Payout:
    return _one_or_404(
        select(Payout).where(Payout.id == payout_id, Payout.producer_id == producer.id)
    )


def get_own_invitation_or_404(producer: Producer, invitation_id: int) -> Invitation:
    return _one_or_404(
        select(Invitation).where(
            Invitation.id == invitation_id, Invitation.producer_id == producer.id
        )
    )


def get_own_member_or_404(producer: Producer, member_id: int) -> ProducerMember:
    return _one_or_404(
        select(ProducerMember)
        .where(ProducerMember.id == member_id, ProducerMember.producer_id == producer.id)
        .options(selectinload(ProducerMember.user))
    )


# --- lists ----------------------------------------------------------------------------------


def products_query(producer: Producer, status: ProductStatus | None = None) -> Select:
    query = (
        select(Product)
        .where(Product.producer_id == producer.id)
        .options(selectinload(Product.images), selectinload(Product.certificates))
        .order_by(Product.name, Product.id)
    )
    if status is not None:
        query = query.where(Product.status == status)
    else:
        query = query.where(Product.status != ProductStatus.ARCHIVED)
    return query


def all_products(producer: Producer) -> list[Product]:
    return list(
        db.session.scalars(
            select(Product)
            .where(Product.producer_id == producer.id)
            .options(selectinload(Product.variants))
            .order_by(Product.name, Product.id)
        )
    )


def low_stock_products(producer: Producer, limit: int | None = None) -> list[Product]:
    query = (
        select(Product)
        .where(
            Product.producer_id == producer.id,
            Product.status != ProductStatus.ARCHIVED,
            Product.made_to_order.is_(False),
            Product.stock_on_hand - Product.stock_reserved <= Product.low_stock_threshold,
        )
        .order_by(Product.stock_on_hand - Product.stock_reserved, Product.name)
    )
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def movements_query(producer: Producer, product: Product | None = None) -> Select:
    query = (
        select(StockMovement)
        .join(Product, Product.id == StockMovement.product_id)
        .where(Product.producer_id == producer.id)
        .options(selectinload(StockMovement.product), selectinload(StockMovement.variant))
        .order_by(StockMovement.id.desc())
    )
    if product is not None:
        query = query.where(StockMovement.product_id == product.id)
    return query


def sub_orders_query(producer: Producer, status: SubOrderStatus | None = None) -> Select:
    query = (
        select(ProducerOrder)
        .where(ProducerOrder.producer_id == producer.id)
        .options(selectinload(ProducerOrder.order), selectinload(ProducerOrder.lines))
        .order_by(ProducerOrder.id.desc())
    )
    if status is not None:
        query = query.where(ProducerOrder.status == status)
    return query


def sub_orders_to_confirm(producer: Producer, limit: int = 5) -> tuple[int, list[ProducerOrder]]:
    condition = (
        ProducerOrder.producer_id == producer.id,
        ProducerOrder.status == SubOrderStatus.PLACED,
        Order.payment_status.in_(SETTLED_PAYMENT),
    )
    count = db.session.scalar(
        select(func.count())
        .select_from(ProducerOrder)
        .join(Order, Order.id == ProducerOrder.order_id)
        .where(*condition)
    )
    rows = db.session.scalars(
        select(ProducerOrder)
        .join(Order, Order.id == ProducerOrder.order_id)
        .where(*condition)
        .options(selectinload(ProducerOrder.order), selectinload(ProducerOrder.lines))
        .order_by(ProducerOrder.id)
        .limit(limit)
    )
    return int(count or 0), list(rows)


def status_counts(producer: Producer) -> dict[SubOrderStatus, int]:
    rows = db.session.execute(
        select(ProducerOrder.status, func.count())
        .where(ProducerOrder.producer_id == producer.id)
        .group_by(ProducerOrder.status)
    )
    return {status: int(count) for status, count in rows}


def members(producer: Producer) -> list[ProducerMember]:
    return list(
        db.session.scalars(
            select(ProducerMember)
            .where(ProducerMember.producer_id == producer.id)
            .options(selectinload(ProducerMember.user))
            .order_by(ProducerMember.id)
        )
    )


def open_invitations(producer: Producer) -> list[Invitation]:
    return list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.producer_id == producer.id, Invitation.accepted_at.is_(None))
            .order_by(Invitation.id.desc())
        )
    )


def payouts(producer: Producer, limit: int = 20) -> list[Payout]:
    return list(
        db.session.scalars(
            select(Payout)
            .where(Payout.producer_id == producer.id)
            .order_by(Payout.id.desc())
            .limit(limit)
        )
    )


def payout_entries(producer: Producer, payout: Payout) -> list[LedgerEntry]:
    return list(
        db.session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.producer_id == producer.id, LedgerEntry.payout_id == payout.id)
            .order_by(LedgerEntry.id)
        )
    )


# --- sales figures ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DaySales:
    day: date
    revenue: int
    units: int


def _sales_lines(producer: Producer, start: date, end: date):
    """Lines sold in [start, end] (VN dates): settled orders, sub-order not cancelled."""
    return db.session.execute(
        select(Order.created_at, OrderLine.line_total, OrderLine.quantity)
        .join(ProducerOrder, ProducerOrder.id == OrderLine.producer_order_id)
        .join(Order, Order.id == ProducerOrder.order_id)
        .where(
            ProducerOrder.producer_id == producer.id,
            ProducerOrder.status != SubOrderStatus.CANCELLED,
            Order.payment_status.in_(SETTLED_PAYMENT),
            Order.created_at >= vn_day_start_utc(start),
            Order.created_at < vn_day_start_utc(end + timedelta(days=1)),
        )
    )


def daily_sales(producer: Producer, start: date, end: date) -> list[DaySales]:
    # Bucketed in Python: grouping by a local calendar day is not portable SQL,
    # and one producer's 90 days of lines are few.
    revenue: dict[date, int] = {}
    units: dict[date, int] = {}
    for created_at, line_total, quantity in _sales_lines(producer, start, end):
        day = to_vn_date(created_at)
        revenue[day] = revenue.get(day, 0) + line_total
        units[day] = units.get(day, 0) + quantity
    days = (end - start).days + 1
    return [
        DaySales(d, revenue.get(d, 0), units.get(d, 0))
        for d in (start + timedelta(days=i) for i in range(days))
    ]


def sales_between(producer: Producer, start: date, end: date) -> tuple[int, int]:
    points = daily_sales(producer, start, end)
    return sum(p.revenue for p in points), sum(p.units for p in points)

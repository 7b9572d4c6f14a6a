"""Read queries for the dashboard's and the admin's voucher pages."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import Voucher, VoucherUse


def _given():
    """Uses still standing, and the discount they gave, per voucher (a released use gave
    nothing: its order was cancelled whole or expired unpaid)."""
    return (
        select(
            VoucherUse.voucher_id,
            func.count().label("orders"),
            func.coalesce(func.sum(VoucherUse.amount), 0).label("given"),
        )
        .where(VoucherUse.released_at.is_(None))
        .group_by(VoucherUse.voucher_id)
        .subquery()
    )


def vouchers_with_figures(session: Session, producer_id: int | None = None, all_funders=False):
    """[(voucher, orders, discount given)], newest first: a producer's own, the shop's, or all."""
    given = _given()
    query = select(
        Voucher, func.coalesce(given.c.orders, 0), func.coalesce(given.c.given, 0)
    ).outerjoin(given, given.c.voucher_id == Voucher.id)
    if not all_funders:
        query = query.where(
            Voucher.producer_id == producer_id
            if producer_id is not None
            else Voucher.producer_id.is_(None)
        )
    return session.execute(query.order_by(Voucher.id.desc()).limit(200)).all()


def own_voucher(session: Session, producer_id: int | None, voucher_id: int) -> Voucher | None:
    """The producer's own voucher (producer_id None: the shop's); anyone else's is None,
    which the views answer with a 404."""
    condition = (
        Voucher.producer_id == producer_id
        if producer_id is not None
        else Voucher.producer_id.is_(None)
    )
    return session.scalar(select(Voucher).where(Voucher.id == voucher_id, condition))

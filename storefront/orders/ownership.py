"""Which orders belong to a person: guest orders join an account once its email is proven."""

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from .models import Order


def claim_guest_orders(session: Session, user_id: int, verified_email: str) -> int:
    """Attach every guest order placed with `verified_email` to the account; returns how many.

    Only call with an address the user has just proven they read. Idempotent: an order that
    already has an owner is never moved.
    """
    result = session.execute(
        update(Order)
        .where(Order.user_id.is_(None), func.lower(Order.email) == verified_email.strip().lower())
        .values(user_id=user_id)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def orders_for_export(session: Session, user_id: int) -> list[dict]:
    """The person's orders as plain data, for the personal-data export."""
    orders = session.scalars(
        select(Order)
        .where(Order.user_id == user_id)
        .options(selectinload(Order.lines))
        .order_by(Order.id)
    ).all()
    return [
        {
            "number": order.number,
            "placed_at": order.created_at.isoformat(),
            "email": order.email,
            "name": order.name,
            "phone": order.phone,
            "province_code": order.province_code,
            "ward_code": order.ward_code,
            "street": order.street,
            "note": order.note,
            "payment_method": order.payment_method.value,
            "payment_status": order.payment_status.value,
            "grand_total_vnd": order.grand_total,
            "lines": [
                {
                    "product": line.product_name,
                    "quantity": line.quantity,
                    "unit_price_vnd": line.unit_price,
                }
                for line in order.lines
            ],
        }
        for order in orders
    ]

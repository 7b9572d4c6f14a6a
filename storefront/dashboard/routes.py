"""The producer dashboard blueprint. Its views live in dashboard/views/, one module per area
(overview, products, stock, orders, payouts, team); importing them registers their routes."""

from .views import (  # noqa: F401
    bank,
    bp,
    invoices,
    orders,
    overview,
    payouts,
    products,
    profile,
    returns,
    reviews,
    shipping,
    stock,
    team,
    variants,
    vouchers,
)

__all__ = ["bp"]

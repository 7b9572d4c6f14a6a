"""The producer dashboard blueprint. Its views live in dashboard/views/, one module per area
(overview, products, stock, orders, payouts, team); importing them registers their routes."""

from .views import bp, orders, overview, payouts, products, returns, stock, team  # noqa: F401

__all__ = ["bp"]

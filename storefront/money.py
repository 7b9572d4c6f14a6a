"""Money is integer đồng everywhere: VND has no minor unit."""

from decimal import ROUND_HALF_UP, Decimal


def format_vnd(amount: int | None) -> str:
    """250000 -> '250.000 ₫' (Vietnamese grouping with dots)."""
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(int(amount)):,}".replace(",", ".") + "\u00a0₫"


def apply_rate_bp(amount: int, rate_bp: int) -> int:
    """Commission on `amount` at `rate_bp` basis points, rounded half up to a whole đồng."""
    exact = Decimal(amount) * Decimal(rate_bp) / Decimal(10_000)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_vnd_deduction(amount: int | None) -> str:
    """An amount taken off a total: 8000 -> '−8.000 ₫', but 0 -> '0 ₫' (never '−0 ₫')."""
    if not amount:
        return format_vnd(0)
    return "\u2212" + format_vnd(amount)

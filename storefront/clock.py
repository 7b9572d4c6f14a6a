"""One place for 'now' and 'today', so tests can reason about boundaries.

Timestamps are stored as naive UTC. Certificate validity is a calendar question,
answered in Vietnam's time zone: a certificate valid until 31 May is valid all
of 31 May in Hà Nội.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def today_vn() -> date:
    return datetime.now(VN_TZ).date()


def add_months(start: date, months: int) -> date:
    """Calendar months later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    days_in_month = [31, 29 if _is_leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return date(year, month, min(start.day, days_in_month[month - 1]))


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)

"""One pagination for every list: the Paginated mixin, a Page of rows and paginate().

Templates show any of them with the one macro in templates/_macros/pagination.html.
"""

import math
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

PER_PAGE = 30


class Paginated:
    """Pagination helpers over `total`, `page` and `per_page` (a mixin for result dataclasses)."""

    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def page_numbers(self, around: int = 2) -> list[int | None]:
        """Page links to show: first, last and a window around the current page (None = gap)."""
        shown = {1, self.pages, *range(self.page - around, self.page + around + 1)}
        numbers: list[int | None] = []
        for number in sorted(n for n in shown if 1 <= n <= self.pages):
            if numbers and numbers[-1] is not None and number - numbers[-1] > 1:
                numbers.append(None)
            numbers.append(number)
        return numbers


@dataclass
class Page(Paginated):
    items: list
    total: int
    page: int
    per_page: int = PER_PAGE


MAX_PAGE = 1_000_000


def paginate(session: Session, stmt, page: int, per_page: int = PER_PAGE, scalars=True) -> Page:
    """One page of `stmt` and the total count. Rows (not scalars) for multi-column selects."""
    # Past the last page shows nothing anyway; the cap keeps OFFSET within BIGINT.
    page = min(max(1, page or 1), MAX_PAGE)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    items = list(rows.scalars().unique()) if scalars else list(rows.all())
    return Page(items=items, total=total or 0, page=page, per_page=per_page)

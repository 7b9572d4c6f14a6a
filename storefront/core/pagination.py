import math


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

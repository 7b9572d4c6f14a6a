"""The sales chart, drawn on the server as inline SVG: no chart library, no script.

Revenue per day as bars (left axis), units per day as a line (right axis).
Only presentation attributes (fill=, stroke=) are used, never style="", so the
page's CSP (style-src 'self') has nothing to block. The SVG scales with its
container through the viewBox; the CSS gives it width: 100%.
"""

from collections.abc import Sequence

from babel.numbers import format_decimal
from markupsafe import Markup, escape

from ..money import format_vnd

WIDTH, HEIGHT = 480, 250
LEFT, RIGHT, TOP, BOTTOM = 56, 34, 14, 30
FONT = 14  # user units; at 390 px wide the chart scales to about 0.75
BAR_COLOUR = "#b8321e"
LINE_COLOUR = "#1a5fb4"
GRID_COLOUR = "#dcd8cf"
TEXT_COLOUR = "#5c5c57"


def _nice_ceiling(value: int) -> int:
    """Round an axis maximum up to 1, 2 or 5 × a power of ten."""
    if value <= 0:
        return 1
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _axis_step(value: int, minimum: int) -> int:
    """The gap between the four gridlines above zero: a whole 1, 2 or 5 × 10ⁿ, so every tick
    is a round number (never 0.25 of a unit, never "1, 0, 0, 0" on an empty chart)."""
    return max(_nice_ceiling(-(-value // 4)), minimum)


# An empty chart still gets a readable revenue axis (0 to 200k).
MIN_REVENUE_STEP = 50_000


def _short_vnd(amount: int, scale: int, locale: str) -> str:
    """A tick label in the axis' unit: millions ("1,5 tr"), thousands ("250k") or đồng; the
    decimal mark is the language's (a comma in Vietnamese)."""
    if amount == 0:
        return "0"
    if scale >= 1_000_000:
        suffix = " tr" if locale.startswith("vi") else "M"  # triệu
        return format_decimal(amount / 1_000_000, "#,##0.##", locale=locale) + suffix
    if scale >= 1_000:
        return format_decimal(amount / 1_000, "#,##0.##", locale=locale) + "k"
    return format_decimal(amount, "#,##0", locale=locale)


def sales_chart(
    points: Sequence, title: str, revenue_label: str, units_label: str, locale: str = "vi"
) -> Markup:
    """`points`: objects with .day (date), .revenue (int đồng) and .units (int)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = max(len(points), 1)
    revenue_step = _axis_step(max((p.revenue for p in points), default=0), MIN_REVENUE_STEP)
    units_step = _axis_step(max((p.units for p in points), default=0), 1)
    max_revenue, max_units = 4 * revenue_step, 4 * units_step
    slot = plot_w / count
    bar_w = max(slot * 0.7, 1.0)

    parts = [
        f'<svg class="sales-chart" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title chart-desc">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(revenue_label)}; {escape(units_label)}</desc>',
    ]
    for i in range(5):
        y = TOP + plot_h * i / 4
        revenue_tick = revenue_step * (4 - i)
        units_tick = units_step * (4 - i)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="{FONT}" '
            f'fill="{TEXT_COLOUR}">{escape(_short_vnd(revenue_tick, max_revenue, locale))}</text>'
        )
        parts.append(
            f'<text x="{LEFT + plot_w + 6}" y="{y + 4:.1f}" font-size="{FONT}" '
            f'fill="{LINE_COLOUR}">{escape(format_decimal(units_tick, locale=locale))}</text>'
        )

    line_points = []
    label_every = max(1, count // 6)
    for index, point in enumerate(points):
        x = LEFT + slot * index + (slot - bar_w) / 2
        height = plot_h * point.revenue / max_revenue
        if point.revenue:
            parts.append(
                f'<rect x="{x:.1f}" y="{TOP + plot_h - height:.1f}" width="{bar_w:.1f}" '
                f'height="{height:.1f}" fill="{BAR_COLOUR}">'
                f"<title>{escape(point.day.strftime('%d/%m'))}: "
                f"{escape(format_vnd(point.revenue))}, {point.units}</title></rect>"
            )
        cx = LEFT + slot * index + slot / 2
        cy = TOP + plot_h - plot_h * point.units / max_units
        line_points.append(f"{cx:.1f},{cy:.1f}")
        if index % label_every == 0:
            parts.append(
                f'<text x="{cx:.1f}" y="{HEIGHT - BOTTOM + 20}" text-anchor="middle" '
                f'font-size="{FONT}" fill="{TEXT_COLOUR}">'
                f"{escape(point.day.strftime('%d/%m'))}</text>"
            )
    if line_points:
        parts.append(
            f'<polyline points="{" ".join(line_points)}" fill="none" stroke="{LINE_COLOUR}" '
            f'stroke-width="2" stroke-linejoin="round"/>'
        )
    parts.append(
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" '
        f'stroke="{TEXT_COLOUR}" stroke-width="1"/>'
    )
    parts.append("</svg>")
    # Every interpolated text is escaped above.
    return Markup("".join(parts))  # noqa: S704  # nosec B704

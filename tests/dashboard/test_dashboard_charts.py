"""The server-side sales chart: one bar per day with sales, a units line, escaped text."""

import re
from datetime import date, timedelta

from storefront.dashboard.charts import _nice_ceiling, sales_chart
from storefront.dashboard.queries import DaySales


def _points(revenues):
    start = date(2025, 11, 1)
    return [DaySales(start + timedelta(days=i), r, r // 100_000) for i, r in enumerate(revenues)]


def test_bars_line_and_escaping():
    svg = str(sales_chart(_points([0, 250_000, 0, 1_000_000]), "<b>Sales</b>", "rev & co", "u"))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<rect") == 2  # only days with revenue get a bar
    assert "<polyline" in svg
    assert "<b>" not in svg and "&lt;b&gt;Sales&lt;/b&gt;" in svg and "rev &amp; co" in svg
    assert "style=" not in svg  # the CSP forbids inline styles
    assert "1.000.000\u00a0₫" in svg  # the bar's tooltip


def test_tallest_bar_fits_the_plot():
    svg = str(sales_chart(_points([300_000, 900_000]), "t", "r", "u"))
    bars = re.findall(r'<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"', svg)
    assert len(bars) == 2
    tops = [float(y) for y, _h in bars]
    bottoms = {round(float(y) + float(h), 1) for y, h in bars}
    assert min(tops) >= 0 and len(bottoms) == 1  # bars stand on one baseline, inside the frame
    assert float(bars[1][1]) > float(bars[0][1])


def test_empty_period_and_axis_rounding():
    assert "<rect" not in str(sales_chart(_points([0] * 30), "t", "r", "u"))
    assert [_nice_ceiling(v) for v in (0, 7, 12, 180_000, 2_300_000)] == [
        1,
        10,
        20,
        200_000,
        5_000_000,
    ]

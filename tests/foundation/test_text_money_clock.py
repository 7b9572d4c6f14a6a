import unicodedata
from datetime import date

import pytest

from storefront.clock import add_months
from storefront.money import apply_rate_bp, format_vnd
from storefront.text import fold, slugify


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (250_000, "250.000\u00a0₫"),
        (0, "0\u00a0₫"),
        (1_800_000, "1.800.000\u00a0₫"),
        (-13_000, "-13.000\u00a0₫"),
    ],
)
def test_vnd_format(amount, shown):
    assert format_vnd(amount) == shown


@pytest.mark.parametrize(
    ("amount", "rate_bp", "commission"),
    [(350_000, 800, 28_000), (1_000, 825, 83), (999, 50, 5), (0, 800, 0)],
)
def test_commission_is_whole_dong_rounded_half_up(amount, rate_bp, commission):
    assert apply_rate_bp(amount, rate_bp) == commission


NAME = "Mật ong bạc hà Đồng Văn"


@pytest.mark.parametrize(
    "text",
    [
        NAME,
        NAME.upper(),
        unicodedata.normalize("NFD", NAME),
        "mat ong bac ha dong van",
        "  MẬT   ONG bạc hà ĐỒNG văn ",
    ],
)
def test_fold_ignores_accents_case_spacing_and_normal_form(text):
    assert fold(text) == "mat ong bac ha dong van"


def test_slugify():
    assert slugify("Khăn lanh dệt tay Lũng Cú") == "khan-lanh-det-tay-lung-cu"
    assert slugify("!!!") == "item"


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2025, 3, 14), 36, date(2028, 3, 14)),
        (date(2024, 2, 29), 36, date(2027, 2, 28)),
        (date(2021, 12, 20), 36, date(2024, 12, 20)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
    ],
)
def test_add_months(start, months, end):
    assert add_months(start, months) == end

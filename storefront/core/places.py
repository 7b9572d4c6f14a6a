"""Vietnam's two-tier places since 1 July 2025 (34 provinces, then wards and communes)."""

from functools import cache

from flask_babel import lazy_gettext as _l
from vietnam_provinces import Province, Ward

from ..text import normalise_spaces, vietnamese_sort_key

# Attributes for a province or ward <select>: static/js/filter-select.js adds a box that
# filters the options by typing (the %d is the number of matches).
FILTERABLE = {
    "data-filter": _l("Type to filter the list"),
    "data-filter-one": _l("%d match"),
    "data-filter-many": _l("%d matches"),
}


@cache
def provinces() -> list[tuple[int, str]]:
    return sorted(
        ((int(p.code), normalise_spaces(p.name)) for p in Province.iter_all()),
        key=lambda p: vietnamese_sort_key(p[1]),
    )


@cache
def _wards_by_province() -> dict[int, list[tuple[int, str]]]:
    grouped: dict[int, list[tuple[int, str]]] = {}
    for ward in Ward.iter_all():
        grouped.setdefault(int(ward.province_code), []).append(
            (int(ward.code), normalise_spaces(ward.name))
        )
    for wards in grouped.values():
        wards.sort(key=lambda w: vietnamese_sort_key(w[1]))
    return grouped


def wards(province_code: int) -> list[tuple[int, str]]:
    return _wards_by_province().get(province_code, [])


@cache
def province_name(code: int | None) -> str:
    if code is None:
        return ""
    return dict(provinces()).get(code, "")


def ward_name(code: int | None) -> str:
    if code is None:
        return ""
    try:
        return normalise_spaces(Ward.from_code(code).name)
    except ValueError:
        return ""


def is_valid_place(province_code: int | None, ward_code: int | None) -> bool:
    """The ward must exist and belong to the province."""
    if province_code is None or ward_code is None:
        return False
    try:
        return int(Ward.from_code(ward_code).province_code) == province_code
    except ValueError:
        return False


def place_label(province_code: int | None, ward_code: int | None) -> str:
    return ", ".join(n for n in (ward_name(ward_code), province_name(province_code)) if n)

"""Vietnam's two-tier places since 1 July 2025 (34 provinces, then wards and communes)."""

from functools import cache

from vietnam_provinces import Province, Ward


@cache
def provinces() -> list[tuple[int, str]]:
    return sorted(((int(p.code), p.name) for p in Province.iter_all()), key=lambda p: p[1])


@cache
def _wards_by_province() -> dict[int, list[tuple[int, str]]]:
    grouped: dict[int, list[tuple[int, str]]] = {}
    for ward in Ward.iter_all():
        grouped.setdefault(int(ward.province_code), []).append((int(ward.code), ward.name))
    for wards in grouped.values():
        wards.sort(key=lambda w: w[1])
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
        return Ward.from_code(code).name
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

"""OCOP product groups per Decision 148/QĐ-TTg (2023), and the mapping from older names.

Labels are marked for translation; codes are stable and stored in the database.
"""

from flask_babel import lazy_gettext as _l

GROUPS = {
    "food": _l("Food"),
    "beverage": _l("Beverages"),
    "herbal": _l("Medicinal herbs"),
    "handicraft": _l("Handicrafts"),
    "ornamental": _l("Ornamental plants and animals"),
    "tourism": _l("Community tourism"),
}

SUBGROUPS = {
    "food": {
        "fresh": _l("Fresh produce"),
        # Decision 148 puts honey, other syrups and farm foods in this subgroup.
        "raw_preprocessed": _l("Raw or pre-processed foods, honey and syrups"),
        "processed": _l("Processed foods"),
    },
    "beverage": {
        "alcoholic": _l("Alcoholic drinks"),
        "non_alcoholic": _l("Teas and non-alcoholic drinks"),
    },
    "herbal": {
        "herbal_products": _l("Herbal products"),
    },
    "handicraft": {
        "textiles": _l("Textiles, garments and embroidery"),
        "wood": _l("Wood"),
        "natural_fibre": _l("Natural fibre"),
        "metal": _l("Metal"),
        "ceramics": _l("Ceramics"),
    },
    "ornamental": {
        "plants": _l("Ornamental plants"),
        "animals": _l("Ornamental animals"),
    },
    "tourism": {
        "community": _l("Community and eco-tourism"),
    },
}

# Names used under Decision 1048 (2019) and in the 2022 seed article -> (group, subgroup).
LEGACY_GROUP_NAMES = {
    "nhóm vải may mặc": ("handicraft", "textiles"),
    "vải may mặc": ("handicraft", "textiles"),
    "nhóm đồ uống": ("beverage", "non_alcoholic"),
    "nhóm thực phẩm thô, sơ chế": ("food", "raw_preprocessed"),
    "nhóm thực phẩm chế biến": ("food", "processed"),
    "nhóm thực phẩm": ("food", "fresh"),
    "nhóm thảo dược": ("herbal", "herbal_products"),
    "nhóm lưu niệm - nội thất - trang trí": ("handicraft", "wood"),
    "nhóm dịch vụ du lịch nông thôn": ("tourism", "community"),
}


def map_legacy_group(name: str) -> tuple[str, str]:
    key = name.strip().lower()
    if key not in LEGACY_GROUP_NAMES:
        raise KeyError(f"Unknown legacy OCOP group name: {name!r}")
    return LEGACY_GROUP_NAMES[key]


def is_valid_subgroup(group: str, subgroup: str | None) -> bool:
    return group in SUBGROUPS and (subgroup is None or subgroup in SUBGROUPS[group])

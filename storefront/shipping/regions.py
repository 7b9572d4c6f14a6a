"""Routes between provinces: same province, same region, other region.

The three regions (Bắc, Trung, Nam) are what Vietnamese carriers price by ("nội tỉnh",
"nội miền", "liên miền"). The codes are the 34 provinces of 1 July 2025 as the
`vietnam-provinces` package numbers them; tests check that every one has a region.
The Central Highlands (Gia Lai, Đắk Lắk, Lâm Đồng) are priced with the Centre, as GHN
and GHTK group them.
"""

import enum

from flask_babel import lazy_gettext as _l

from ..core.types import LabelledEnum


class Region(enum.Enum):
    NORTH = "north"
    CENTRAL = "central"
    SOUTH = "south"


class Route(LabelledEnum):
    SAME_PROVINCE = "same_province", _l("Within the province")
    SAME_REGION = "same_region", _l("Within the region")
    OTHER_REGION = "other_region", _l("To another region")


_NORTH = (1, 4, 8, 11, 12, 14, 15, 19, 20, 22, 24, 25, 31, 33, 37)
_CENTRAL = (38, 40, 42, 44, 46, 48, 51, 52, 56, 66, 68)
_SOUTH = (75, 79, 80, 82, 86, 91, 92, 96)

REGION_OF: dict[int, Region] = {
    **dict.fromkeys(_NORTH, Region.NORTH),
    **dict.fromkeys(_CENTRAL, Region.CENTRAL),
    **dict.fromkeys(_SOUTH, Region.SOUTH),
}


def region_of(province_code: int) -> Region:
    """KeyError for a code that is not one of the 34 provinces."""
    return REGION_OF[province_code]


def route_between(from_province: int, to_province: int) -> Route:
    if from_province == to_province:
        return Route.SAME_PROVINCE
    if region_of(from_province) is region_of(to_province):
        return Route.SAME_REGION
    return Route.OTHER_REGION

"""Shape checks for the listing's query arguments (shared by the HTML listing and the API).

Bad values never reach the database: each is dropped and reported by name, so the HTML page can
show a notice and the API can answer 400 with the same messages.
"""

import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from ..core.validators import MAX_MONEY_VND
from .ocop import GROUPS
from .queries import MAX_PAGE, MAX_PER_PAGE, SORTS, STAR_LEVELS, ProductFilters, province_codes
from .search import MAX_QUERY_CHARS

# Prices are INTEGER đồng: a bound above the column's range is an error on PostgreSQL.
MAX_PRICE = MAX_MONEY_VND
MAX_SLUG = 120
# Slugs come from storefront.text.slugify; anything else cannot match, and PostgreSQL rejects
# some characters (NUL) outright, so such values never reach a query.
SLUG_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,119}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def is_slug(value: str | None) -> bool:
    return bool(value) and SLUG_RE.fullmatch(value) is not None


def is_printable(value: str | None, max_length: int = 200) -> bool:
    """For free identifiers such as certificate numbers: bounded and without control chars."""
    return bool(value) and len(value) <= max_length and not _CONTROL.search(value)


MESSAGES = {
    "group": _l("Unknown product group."),
    "stars": _l("Stars must be 3, 4 or 5."),
    "producer": _l("Unknown producer."),
    "province": _l("Unknown province."),
    "price_min": _l("The minimum price must be a whole number of đồng."),
    "price_max": _l("The maximum price must be a whole number of đồng."),
    "in_stock": _l("“In stock” must be 1."),
    "sort": _l("Unknown sort order."),
    "page": _l("The page must be a positive whole number."),
    "per_page": _l("Items per page must be between 1 and %(max)d.", max=MAX_PER_PAGE),
}


@dataclass
class ParsedArgs:
    filters: ProductFilters
    per_page: int | None = None
    errors: dict[str, str] = field(default_factory=dict)  # argument name -> message


def _int(raw: str | None, minimum: int, maximum: int) -> int | None:
    """A decimal integer within bounds; None for anything else (no floats, no '1e9')."""
    if raw is None:
        return None
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 15:
        return None
    value = int(raw)
    return value if minimum <= value <= maximum else None


def _page(raw: str) -> int | None:
    """Any positive whole number; a huge one is capped (the query then shows the last page)."""
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit():
        return None
    digits = raw.lstrip("0")
    if not digits:
        return None
    return MAX_PAGE if len(digits) > 15 else min(int(digits), MAX_PAGE)


def parse_listing_args(args: MultiDict, allow_per_page: bool = False) -> ParsedArgs:
    errors: dict[str, str] = {}
    values: dict = {}

    def blank(name: str) -> bool:
        return not (args.get(name) or "").strip()

    q = _CONTROL.sub(" ", args.get("q") or "")
    values["q"] = " ".join(q[:MAX_QUERY_CHARS].split())

    if not blank("group"):
        if args["group"] in GROUPS:
            values["group"] = args["group"]
        else:
            errors["group"] = MESSAGES["group"]

    if not blank("stars"):
        stars = _int(args["stars"], min(STAR_LEVELS), max(STAR_LEVELS))
        if stars is None:
            errors["stars"] = MESSAGES["stars"]
        else:
            values["stars"] = stars

    if not blank("producer"):
        slug = args["producer"].strip()
        if is_slug(slug):
            values["producer"] = slug
        else:
            errors["producer"] = MESSAGES["producer"]

    if not blank("province"):
        province = _int(args["province"], 1, 10_000)
        if province is None or province not in province_codes():
            errors["province"] = MESSAGES["province"]
        else:
            values["province"] = province

    for name in ("price_min", "price_max"):
        if not blank(name):
            # "250.000" is how Vietnamese write 250000; accept the grouping dots.
            price = _int(args[name].replace(".", "").replace(" ", ""), 0, MAX_PRICE)
            if price is None:
                errors[name] = MESSAGES[name]
            else:
                values[name] = price
    low, high = values.get("price_min"), values.get("price_max")
    if low is not None and high is not None and low > high:
        values["price_min"], values["price_max"] = high, low

    if not blank("in_stock"):
        if args["in_stock"].strip() in ("1", "true", "on"):
            values["in_stock"] = True
        elif args["in_stock"].strip() not in ("0", "false"):
            errors["in_stock"] = MESSAGES["in_stock"]

    if not blank("sort"):
        if args["sort"] in SORTS:
            values["sort"] = args["sort"]
        else:
            errors["sort"] = MESSAGES["sort"]

    if not blank("page"):
        page = _page(args["page"])
        if page is None:
            errors["page"] = MESSAGES["page"]
        else:
            values["page"] = page

    per_page = None
    if allow_per_page and not blank("per_page"):
        per_page = _int(args["per_page"], 1, MAX_PER_PAGE)
        if per_page is None:
            errors["per_page"] = MESSAGES["per_page"]

    return ParsedArgs(filters=ProductFilters(**values), per_page=per_page, errors=errors)


def parse_page(raw: str | None) -> int:
    """A page number for simple paginated pages: anything odd means page 1."""
    return (_page(raw) if raw else None) or 1

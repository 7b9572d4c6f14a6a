"""Product cards for the HTML pages, prepared in Python once per grid, and the listing's links.

Everything a card shows (URL, image, translated stock wording, the name in the visitor's
language) is computed here from a card row (queries.CardRow); the markup stays in
templates/_macros/catalogue.html. The stock wording works on card rows and Product objects
alike (same attribute names), so cards and the product page share one source.
"""

from typing import NamedTuple

from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ..promotions.pricing import percent_off, price_now
from ..storage import storage
from .models import is_low_stock


class ProductCard(NamedTuple):
    id: int
    slug: str
    name: str
    url: str
    image_src: str
    image_alt: str
    producer_name: str
    stars: int | None
    price: int
    unit: str
    stock_class: str
    stock_label: str
    rating_average: float | None
    rating_count: int
    list_price: int = 0  # the price without the sale: shown struck through while one runs
    percent_off: int = 0
    price_from: bool = False  # variants at different prices: the lowest, "from …"


def in_english() -> bool:
    return str(get_locale()) == "en"


def localized(obj, name: str) -> str:
    """obj.<name>_en in the English interface when it is filled in, else obj.<name>."""
    if in_english():
        english = getattr(obj, f"{name}_en", None)
        if english:
            return english
    return getattr(obj, name)


def stock_status(product) -> tuple[str, str]:
    """(css class, label) for a Product or a card row."""
    available = product.available
    if product.made_to_order:
        days = product.lead_time_days
        if days:
            return "stock-mto", _("Made to order, ships in about %(days)d days", days=days)
        return "stock-mto", _("Made to order")
    if available <= 0:
        return "stock-out", _("Sold out")
    if is_low_stock(False, available, product.low_stock_threshold):
        return "stock-low", _("Only %(n)d left", n=available)
    return "stock-in", _("In stock")


def product_cards(rows) -> list[ProductCard]:
    """Cards for card rows (queries.CardRow), in order."""
    uploads = storage().url("")  # the prefix every stored name is appended to
    placeholder = url_for("static", filename="img/product-placeholder.svg")
    cards = []
    for row in rows:
        name = localized(row, "name")
        stock_class, stock_label = stock_status(row)
        thumb = row.thumb_filename
        price = price_now(row)
        cards.append(
            ProductCard(
                id=row.id,
                slug=row.slug,
                name=name,
                url=url_for("catalogue.product", slug=row.slug),
                image_src=uploads + thumb if thumb else placeholder,
                image_alt=row.image_alt or name,
                producer_name=row.producer_name,
                stars=row.stars,
                price=price,
                unit=row.unit,
                stock_class=stock_class,
                stock_label=stock_label,
                rating_average=(
                    round(row.rating_sum / row.rating_count, 1) if row.rating_count else None
                ),
                rating_count=row.rating_count,
                list_price=row.price,
                percent_off=percent_off(row.price, price),
                price_from=row.price_max is not None and row.price_max > row.price,
            )
        )
    return cards


class ListingLinks:
    """Links to the listing with some filters changed, for its facets, chips and pages."""

    def __init__(self, filters):
        self.filters = filters

    def __call__(self, **changes) -> str:
        """These filters with `changes`, back on page 1."""
        return url_for("catalogue.products", **self.filters.to_args(**{"page": 1, **changes}))

    def page(self, number: int) -> str:
        return url_for("catalogue.products", **self.filters.to_args(page=number))

"""Product cards for the HTML pages, prepared in Python once per grid.

A listing shows 24 cards. Rendering each one through nested Jinja macros (a url_for, a star
badge macro and two or three translation lookups per card) was over half of the listing's
cost. Here everything that is the same for the whole grid (URL prefixes, translated labels) is
computed once, and a card in the template is a handful of attribute reads. The markup itself
stays in templates/_macros/catalogue.html.

The stock wording works on card rows and Product objects alike (same attribute names), so
cards and the product page share one source.
"""

from functools import partial
from typing import NamedTuple
from urllib.parse import quote, urlencode

from flask import current_app, get_template_attribute, url_for
from flask_babel import get_locale
from markupsafe import Markup

from ..core.i18n import gettext as _
from ..storage import storage
from .cache import TTLCache, cache_seconds
from .models import is_low_stock

_SLUG_MARK = "__slug__"
# What url_for leaves unescaped in a path segment (werkzeug.routing.BaseConverter.to_url).
_PATH_SAFE = "!$&'()*+,/:;=@"


class ProductCard(NamedTuple):  # a tuple: cheap to build 24 of per page
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


class StockLabels:
    """Stock wording ("In stock", "Only 3 left"…), translated once per distinct text."""

    def __init__(self):
        self._memo: dict[tuple, str] = {}

    def _label(self, key: tuple) -> str:
        label = self._memo.get(key)
        if label is None:
            kind, n = key
            if kind == "mto_days":
                label = _("Made to order, ships in about %(days)d days", days=n)
            elif kind == "mto":
                label = _("Made to order")
            elif kind == "out":
                label = _("Sold out")
            elif kind == "low":
                label = _("Only %(n)d left", n=n)
            else:
                label = _("In stock")
            self._memo[key] = label
        return label

    def __call__(self, product) -> tuple[str, str]:
        """(css class, label) for a Product or a card row."""
        available = product.available
        if product.made_to_order:
            days = product.lead_time_days
            return "stock-mto", self._label(("mto_days", days) if days else ("mto", 0))
        if available <= 0:
            return "stock-out", self._label(("out", 0))
        if is_low_stock(False, available, product.low_stock_threshold):
            return "stock-low", self._label(("low", available))
        return "stock-in", self._label(("in", 0))


def stock_status(product) -> tuple[str, str]:
    return StockLabels()(product)


def product_url_parts() -> tuple[str, str]:
    """What url_for('catalogue.product', slug=…) puts before and after the slug."""
    before, _mark, after = url_for("catalogue.product", slug=_SLUG_MARK).partition(_SLUG_MARK)
    return before, after


def product_url(slug: str) -> str:
    before, after = product_url_parts()
    return before + quote(slug, safe=_PATH_SAFE) + after


# Rendered cards kept per process: enough for the cards of a few hundred listing pages.
CARD_HTML_ENTRIES = 4096


def rendered_cards(rows, heading: str = "h3") -> Markup:
    """The cards of `rows` (queries.load_cards), rendered by the product_card macro.

    A card's HTML is a function of its row (every value it shows), the heading tag and the
    language, so it is kept under exactly that key: the rows are loaded fresh on every
    request and any change (price, stock, stars, name, image) is a new key. Only identical
    HTML is not rebuilt.
    """
    memo = current_app.extensions.get("catalogue_card_html")
    if memo is None:
        memo = TTLCache(cache_seconds(current_app), max_entries=CARD_HTML_ENTRIES)
        current_app.extensions["catalogue_card_html"] = memo
    locale = str(get_locale())

    def render(row) -> Markup:
        card_macro = get_template_attribute("_macros/catalogue.html", "product_card")
        return card_macro(product_cards([row])[0], heading)

    return Markup("").join(
        memo.get_or_set((locale, heading, tuple(row)), partial(render, row)) for row in rows
    )


def product_cards(rows) -> list[ProductCard]:
    """Cards for card rows (queries.load_cards), in order."""
    if not rows:
        return []
    before, after = product_url_parts()
    uploads = storage().url("")  # the prefix every stored name is appended to
    placeholder = url_for("static", filename="img/product-placeholder.svg")
    stock = StockLabels()
    cards = []
    for row in rows:
        thumb = row.thumb_filename
        stock_class, stock_label = stock(row)
        cards.append(
            ProductCard(
                slug=row.slug,
                name=row.name,
                url=before + quote(row.slug, safe=_PATH_SAFE) + after,
                image_src=uploads + quote(thumb, safe=_PATH_SAFE) if thumb else placeholder,
                image_alt=row.image_alt or row.name,
                producer_name=row.producer_name,
                stars=row.stars,
                price=row.price,
                unit=row.unit,
                stock_class=stock_class,
                stock_label=stock_label,
            )
        )
    return cards


# What url_for leaves unescaped in a query string (werkzeug.urls._urlencode).
_QUERY_SAFE = "!$'()*,/:;?@"


class ListingLinks:
    """Links to the listing with some filters changed, for its facets, chips and pages.

    A listing page has twenty-odd of them; one url_for for the path and a urlencode each
    gives the same URLs as url_for('catalogue.products', **args) at a fraction of the cost.
    """

    def __init__(self, filters):
        self.filters = filters
        self.path = url_for("catalogue.products")

    def _url(self, args: dict) -> str:
        if not args:
            return self.path
        return self.path + "?" + urlencode(list(args.items()), safe=_QUERY_SAFE)

    def __call__(self, **changes) -> str:
        """These filters with `changes`, back on page 1."""
        return self._url(self.filters.to_args(**{"page": 1, **changes}))

    def page(self, number: int) -> str:
        return self._url(self.filters.to_args(page=number))

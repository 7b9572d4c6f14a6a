"""Keep a product's search fields in step with its text. Call after creating or editing a
product (or renaming its producer). Owned by the catalogue feature.

The search index is the `product_search_tokens` table (see search.py). Bulk loaders that insert
products without the ORM can insert `search_token_rows(product)` themselves.
"""

from ..core.places import place_label
from ..text import fold
from .models import ProductSearchToken, SearchField
from .search import words

# Bounds the index size per product; descriptions longer than this add little to recall.
MAX_TOKENS_PER_PRODUCT = 400


def _place_text(producer) -> str:
    if producer is None:
        return ""
    place = place_label(producer.province_code, producer.ward_code)
    return " ".join(p for p in (place, producer.historical_address) if p)


def search_token_rows(product) -> list[dict]:
    """Distinct (token, raw) pairs of the product's searchable text, each with its best weight."""
    producer = product.producer
    fields = (
        (SearchField.NAME, product.name),
        (SearchField.DESCRIPTION, product.description),
        (SearchField.PRODUCER, producer.name if producer else ""),
        (SearchField.PLACE, _place_text(producer)),
    )
    best: dict[tuple[str, str], int] = {}
    for field, text in fields:
        for term in words(text):
            key = (term.folded, term.raw)
            if best.get(key, 0) < field.value:
                best[key] = field.value
    rows = [{"token": t, "raw": r, "weight": w} for (t, r), w in best.items()]
    rows.sort(key=lambda row: -row["weight"])
    return rows[:MAX_TOKENS_PER_PRODUCT]


def refresh_search_fields(product) -> None:
    producer = product.producer
    parts = [
        product.name,
        product.description,
        producer.name if producer else "",
        _place_text(producer),
    ]
    product.name_folded = fold(product.name)
    product.search_text = fold(" ".join(p for p in parts if p))
    product.search_tokens = [ProductSearchToken(**row) for row in search_token_rows(product)]
    if producer is not None:
        producer_parts = (producer.name, _place_text(producer))
        producer.search_text = fold(" ".join(p for p in producer_parts if p))


def refresh_producer_products(producer) -> None:
    """After a producer is renamed or moves, its products' producer and place words change."""
    for product in producer.products:
        refresh_search_fields(product)

"""Keep a product's search fields in step with its text. Call after creating or editing a
product (or renaming its producer). Owned by the catalogue feature."""

from ..core.places import place_label
from ..text import fold


def refresh_search_fields(product) -> None:
    producer = product.producer
    place = place_label(producer.province_code, producer.ward_code) if producer else ""
    parts = [
        product.name,
        product.description,
        producer.name if producer else "",
        place,
        producer.historical_address if producer else "",
    ]
    product.name_folded = fold(product.name)
    product.search_text = fold(" ".join(p for p in parts if p))

"""CSV import of stock counts: parse and check every row (the preview), then apply.

The preview is stateless: the page posts the CSV text back, and `apply_counts`
parses and checks it again, so nothing the browser sends is trusted twice. An
import applies only when every row is valid: half an inventory count is worse
than none.

Format: a header row with `sku` and `count`, one row per variant (other columns,
such as the name in our export, are ignored). Files from before variants, with
`product_id` instead of `sku`, still work for products with a single variant.
Commas, semicolons (Excel in Vietnamese) or tabs; UTF-8 with or without a BOM.
"""

import csv
import io
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..admin import audit
from ..catalogue.models import Product, ProductVariant, VariantStatus
from ..core.validators import DB_INT_MAX, parse_id, parse_int
from ..errors import ValidationFailed
from ..producers import inventory
from ..producers.inventory import MAX_STOCK
from ..producers.models import Producer, StockReason

MAX_ROWS = 2000
MAX_BYTES = 512 * 1024
SKU_COLUMNS = ("sku", "mã sku", "ma_sku")
ID_COLUMNS = ("product_id", "id")
COUNT_COLUMNS = ("count", "stock", "on_hand")


@dataclass
class ImportRow:
    line: int
    raw_id: str
    raw_count: str
    variant: ProductVariant | None = None
    counted: int | None = None
    errors: list = field(default_factory=list)

    @property
    def product(self) -> Product | None:
        return self.variant.product if self.variant is not None else None

    @property
    def delta(self) -> int | None:
        if self.variant is None or self.counted is None:
            return None
        return self.counted - self.variant.stock_on_hand


@dataclass
class ImportPreview:
    rows: list[ImportRow]

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def changes(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.errors and row.delta]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and self.error_count == 0


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ValidationFailed(_l("The CSV file is too large. The limit is 512 KB."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed(
            _l("The CSV file is not UTF-8 text. In Excel choose “CSV UTF-8” when saving.")
        ) from None


def _reader(text: str) -> csv.DictReader:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return csv.DictReader(io.StringIO(text), dialect=dialect)


def _column(fieldnames: list[str], candidates: tuple[str, ...]) -> str | None:
    normalised = {name.strip().lower(): name for name in fieldnames if name}
    return next((normalised[c] for c in candidates if c in normalised), None)


def preview(session: Session, producer: Producer, text: str) -> ImportPreview:
    """Check every row against this producer's products. Raises only for an unusable file."""
    if not text.strip():
        raise ValidationFailed(_l("The CSV file is empty."))
    reader = _reader(text)
    fieldnames = reader.fieldnames or []
    sku_column = _column(fieldnames, SKU_COLUMNS)
    id_column = sku_column or _column(fieldnames, ID_COLUMNS)
    count_column = _column(fieldnames, COUNT_COLUMNS)
    if id_column is None or count_column is None:
        raise ValidationFailed(
            _l("The first row must name the columns sku and count (see the example).")
        )

    rows: list[ImportRow] = []
    for record in reader:
        if len(rows) >= MAX_ROWS:
            raise ValidationFailed(
                _l("The file has more than %(n)d rows. Split it and import each part.", n=MAX_ROWS)
            )
        raw_id = (record.get(id_column) or "").strip()
        raw_count = (record.get(count_column) or "").strip()
        if not raw_id and not raw_count:
            continue  # blank line
        rows.append(ImportRow(line=reader.line_num, raw_id=raw_id, raw_count=raw_count))
    if not rows:
        raise ValidationFailed(_l("The CSV file has no data rows."))

    if sku_column is not None:
        _find_by_sku(session, producer, rows)
    else:
        _find_by_product_id(session, producer, rows)
    for row in rows:
        row.counted = parse_int(row.raw_count, -DB_INT_MAX, DB_INT_MAX)
        if row.counted is None:
            row.errors.append(_l("The count must be a whole number, e.g. 12."))
            continue
        if row.counted < 0:
            row.errors.append(_l("A stock count cannot be negative."))
        elif row.counted > MAX_STOCK:
            row.errors.append(
                _l("Stock cannot go above %(max)d units of one product.", max=MAX_STOCK)
            )
        elif row.variant is not None and row.counted < row.variant.stock_reserved:
            row.errors.append(
                _l(
                    "The count %(counted)d is below the %(reserved)d units reserved "
                    "for open orders.",
                    counted=row.counted,
                    reserved=row.variant.stock_reserved,
                )
            )
    return ImportPreview(rows=rows)


def _own_variants(producer: Producer):
    return (
        select(ProductVariant)
        .join(ProductVariant.product)
        .where(Product.producer_id == producer.id, ProductVariant.status == VariantStatus.ACTIVE)
    )


def _find_by_sku(session: Session, producer: Producer, rows: list[ImportRow]) -> None:
    wanted = {row.raw_id.upper() for row in rows if row.raw_id and len(row.raw_id) <= 120}
    variants = {
        variant.sku.upper(): variant
        for variant in session.scalars(
            _own_variants(producer).where(func.upper(ProductVariant.sku).in_(wanted))
        )
    }
    seen: set[int] = set()
    for row in rows:
        row.variant = variants.get(row.raw_id.upper())
        if row.variant is None:
            # Same words for "someone else's" and "missing": other shops' SKUs stay secret.
            row.errors.append(
                _l("No variant with SKU %(sku)s on sale in your shop.", sku=row.raw_id[:120])
            )
        elif row.variant.id in seen:
            row.errors.append(_l("This SKU appears more than once in the file."))
        else:
            seen.add(row.variant.id)


def _find_by_product_id(session: Session, producer: Producer, rows: list[ImportRow]) -> None:
    """A file from before variants: a product id stands for the product's only variant."""
    ids = {row.line: parse_id(row.raw_id) for row in rows}
    wanted = {product_id for product_id in ids.values() if product_id is not None}
    by_product: dict[int, list[ProductVariant]] = {}
    for variant in session.scalars(_own_variants(producer).where(Product.id.in_(wanted))):
        by_product.setdefault(variant.product_id, []).append(variant)
    seen: set[int] = set()
    for row in rows:
        product_id = ids[row.line]
        variants = by_product.get(product_id, [])
        if product_id is None:
            row.errors.append(_l("The product id must be a whole number."))
        elif not variants:
            # Same words for "someone else's" and "missing": ids of other shops stay secret.
            row.errors.append(_l("No product with id %(id)s in your shop.", id=row.raw_id))
        elif len(variants) > 1:
            row.errors.append(
                _l("This product has several variants: give one row per SKU (column sku).")
            )
        elif product_id in seen:
            row.errors.append(_l("This product appears more than once in the file."))
        else:
            row.variant = variants[0]
        if product_id is not None:
            seen.add(product_id)


def apply_counts(session: Session, producer: Producer, text: str, user_id: int | None) -> int:
    """Check again, then set every count through the inventory ledger. Returns rows changed."""
    checked = preview(session, producer, text)
    if not checked.ok:
        raise ValidationFailed(
            _l(
                "The file still has %(n)d rows with errors. Nothing was changed.",
                n=checked.error_count,
            )
        )
    changed = 0
    for row in sorted(checked.rows, key=lambda r: r.variant.id):
        movement = inventory.set_count(
            session,
            row.variant.id,
            row.counted,
            reason=StockReason.IMPORT,
            note="CSV",
            user_id=user_id,
        )
        changed += movement is not None
    session.flush()
    audit.record(
        session,
        user_id,
        "producer.import_stock_counts",
        producer,
        None,
        {"rows": len(checked.rows), "products_changed": changed},
    )
    return changed

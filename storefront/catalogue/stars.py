"""A product's OCOP stars, read from its own row.

`products.ocop3_until`, `ocop4_until` and `ocop5_until` hold the last day on which a verified
certificate of at least 3, 4 or 5 stars is valid. The stars on day `on` are then the highest
level whose day is still to come: exact on the day a certificate lapses (a 5-star certificate
ending before a renewed 4-star one shows 4 stars the next day), with no nightly job.

The database keeps the three columns itself, with triggers on `certificates` (after every
insert, delete and update), so every writer keeps them in its own transaction: the review
services' conditional UPDATEs, the ORM, seeding, the bench's bulk INSERTs.

A verified certificate counts from its signing day; none is signed after the day it is
submitted (certificates.submit_certificate refuses it), so for today and later days the
columns give what the certificates give (Product.stars_on stays the reference, and the tests
compare the two).
"""

from datetime import date

from sqlalchemy import case, event

from .models import Certificate, Product

LEVELS = (3, 4, 5)

_UNTIL = {3: Product.ocop3_until, 4: Product.ocop4_until, 5: Product.ocop5_until}


def at_least(level: int, on: date):
    """SQL: the product has a certificate of at least `level` stars valid on `on`."""
    return _UNTIL[level] >= on


def stars(on: date, none=None):
    """SQL: the product's stars on `on` (`none` without a valid certificate)."""
    return case(*((at_least(level, on), level) for level in reversed(LEVELS)), else_=none)


def _values(product_id: str) -> str:
    best = (
        "(SELECT max(c.valid_until) FROM certificates c WHERE c.product_id = {product_id}"
        " AND c.status = 'verified' AND c.stars >= {level})"
    )
    return ", ".join(
        f"ocop{level}_until = " + best.format(product_id=product_id, level=level)
        for level in LEVELS
    )


def _refresh(row: str) -> str:
    """The UPDATE that recomputes the columns of the certificate `row`'s product."""
    # Built from this module's constants only (NEW, OLD, column names): no input gets in.
    return f"UPDATE products SET {_values(row + '.product_id')} WHERE id = {row}.product_id"  # noqa: S608  # nosec B608


def _refresh_set(product_ids: str) -> str:
    """One UPDATE for the products whose ids `product_ids` (a SELECT) gives: set-based, so a
    bulk INSERT of 40,000 certificates is one join, not 40,000 lookups."""
    levels = ", ".join(
        f"max(c.valid_until) FILTER (WHERE c.stars >= {level}) AS u{level}" for level in LEVELS
    )
    values = ", ".join(f"ocop{level}_until = s.u{level}" for level in LEVELS)
    return (
        f"UPDATE products SET {values} FROM (SELECT ids.id, {levels} "  # noqa: S608  # nosec B608
        f"FROM ({product_ids}) AS ids (id) LEFT JOIN certificates c "
        "ON c.product_id = ids.id AND c.status = 'verified' GROUP BY ids.id) AS s "
        "WHERE products.id = s.id"
    )


# PostgreSQL: statement triggers with transition tables (one per event, as PostgreSQL wants).
# A row trigger's lookups were planned once, while the table was empty: a bulk seed of 40,000
# certificates then scanned the table for each row (minutes, not seconds).
_CHANGED = {
    "INSERT": "SELECT product_id FROM new_rows",
    "DELETE": "SELECT product_id FROM old_rows",
    # Only rows whose stars, validity, status or product changed (not a reminder's date).
    "UPDATE": " UNION ".join(
        f"SELECT {side}.product_id FROM new_rows n JOIN old_rows o ON o.id = n.id "  # noqa: S608  # nosec B608
        "WHERE (n.status, n.stars, n.valid_until, n.product_id) "
        "IS DISTINCT FROM (o.status, o.stars, o.valid_until, o.product_id)"
        for side in ("n", "o")
    ),
}
_TRANSITIONS = {
    "INSERT": "NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
}
POSTGRES_DDL = [
    f"""CREATE OR REPLACE FUNCTION storefront_product_stars() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        {_refresh_set(_CHANGED["INSERT"])};
      ELSIF TG_OP = 'DELETE' THEN
        {_refresh_set(_CHANGED["DELETE"])};
      ELSE
        {_refresh_set(_CHANGED["UPDATE"])};
      END IF;
      RETURN NULL;
    END $$""",
    *(
        f"""CREATE OR REPLACE TRIGGER certificates_product_stars_{event.lower()}
    AFTER {event} ON certificates REFERENCING {_TRANSITIONS[event]}
    FOR EACH STATEMENT EXECUTE FUNCTION storefront_product_stars()"""
        for event in ("INSERT", "UPDATE", "DELETE")
    ),
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS certificates_product_stars_insert ON certificates",
    "DROP TRIGGER IF EXISTS certificates_product_stars_update ON certificates",
    "DROP TRIGGER IF EXISTS certificates_product_stars_delete ON certificates",
    "DROP FUNCTION IF EXISTS storefront_product_stars()",
]

SQLITE_DDL = [
    f"""CREATE TRIGGER IF NOT EXISTS certificates_stars_insert AFTER INSERT ON certificates
    BEGIN {_refresh("NEW")}; END""",
    f"""CREATE TRIGGER IF NOT EXISTS certificates_stars_update
    AFTER UPDATE OF status, stars, valid_until, product_id ON certificates
    BEGIN {_refresh("OLD")}; {_refresh("NEW")}; END""",
    f"""CREATE TRIGGER IF NOT EXISTS certificates_stars_delete AFTER DELETE ON certificates
    BEGIN {_refresh("OLD")}; END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS certificates_stars_delete",
    "DROP TRIGGER IF EXISTS certificates_stars_update",
    "DROP TRIGGER IF EXISTS certificates_stars_insert",
]

# Every certified product's columns from its certificates (migration 0018, bulk seeding).
REFRESH_ALL = (
    f"UPDATE products SET {_values('products.id')} "  # noqa: S608  # nosec B608
    "WHERE id IN (SELECT product_id FROM certificates)"
)


def install(connection) -> None:
    statements = POSTGRES_DDL if connection.dialect.name == "postgresql" else SQLITE_DDL
    for statement in statements:
        connection.exec_driver_sql(statement)


def uninstall(connection) -> None:
    statements = POSTGRES_DROP if connection.dialect.name == "postgresql" else SQLITE_DROP
    for statement in statements:
        connection.exec_driver_sql(statement)


event.listen(
    Certificate.__table__, "after_create", lambda target, connection, **kw: install(connection)
)
event.listen(
    Certificate.__table__, "before_drop", lambda target, connection, **kw: uninstall(connection)
)

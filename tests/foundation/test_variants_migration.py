"""The variants migration on a database filled by the previous schema: every product becomes a
product with one variant, and no stock, cart, order or ledger row is lost (SQLite and PG)."""

import uuid

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from storefront import create_app
from storefront.extensions import db
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL, make_config
from tests.foundation.test_migrations import old_expression_index_tolerated

VARIANTS_REVISION = "0017_variants"
WHEN = "'2026-12-01 10:00:00'"

OLD_ROWS = [
    "INSERT INTO producers (id, name, slug, kind, story, status, search_text, created_at) "
    f"VALUES (1, 'HTX Mật ong', 'htx-mat-ong', 'cooperative', '', 'approved', '', {WHEN})",
    *[
        'INSERT INTO products (id, producer_id, name, slug, "group", description, unit, price, '
        "stock_on_hand, stock_reserved, low_stock_threshold, made_to_order, status, featured, "
        f"created_at) VALUES ({pid}, 1, '{name}', '{slug}', 'food', '', 'hũ', {price}, {on_hand}, "
        f"{reserved}, 4, {mto}, 'active', FALSE, {WHEN})"
        for pid, name, slug, price, on_hand, reserved, mto in (
            (1, "Mật ong bạc hà", "mat-ong-bac-ha", 350000, 10, 2, "FALSE"),
            (2, "Váy lanh", "vay-lanh", 2400000, 0, 0, "TRUE"),
        )
    ],
    f"INSERT INTO carts (id, token, created_at) VALUES (1, 'tok', {WHEN})",
    "INSERT INTO cart_lines (id, cart_id, product_id, quantity, price_seen, created_at) VALUES "
    f"(1, 1, 1, 3, 350000, {WHEN}), (2, 1, 2, 1, 2400000, {WHEN})",
    "INSERT INTO orders (id, number, access_token, email, name, phone, province_code, "
    "ward_code, street, locale, payment_method, payment_status, items_total, shipping_total, "
    "grand_total, refunded_total, created_at) VALUES (1, 'OCOP-2026-000001', 'acc', "
    f"'a@example.vn', 'Mai', '0912345678', 8, 721, 'Thôn', 'vi', 'cod', 'cod', 700000, 0, "
    f"700000, 0, {WHEN})",
    "INSERT INTO producer_orders (id, order_id, producer_id, producer_name, status, subtotal, "
    "shipping_fee, total, commission_rate_bp, refunded_amount, cash_received, created_at) "
    f"VALUES (1, 1, 1, 'HTX Mật ong', 'confirmed', 700000, 0, 700000, 800, 0, FALSE, {WHEN})",
    "INSERT INTO order_lines (id, order_id, producer_order_id, product_id, producer_id, "
    "product_name, product_slug, producer_name, unit, unit_price, quantity, line_total, "
    "made_to_order) VALUES "
    "(1, 1, 1, 1, 1, 'Mật ong bạc hà', 'mat-ong-bac-ha', 'HTX', 'hũ', 350000, 2, 700000, FALSE), "
    "(2, 1, 1, NULL, 1, 'Đã xoá', 'da-xoa', 'HTX', 'hũ', 1, 1, 1, FALSE)",
    "INSERT INTO stock_movements (id, product_id, reason, delta_on_hand, delta_reserved, "
    f"producer_order_id, created_at) VALUES (1, 1, 'initial', 10, 0, NULL, {WHEN}), "
    f"(2, 1, 'reserve', 0, 2, 1, {WHEN})",
]


def _previous_revision(app) -> str:
    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    return script.get_revision(VARIANTS_REVISION).down_revision


def _rows(sql: str) -> list[tuple]:
    return [tuple(row) for row in db.session.execute(text(sql))]


def _migrate_filled_database(url: str) -> None:
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS={}))
    with app.app_context():
        with old_expression_index_tolerated():
            upgrade(revision=_previous_revision(app))
        with db.engine.begin() as connection:
            for statement in OLD_ROWS:
                connection.execute(text(statement))
            if db.engine.dialect.name == "postgresql":  # ids were given: move the sequences on
                for table in ("products", "stock_movements", "cart_lines", "order_lines"):
                    connection.execute(
                        text(f"SELECT setval('{table}_id_seq', (SELECT MAX(id) FROM {table}))")
                    )
        upgrade(revision=VARIANTS_REVISION)

        variants = _rows(
            "SELECT product_id, sku, price, stock_on_hand, stock_reserved, low_stock_threshold, "
            "weight_grams, status FROM product_variants ORDER BY product_id"
        )
        assert variants == [
            (1, "MAT-ONG-BAC-HA", 350000, 10, 2, 4, 500, "active"),
            (2, "VAY-LANH", 2400000, 0, 0, 4, 500, "active"),
        ]
        ids = dict(_rows("SELECT product_id, id FROM product_variants"))
        assert _rows(
            "SELECT id, price, price_max, stock_on_hand, stock_reserved FROM products ORDER BY id"
        ) == [(1, 350000, 350000, 10, 2), (2, 2400000, 2400000, 0, 0)]
        assert _rows("SELECT id, variant_id, quantity FROM cart_lines ORDER BY id") == [
            (1, ids[1], 3),
            (2, ids[2], 1),
        ]
        assert _rows(
            "SELECT id, variant_id, sku, variant_label, weight_grams FROM order_lines ORDER BY id"
        ) == [(1, ids[1], "MAT-ONG-BAC-HA", "", 500), (2, None, "", "", 500)]
        assert _rows(
            "SELECT id, variant_id, delta_on_hand, delta_reserved FROM stock_movements ORDER BY id"
        ) == [(1, ids[1], 10, 0), (2, ids[1], 0, 2)]

        # The migrated rows work: the order's reservation is released per variant, the
        # search index (SQLite's FTS5 triggers on products) still follows the products. The
        # shop's queries are today's: the later migrations first (0018 adds the stars columns
        # the listing reads). The session's reads end first: PostgreSQL's ALTER TABLE would wait
        # for their transaction.
        db.session.commit()
        upgrade()
        from storefront.catalogue.queries import ProductFilters, search_products
        from storefront.clock import today_vn
        from storefront.orders.models import ProducerOrder
        from storefront.producers import inventory

        sub_order = db.session.get(ProducerOrder, 1)
        inventory.release_lines(db.session, sub_order.lines, sub_order.id)
        db.session.commit()
        assert _rows("SELECT stock_reserved FROM product_variants WHERE product_id = 1") == [(0,)]
        assert _rows("SELECT stock_reserved FROM products WHERE id = 1") == [(0,)]
        db.session.execute(text("UPDATE products SET name = 'Mật ong hoa ban' WHERE id = 1"))
        db.session.commit()
        assert search_products(ProductFilters(q="hoa ban"), today_vn()).total == 1

        # And back: products keep their stock, carts their lines.
        db.session.remove()
        downgrade(revision=_previous_revision(app))
        assert _rows("SELECT id, stock_on_hand FROM products ORDER BY id") == [(1, 10), (2, 0)]
        assert _rows("SELECT count(*) FROM cart_lines") == [(2,)]
        db.engine.dispose()


def test_sqlite_filled_database_gets_one_variant_per_product(tmp_path):
    _migrate_filled_database(f"sqlite:///{tmp_path / 'filled.db'}")


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: set TEST_DATABASE_URL")
def test_postgres_filled_database_gets_one_variant_per_product():
    server = make_url(TEST_DATABASE_URL)
    name = f"ocop_variants_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        _migrate_filled_database(server.set(database=name).render_as_string(False))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

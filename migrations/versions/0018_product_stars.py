"""product stars on the product row, and the facet counts' index

Revision ID: 0018_product_stars
Revises: 0017_variants
Create Date: 2026-12-03 19:00:00

products gets ocop3_until, ocop4_until and ocop5_until: the last day on which a verified
certificate of at least 3, 4 or 5 stars is valid. Triggers on certificates keep them
(storefront/catalogue/stars.py: statement triggers with transition tables on PostgreSQL,
row triggers on SQLite); they are filled here from the existing certificates. The
partial index ix_products_facets (active products) lets the listing's facet counts read the
index alone.

SQLite: products is never rebuilt (its FTS5 triggers would go): plain ADD COLUMN, and a
downgrade uses SQLite's own DROP COLUMN.
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_product_stars"
down_revision = "0017_variants"
branch_labels = None
depends_on = None

COLUMNS = ("ocop3_until", "ocop4_until", "ocop5_until")

# The SQL frozen here as storefront/catalogue/stars.py has it.
POSTGRES_DDL = [
    "CREATE OR REPLACE FUNCTION storefront_product_stars() RETURNS trigger\n    LANGUAGE plpgsql AS $$\n    BEGIN\n      IF TG_OP = 'INSERT' THEN\n        UPDATE products SET ocop3_until = s.u3, ocop4_until = s.u4, ocop5_until = s.u5 FROM (SELECT ids.id, max(c.valid_until) FILTER (WHERE c.stars >= 3) AS u3, max(c.valid_until) FILTER (WHERE c.stars >= 4) AS u4, max(c.valid_until) FILTER (WHERE c.stars >= 5) AS u5 FROM (SELECT product_id FROM new_rows) AS ids (id) LEFT JOIN certificates c ON c.product_id = ids.id AND c.status = 'verified' GROUP BY ids.id) AS s WHERE products.id = s.id;\n      ELSIF TG_OP = 'DELETE' THEN\n        UPDATE products SET ocop3_until = s.u3, ocop4_until = s.u4, ocop5_until = s.u5 FROM (SELECT ids.id, max(c.valid_until) FILTER (WHERE c.stars >= 3) AS u3, max(c.valid_until) FILTER (WHERE c.stars >= 4) AS u4, max(c.valid_until) FILTER (WHERE c.stars >= 5) AS u5 FROM (SELECT product_id FROM old_rows) AS ids (id) LEFT JOIN certificates c ON c.product_id = ids.id AND c.status = 'verified' GROUP BY ids.id) AS s WHERE products.id = s.id;\n      ELSE\n        UPDATE products SET ocop3_until = s.u3, ocop4_until = s.u4, ocop5_until = s.u5 FROM (SELECT ids.id, max(c.valid_until) FILTER (WHERE c.stars >= 3) AS u3, max(c.valid_until) FILTER (WHERE c.stars >= 4) AS u4, max(c.valid_until) FILTER (WHERE c.stars >= 5) AS u5 FROM (SELECT n.product_id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE (n.status, n.stars, n.valid_until, n.product_id) IS DISTINCT FROM (o.status, o.stars, o.valid_until, o.product_id) UNION SELECT o.product_id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE (n.status, n.stars, n.valid_until, n.product_id) IS DISTINCT FROM (o.status, o.stars, o.valid_until, o.product_id)) AS ids (id) LEFT JOIN certificates c ON c.product_id = ids.id AND c.status = 'verified' GROUP BY ids.id) AS s WHERE products.id = s.id;\n      END IF;\n      RETURN NULL;\n    END $$",
    'CREATE OR REPLACE TRIGGER certificates_product_stars_insert\n    AFTER INSERT ON certificates REFERENCING NEW TABLE AS new_rows\n    FOR EACH STATEMENT EXECUTE FUNCTION storefront_product_stars()',
    'CREATE OR REPLACE TRIGGER certificates_product_stars_update\n    AFTER UPDATE ON certificates REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows\n    FOR EACH STATEMENT EXECUTE FUNCTION storefront_product_stars()',
    'CREATE OR REPLACE TRIGGER certificates_product_stars_delete\n    AFTER DELETE ON certificates REFERENCING OLD TABLE AS old_rows\n    FOR EACH STATEMENT EXECUTE FUNCTION storefront_product_stars()',
]
POSTGRES_DROP = [
    'DROP TRIGGER IF EXISTS certificates_product_stars_insert ON certificates',
    'DROP TRIGGER IF EXISTS certificates_product_stars_update ON certificates',
    'DROP TRIGGER IF EXISTS certificates_product_stars_delete ON certificates',
    'DROP FUNCTION IF EXISTS storefront_product_stars()',
]
SQLITE_DDL = [
    "CREATE TRIGGER IF NOT EXISTS certificates_stars_insert AFTER INSERT ON certificates\n    BEGIN UPDATE products SET ocop3_until = (SELECT max(c.valid_until) FROM certificates c WHERE c.product_id = NEW.product_id AND c.status = 'verified' AND c.stars >= 3), ocop4_until = (SELECT max(c.valid_until) FROM certificates c WHERE c.product_id = NEW.product_id AND c.status = 'verified' AND c.stars >= 4), ocop5_until = (SELECT max(c.valid_until) FROM certificates c WHERE c.product_id = NEW.product_id AND c.status = 'verified' AND c.stars >= 5) WHERE id = NEW.product_id; END",
    "CREATE TRIGGER IF NOT EXISTS certificates_stars_update\n    AFTER UPDATE OF status, stars, valid_until, product_id ON certificates\n    BEGIN UPDATE products SET ocop3_until = (SELECT max(c.valid_until) FROM certificates c WHERE c.product_id = OLD.product_id AND c.status = 'verified' AND c.stars >= 3), ocop4_until = (SELECT max(c.valid_until) FROM certificates c WHERE c.product_id = OLD.product_id AND c.status = 'verified' AND c.stars >= 4), ocop5_until = (SELECT max(c.valid_until) FROM certificates c WHERE c.product_id = OLD.product_id AND c.status = 'verified' AND c.stars >= 5) WHERE id = OLD.product_id; UPDATE products SET ocop3_until = (SELECT max(c.valid_until) FROM certificates c WHERE c.product_id = NEW.product_id AND c.status = 'verified' AND c.stars >= 3), ocop4_until = (SELECT max(c.valid_until) FROM certificates c WHERE c.product_id = NEW.product_id AND c.status = 'verified' AND c.stars >= 4), ocop5_until = (SELECT max(c.valid_until) FROM certificates c WHERE c.product_id = NEW.product_id AND c.status = 'verified' AND c.stars >= 5) WHERE id = NEW.product_id; END",
    "CREATE TRIGGER IF NOT EXISTS certificates_stars_delete AFTER DELETE ON certificates\n    BEGIN UPDATE products SET ocop3_until = (SELECT max(c.valid_until) FROM certificates c WHERE c.product_id = OLD.product_id AND c.status = 'verified' AND c.stars >= 3), ocop4_until = (SELECT max(c.valid_until) FROM certificates c WHERE c.product_id = OLD.product_id AND c.status = 'verified' AND c.stars >= 4), ocop5_until = (SELECT max(c.valid_until) FROM certificates c WHERE c.product_id = OLD.product_id AND c.status = 'verified' AND c.stars >= 5) WHERE id = OLD.product_id; END",
]
SQLITE_DROP = [
    'DROP TRIGGER IF EXISTS certificates_stars_delete',
    'DROP TRIGGER IF EXISTS certificates_stars_update',
    'DROP TRIGGER IF EXISTS certificates_stars_insert',
]
REFRESH_ALL = "UPDATE products SET ocop3_until = (SELECT max(c.valid_until) FROM certificates c WHERE c.product_id = products.id AND c.status = 'verified' AND c.stars >= 3), ocop4_until = (SELECT max(c.valid_until) FROM certificates c WHERE c.product_id = products.id AND c.status = 'verified' AND c.stars >= 4), ocop5_until = (SELECT max(c.valid_until) FROM certificates c WHERE c.product_id = products.id AND c.status = 'verified' AND c.stars >= 5) WHERE id IN (SELECT product_id FROM certificates)"


def upgrade():
    for column in COLUMNS:
        op.add_column("products", sa.Column(column, sa.Date(), nullable=True))
    op.create_index(
        "ix_products_facets",
        "products",
        [
            "producer_id",
            "group",
            *COLUMNS,
            "made_to_order",
            "stock_on_hand",
            "stock_reserved",
            "price",
        ],
        postgresql_where=sa.text("status = 'active'"),
        sqlite_where=sa.text("status = 'active'"),
    )
    connection = op.get_bind()
    postgres = connection.dialect.name == "postgresql"
    for statement in POSTGRES_DDL if postgres else SQLITE_DDL:
        connection.exec_driver_sql(statement)
    connection.exec_driver_sql(REFRESH_ALL)


def downgrade():
    connection = op.get_bind()
    postgres = connection.dialect.name == "postgresql"
    for statement in POSTGRES_DROP if postgres else SQLITE_DROP:
        connection.exec_driver_sql(statement)
    op.drop_index("ix_products_facets", table_name="products")
    for column in reversed(COLUMNS):
        op.drop_column("products", column)  # SQLite's own DROP COLUMN keeps the triggers

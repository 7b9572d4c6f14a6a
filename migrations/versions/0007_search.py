"""Search on each database's own full-text search; English names; the catalogue version

- products: name_en, description_en; producers: name_en, story_en (optional English text).
- The token table and the products' folded copies (name_folded, search_text) give way to
  PostgreSQL's tsvector (unaccent, pg_trgm; a trigger keeps it) or SQLite's FTS5 table (kept
  by triggers). The SQL is frozen here as storefront/catalogue/search.py had it.
- Indexes for the listing's sorts: (created_at, id) and (price, id).
- catalogue_state: the version in every catalogue cache key.

SQLite: a later batch migration that rebuilds `products` or `producers` drops their
triggers; it must create them again (tests/foundation/test_migrations.py checks search works
after upgrading).

Revision ID: 0007_search
Revises: 0006_image_variants
Create Date: 2026-12-03 08:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007_search'
down_revision = '0006_image_variants'
branch_labels = None
depends_on = None

POSTGRES_DDL = [
    'CREATE EXTENSION IF NOT EXISTS unaccent',
    'CREATE EXTENSION IF NOT EXISTS pg_trgm',
    "CREATE OR REPLACE FUNCTION storefront_fold(value text) RETURNS text\n    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT\n    RETURN lower(translate(\n      public.unaccent('public.unaccent'::regdictionary, value), '''’ʼ', ''))",
    "CREATE OR REPLACE FUNCTION storefront_name_words(name text, name_en text) RETURNS text\n    LANGUAGE sql IMMUTABLE PARALLEL SAFE\n    RETURN storefront_fold(coalesce(name, '') || ' ' || coalesce(name_en, ''))",
    "CREATE OR REPLACE FUNCTION storefront_fuzzy_words(name text, name_en text) RETURNS text\n    LANGUAGE sql IMMUTABLE PARALLEL SAFE\n    RETURN storefront_name_words(name, name_en) || ' '\n      || replace(storefront_name_words(name, name_en), ' ', '')",
    "CREATE OR REPLACE FUNCTION storefront_group_words(grp text, sub text) RETURNS text\n    LANGUAGE sql IMMUTABLE PARALLEL SAFE\n    RETURN CASE grp WHEN 'food' THEN 'thực phẩm food' WHEN 'beverage' THEN 'đồ uống beverages drinks' WHEN 'herbal' THEN 'thảo dược medicinal herbs' WHEN 'handicraft' THEN 'thủ công mỹ nghệ handicrafts' WHEN 'ornamental' THEN 'sinh vật cảnh ornamental' WHEN 'tourism' THEN 'du lịch cộng đồng community tourism' ELSE '' END || ' ' || CASE sub WHEN 'fresh' THEN 'tươi fresh' WHEN 'raw_preprocessed' THEN 'thô sơ chế raw' WHEN 'processed' THEN 'chế biến processed' WHEN 'alcoholic' THEN 'rượu alcoholic' WHEN 'non_alcoholic' THEN 'trà teas' WHEN 'herbal_products' THEN 'thảo dược herbal' WHEN 'textiles' THEN 'vải dệt may thêu textiles fabric garments embroidery' WHEN 'wood' THEN 'gỗ wood' WHEN 'natural_fibre' THEN 'mây tre natural fibre' WHEN 'metal' THEN 'kim loại metal' WHEN 'ceramics' THEN 'gốm ceramics' WHEN 'plants' THEN 'cây cảnh plants' WHEN 'animals' THEN 'con vật cảnh animals' WHEN 'community' THEN 'du lịch sinh thái eco tourism' ELSE '' END",
    'CREATE OR REPLACE FUNCTION storefront_product_search_vector() RETURNS trigger\n    LANGUAGE plpgsql AS $$\n    BEGIN\n      NEW.search_vector :=\n        setweight(to_tsvector(\'simple\', storefront_name_words(NEW.name, NEW.name_en)), \'A\')\n        || setweight(to_tsvector(\'simple\', storefront_fold(concat_ws(\' \',\n             (SELECT concat_ws(\' \', p.name, p.name_en, p.search_text, p.historical_address)\n                FROM producers p WHERE p.id = NEW.producer_id),\n             storefront_group_words(NEW."group", NEW.subgroup)))), \'B\')\n        || setweight(to_tsvector(\'simple\', storefront_fold(\n             concat_ws(\' \', NEW.description, NEW.description_en))), \'C\');\n      RETURN NEW;\n    END $$',
    "CREATE OR REPLACE FUNCTION storefront_producer_search_vector() RETURNS trigger\n    LANGUAGE plpgsql AS $$\n    BEGIN\n      -- Re-runs the products trigger for the producer's products.\n      UPDATE products SET producer_id = producer_id WHERE producer_id = NEW.id;\n      RETURN NULL;\n    END $$",
    'ALTER TABLE products ADD COLUMN IF NOT EXISTS search_vector tsvector',
    'CREATE OR REPLACE TRIGGER products_search_vector\n    BEFORE INSERT OR UPDATE OF name, name_en, description, description_en, "group", subgroup,\n      producer_id\n    ON products FOR EACH ROW EXECUTE FUNCTION storefront_product_search_vector()',
    'CREATE OR REPLACE TRIGGER producers_search_vector\n    AFTER UPDATE OF name, name_en, search_text, historical_address ON producers\n    FOR EACH ROW WHEN (\n      OLD.name IS DISTINCT FROM NEW.name OR OLD.name_en IS DISTINCT FROM NEW.name_en\n      OR OLD.search_text IS DISTINCT FROM NEW.search_text\n      OR OLD.historical_address IS DISTINCT FROM NEW.historical_address)\n    EXECUTE FUNCTION storefront_producer_search_vector()',
    'CREATE INDEX IF NOT EXISTS ix_products_search_vector ON products USING gin (search_vector)',
    'CREATE INDEX IF NOT EXISTS ix_products_name_trgm ON products\n    USING gin (storefront_fuzzy_words(name, name_en) gin_trgm_ops)',
]
POSTGRES_DROP = [
    'DROP TRIGGER IF EXISTS producers_search_vector ON producers',
    'DROP TRIGGER IF EXISTS products_search_vector ON products',
    'DROP INDEX IF EXISTS ix_products_name_trgm',
    'DROP INDEX IF EXISTS ix_products_search_vector',
    'ALTER TABLE products DROP COLUMN IF EXISTS search_vector',
    'DROP FUNCTION IF EXISTS storefront_producer_search_vector()',
    'DROP FUNCTION IF EXISTS storefront_product_search_vector()',
    'DROP FUNCTION IF EXISTS storefront_group_words(text, text)',
    'DROP FUNCTION IF EXISTS storefront_fuzzy_words(text, text)',
    'DROP FUNCTION IF EXISTS storefront_name_words(text, text)',
    'DROP FUNCTION IF EXISTS storefront_fold(text)',
]
SQLITE_DDL = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS product_search USING fts5(\n    name, about, description, tokenize = 'unicode61 remove_diacritics 2')",
    'CREATE TRIGGER IF NOT EXISTS products_search_insert AFTER INSERT ON products BEGIN\n      INSERT INTO product_search (rowid, name, about, description)\n      SELECT NEW.id, replace(replace(replace(replace(replace(NEW.name || \' \' || coalesce(NEW.name_en, \'\'), \'đ\', \'d\'), \'Đ\', \'D\'), \'\'\'\', \'\'), \'’\', \'\'), \'ʼ\', \'\'), replace(replace(replace(replace(replace(coalesce(p.name, \'\') || \' \' || coalesce(p.name_en, \'\') || \' \' || coalesce(p.search_text, \'\') || \' \' || coalesce(p.historical_address, \'\') || \' \' || CASE NEW."group" WHEN \'food\' THEN \'thực phẩm food\' WHEN \'beverage\' THEN \'đồ uống beverages drinks\' WHEN \'herbal\' THEN \'thảo dược medicinal herbs\' WHEN \'handicraft\' THEN \'thủ công mỹ nghệ handicrafts\' WHEN \'ornamental\' THEN \'sinh vật cảnh ornamental\' WHEN \'tourism\' THEN \'du lịch cộng đồng community tourism\' ELSE \'\' END || \' \' || CASE NEW.subgroup WHEN \'fresh\' THEN \'tươi fresh\' WHEN \'raw_preprocessed\' THEN \'thô sơ chế raw\' WHEN \'processed\' THEN \'chế biến processed\' WHEN \'alcoholic\' THEN \'rượu alcoholic\' WHEN \'non_alcoholic\' THEN \'trà teas\' WHEN \'herbal_products\' THEN \'thảo dược herbal\' WHEN \'textiles\' THEN \'vải dệt may thêu textiles fabric garments embroidery\' WHEN \'wood\' THEN \'gỗ wood\' WHEN \'natural_fibre\' THEN \'mây tre natural fibre\' WHEN \'metal\' THEN \'kim loại metal\' WHEN \'ceramics\' THEN \'gốm ceramics\' WHEN \'plants\' THEN \'cây cảnh plants\' WHEN \'animals\' THEN \'con vật cảnh animals\' WHEN \'community\' THEN \'du lịch sinh thái eco tourism\' ELSE \'\' END, \'đ\', \'d\'), \'Đ\', \'D\'), \'\'\'\', \'\'), \'’\', \'\'), \'ʼ\', \'\'), replace(replace(replace(replace(replace(coalesce(NEW.description, \'\') || \' \' || coalesce(NEW.description_en, \'\'), \'đ\', \'d\'), \'Đ\', \'D\'), \'\'\'\', \'\'), \'’\', \'\'), \'ʼ\', \'\') FROM (SELECT 1) LEFT JOIN producers p ON p.id = NEW.producer_id;\n    END',
    'CREATE TRIGGER IF NOT EXISTS products_search_update\n    AFTER UPDATE OF name, name_en, description, description_en, "group", subgroup, producer_id\n    ON products BEGIN\n      DELETE FROM product_search WHERE rowid = OLD.id;\n      INSERT INTO product_search (rowid, name, about, description)\n      SELECT NEW.id, replace(replace(replace(replace(replace(NEW.name || \' \' || coalesce(NEW.name_en, \'\'), \'đ\', \'d\'), \'Đ\', \'D\'), \'\'\'\', \'\'), \'’\', \'\'), \'ʼ\', \'\'), replace(replace(replace(replace(replace(coalesce(p.name, \'\') || \' \' || coalesce(p.name_en, \'\') || \' \' || coalesce(p.search_text, \'\') || \' \' || coalesce(p.historical_address, \'\') || \' \' || CASE NEW."group" WHEN \'food\' THEN \'thực phẩm food\' WHEN \'beverage\' THEN \'đồ uống beverages drinks\' WHEN \'herbal\' THEN \'thảo dược medicinal herbs\' WHEN \'handicraft\' THEN \'thủ công mỹ nghệ handicrafts\' WHEN \'ornamental\' THEN \'sinh vật cảnh ornamental\' WHEN \'tourism\' THEN \'du lịch cộng đồng community tourism\' ELSE \'\' END || \' \' || CASE NEW.subgroup WHEN \'fresh\' THEN \'tươi fresh\' WHEN \'raw_preprocessed\' THEN \'thô sơ chế raw\' WHEN \'processed\' THEN \'chế biến processed\' WHEN \'alcoholic\' THEN \'rượu alcoholic\' WHEN \'non_alcoholic\' THEN \'trà teas\' WHEN \'herbal_products\' THEN \'thảo dược herbal\' WHEN \'textiles\' THEN \'vải dệt may thêu textiles fabric garments embroidery\' WHEN \'wood\' THEN \'gỗ wood\' WHEN \'natural_fibre\' THEN \'mây tre natural fibre\' WHEN \'metal\' THEN \'kim loại metal\' WHEN \'ceramics\' THEN \'gốm ceramics\' WHEN \'plants\' THEN \'cây cảnh plants\' WHEN \'animals\' THEN \'con vật cảnh animals\' WHEN \'community\' THEN \'du lịch sinh thái eco tourism\' ELSE \'\' END, \'đ\', \'d\'), \'Đ\', \'D\'), \'\'\'\', \'\'), \'’\', \'\'), \'ʼ\', \'\'), replace(replace(replace(replace(replace(coalesce(NEW.description, \'\') || \' \' || coalesce(NEW.description_en, \'\'), \'đ\', \'d\'), \'Đ\', \'D\'), \'\'\'\', \'\'), \'’\', \'\'), \'ʼ\', \'\') FROM (SELECT 1) LEFT JOIN producers p ON p.id = NEW.producer_id;\n    END',
    'CREATE TRIGGER IF NOT EXISTS products_search_delete AFTER DELETE ON products BEGIN\n      DELETE FROM product_search WHERE rowid = OLD.id;\n    END',
    'CREATE TRIGGER IF NOT EXISTS producers_search_update\n    AFTER UPDATE OF name, name_en, search_text, historical_address ON producers BEGIN\n      DELETE FROM product_search\n        WHERE rowid IN (SELECT id FROM products WHERE producer_id = NEW.id);\n      INSERT INTO product_search (rowid, name, about, description)\n      SELECT pr.id, replace(replace(replace(replace(replace(pr.name || \' \' || coalesce(pr.name_en, \'\'), \'đ\', \'d\'), \'Đ\', \'D\'), \'\'\'\', \'\'), \'’\', \'\'), \'ʼ\', \'\'), replace(replace(replace(replace(replace(coalesce(p.name, \'\') || \' \' || coalesce(p.name_en, \'\') || \' \' || coalesce(p.search_text, \'\') || \' \' || coalesce(p.historical_address, \'\') || \' \' || CASE pr."group" WHEN \'food\' THEN \'thực phẩm food\' WHEN \'beverage\' THEN \'đồ uống beverages drinks\' WHEN \'herbal\' THEN \'thảo dược medicinal herbs\' WHEN \'handicraft\' THEN \'thủ công mỹ nghệ handicrafts\' WHEN \'ornamental\' THEN \'sinh vật cảnh ornamental\' WHEN \'tourism\' THEN \'du lịch cộng đồng community tourism\' ELSE \'\' END || \' \' || CASE pr.subgroup WHEN \'fresh\' THEN \'tươi fresh\' WHEN \'raw_preprocessed\' THEN \'thô sơ chế raw\' WHEN \'processed\' THEN \'chế biến processed\' WHEN \'alcoholic\' THEN \'rượu alcoholic\' WHEN \'non_alcoholic\' THEN \'trà teas\' WHEN \'herbal_products\' THEN \'thảo dược herbal\' WHEN \'textiles\' THEN \'vải dệt may thêu textiles fabric garments embroidery\' WHEN \'wood\' THEN \'gỗ wood\' WHEN \'natural_fibre\' THEN \'mây tre natural fibre\' WHEN \'metal\' THEN \'kim loại metal\' WHEN \'ceramics\' THEN \'gốm ceramics\' WHEN \'plants\' THEN \'cây cảnh plants\' WHEN \'animals\' THEN \'con vật cảnh animals\' WHEN \'community\' THEN \'du lịch sinh thái eco tourism\' ELSE \'\' END, \'đ\', \'d\'), \'Đ\', \'D\'), \'\'\'\', \'\'), \'’\', \'\'), \'ʼ\', \'\'), replace(replace(replace(replace(replace(coalesce(pr.description, \'\') || \' \' || coalesce(pr.description_en, \'\'), \'đ\', \'d\'), \'Đ\', \'D\'), \'\'\'\', \'\'), \'’\', \'\'), \'ʼ\', \'\') FROM products pr JOIN producers p ON p.id = pr.producer_id\n        WHERE pr.producer_id = NEW.id;\n    END',
]
SQLITE_DROP = [
    'DROP TRIGGER IF EXISTS producers_search_update',
    'DROP TRIGGER IF EXISTS products_search_delete',
    'DROP TRIGGER IF EXISTS products_search_update',
    'DROP TRIGGER IF EXISTS products_search_insert',
    'DROP TABLE IF EXISTS product_search',
]


def _is_postgres():
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    with op.batch_alter_table('product_search_tokens', schema=None) as batch_op:
        batch_op.drop_index('ix_product_search_tokens_token')
        batch_op.drop_index(batch_op.f('ix_product_search_tokens_product_id'))
    op.drop_table('product_search_tokens')

    with op.batch_alter_table('producers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_en', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('story_en', sa.Text(), nullable=True))

    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_en', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('description_en', sa.Text(), nullable=True))
        batch_op.drop_column('name_folded')
        batch_op.drop_column('search_text')
        batch_op.drop_index('ix_products_created_at')
        batch_op.create_index('ix_products_created_at', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_products_price', ['price', 'id'], unique=False)

    op.create_table('catalogue_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_state'))
    )
    op.execute("INSERT INTO catalogue_state (id, version) VALUES (1, 1)")

    # After the batch operations: on SQLite they rebuild the tables, without triggers.
    if _is_postgres():
        for statement in POSTGRES_DDL:
            op.execute(statement)
        op.execute("UPDATE products SET producer_id = producer_id")  # fills search_vector
    else:
        for statement in SQLITE_DDL:
            op.execute(statement)
        # The insert trigger's row, for the products already there.
        op.execute("UPDATE producers SET name = name")


def downgrade():
    for statement in (POSTGRES_DROP if _is_postgres() else SQLITE_DROP):
        op.execute(statement)
    op.drop_table('catalogue_state')

    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index('ix_products_price')
        batch_op.drop_index('ix_products_created_at')
        batch_op.create_index('ix_products_created_at', ['created_at'], unique=False)
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('name_folded', sa.String(length=200), nullable=False, server_default=''))
        batch_op.drop_column('description_en')
        batch_op.drop_column('name_en')

    with op.batch_alter_table('producers', schema=None) as batch_op:
        batch_op.drop_column('story_en')
        batch_op.drop_column('name_en')

    op.create_table('product_search_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64).with_variant(sa.String(length=64, collation='C'), 'postgresql'), nullable=False),
    sa.Column('raw', sa.String(length=64), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_search_tokens_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_search_tokens'))
    )
    with op.batch_alter_table('product_search_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_search_tokens_product_id'), ['product_id'], unique=False)
        batch_op.create_index('ix_product_search_tokens_token', ['token', 'product_id', 'weight', 'raw'], unique=False)

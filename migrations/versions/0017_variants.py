"""product variants: every product becomes a product with one variant

Revision ID: 0017_variants
Revises: 0016_shipping
Create Date: 2026-12-03 16:00:00

Each existing product gets one variant (no options) carrying its price, stock on hand,
reserved stock and low-stock threshold, a SKU made from its slug in capitals and a weight of
500 g (to be corrected by the cooperative). Cart lines, order lines and stock movements point
at that variant. products keeps its price and stock columns as the summary of its active
variants (see catalogue.models.Product), plus price_max.

SQLite: products is never rebuilt (its FTS5 triggers would go): price_max is a plain ADD
COLUMN. order_lines is never rebuilt either (its rows are referenced by return lines, refund
lines and reviews, which a rebuild's DROP would cascade to): its columns are plain ADD
COLUMNs, and a downgrade uses SQLite's own DROP COLUMN.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_variants"
down_revision = "0016_shipping"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("products", sa.Column("price_max", sa.Integer(), nullable=True))
    op.create_table(
        "product_variants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=120), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.Column("stock_on_hand", sa.Integer(), nullable=False),
        sa.Column("stock_reserved", sa.Integer(), nullable=False),
        sa.Column("low_stock_threshold", sa.Integer(), nullable=False),
        sa.Column("weight_grams", sa.Integer(), nullable=False),
        sa.Column("barcode", sa.String(length=32), nullable=True),
        sa.Column("image_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "active",
                "archived",
                name="variantstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("price >= 0", name=op.f("ck_product_variants_price_non_negative")),
        sa.CheckConstraint(
            "stock_on_hand >= 0", name=op.f("ck_product_variants_on_hand_non_negative")
        ),
        sa.CheckConstraint(
            "stock_reserved >= 0", name=op.f("ck_product_variants_reserved_non_negative")
        ),
        sa.CheckConstraint(
            "stock_reserved <= stock_on_hand",
            name=op.f("ck_product_variants_reserved_within_on_hand"),
        ),
        sa.CheckConstraint(
            "weight_grams > 0 AND weight_grams <= 50000",
            name=op.f("ck_product_variants_weight_range"),
        ),
        sa.ForeignKeyConstraint(
            ["image_id"],
            ["product_images.id"],
            name=op.f("fk_product_variants_image_id_product_images"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_product_variants_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_variants")),
        sa.UniqueConstraint("sku", name=op.f("uq_product_variants_sku")),
    )
    op.create_index(
        "ix_product_variants_product",
        "product_variants",
        ["product_id", "position", "id"],
        unique=False,
    )

    # One variant per product, carrying everything that was the product's to sell.
    op.execute(
        """
        INSERT INTO product_variants (product_id, sku, options, price, stock_on_hand,
            stock_reserved, low_stock_threshold, weight_grams, position, status, created_at)
        SELECT id, UPPER(slug), '[]', price, stock_on_hand, stock_reserved,
            low_stock_threshold, 500, 0, 'active', created_at
        FROM products
        """
    )
    op.execute("UPDATE products SET price_max = price")
    the_variant = "(SELECT v.id FROM product_variants v WHERE v.product_id = {}.product_id)"

    # Cart lines: rebuilt on SQLite (nothing refers to them), one line per variant.
    with op.batch_alter_table("cart_lines") as batch_op:
        batch_op.add_column(sa.Column("variant_id", sa.Integer(), nullable=True))
    op.execute(f"UPDATE cart_lines SET variant_id = {the_variant.format('cart_lines')}")
    with op.batch_alter_table("cart_lines") as batch_op:
        batch_op.alter_column("variant_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint("uq_cart_lines_cart_id_product_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_cart_lines_cart_id_variant_id", ["cart_id", "variant_id"]
        )
        batch_op.create_foreign_key(
            "fk_cart_lines_variant_id_product_variants",
            "product_variants",
            ["variant_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index("ix_cart_lines_variant_id", ["variant_id"], unique=False)

    # Stock movements: rebuilt on SQLite (nothing refers to them); every row keeps its product.
    with op.batch_alter_table("stock_movements") as batch_op:
        batch_op.add_column(sa.Column("variant_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_stock_movements_variant_id_product_variants",
            "product_variants",
            ["variant_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index("ix_stock_movements_variant_id", ["variant_id"], unique=False)
    op.execute(f"UPDATE stock_movements SET variant_id = {the_variant.format('stock_movements')}")

    # Order lines: plain ADD COLUMNs (see the module's note), then the snapshot backfilled.
    # variant_id is a snapshot like the product's name, with no foreign key: a plain ADD
    # COLUMN on SQLite cannot carry one the way the models declare it, and variants are
    # archived, never deleted.
    op.add_column("order_lines", sa.Column("variant_id", sa.Integer(), nullable=True))
    op.add_column(
        "order_lines",
        sa.Column("sku", sa.String(length=120), server_default="", nullable=False),
    )
    op.add_column(
        "order_lines",
        sa.Column("variant_label", sa.String(length=200), server_default="", nullable=False),
    )
    op.add_column(
        "order_lines",
        sa.Column("weight_grams", sa.Integer(), server_default="500", nullable=False),
    )
    op.create_index("ix_order_lines_variant_id", "order_lines", ["variant_id"], unique=False)
    op.execute(
        f"UPDATE order_lines SET variant_id = {the_variant.format('order_lines')} "
        "WHERE product_id IS NOT NULL"
    )
    op.execute(
        "UPDATE order_lines SET sku = (SELECT v.sku FROM product_variants v "
        "WHERE v.id = order_lines.variant_id) WHERE variant_id IS NOT NULL"
    )


def downgrade():
    op.drop_index("ix_order_lines_variant_id", table_name="order_lines")
    for column in ("weight_grams", "variant_label", "sku", "variant_id"):
        op.drop_column("order_lines", column)  # SQLite's own DROP COLUMN: no rebuild

    with op.batch_alter_table("stock_movements") as batch_op:
        batch_op.drop_index("ix_stock_movements_variant_id")
        batch_op.drop_constraint(
            "fk_stock_movements_variant_id_product_variants", type_="foreignkey"
        )
        batch_op.drop_column("variant_id")

    # Back to one line per product: merge a cart's variants of one product into one line.
    op.execute(
        "DELETE FROM cart_lines WHERE id NOT IN "
        "(SELECT MIN(id) FROM cart_lines GROUP BY cart_id, product_id)"
    )
    with op.batch_alter_table("cart_lines") as batch_op:
        batch_op.drop_index("ix_cart_lines_variant_id")
        batch_op.drop_constraint("fk_cart_lines_variant_id_product_variants", type_="foreignkey")
        batch_op.drop_constraint("uq_cart_lines_cart_id_variant_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_cart_lines_cart_id_product_id", ["cart_id", "product_id"]
        )
        batch_op.drop_column("variant_id")

    op.drop_index("ix_product_variants_product", table_name="product_variants")
    op.drop_table("product_variants")
    op.drop_column("products", "price_max")  # SQLite's own DROP COLUMN keeps the triggers

"""Carts remember the order they became, so a double-submitted checkout finds it

Revision ID: 0002_cart_placed_order
Revises: 0001
Create Date: 2026-12-03 07:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0002_cart_placed_order"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("carts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("placed_order_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_carts_placed_order_id_orders"),
            "orders",
            ["placed_order_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("carts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_carts_placed_order_id_orders"), type_="foreignkey")
        batch_op.drop_column("placed_order_id")

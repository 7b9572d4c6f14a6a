"""producer photo: one picture of the cooperative's place or people on its public page

Revision ID: 0013_producer_photo
Revises: 0012_seller_applications
Create Date: 2026-12-03 13:40:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0013_producer_photo"
down_revision = "0012_seller_applications"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE: a batch copy of producers would drop its search triggers on SQLite.
    op.add_column("producers", sa.Column("photo_filename", sa.String(length=255), nullable=True))


def downgrade():
    op.drop_column("producers", "photo_filename")

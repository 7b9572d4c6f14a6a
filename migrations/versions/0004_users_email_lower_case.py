"""Users: emails stored lower-case under a plain UNIQUE, not a unique index on lower(email)

SQLite cannot reflect expression indexes, so every autogenerate comparison there warned and
skipped the index. The app already stores emails lower-cased; a CHECK now holds every writer
to it, and the plain unique constraint is then unique regardless of case, on both databases.

Revision ID: 0004_users_email_lower_case
Revises: 0003_accounts
Create Date: 2026-12-03 08:25:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004_users_email_lower_case'
down_revision = '0003_accounts'
branch_labels = None
depends_on = None


def upgrade():
    # Rows were written lower-cased already; this makes sure before the CHECK holds them to it.
    op.execute(sa.text("UPDATE users SET email = lower(email) WHERE email <> lower(email)"))
    op.drop_index('uq_users_email_lower', table_name='users')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_users_email'), ['email'])
        batch_op.create_check_constraint(
            batch_op.f('ck_users_email_lower_case'), 'email = lower(email)'
        )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_email_lower_case'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_users_email'), type_='unique')
    op.create_index('uq_users_email_lower', 'users', [sa.text('lower(email)')], unique=True)

"""seller applications: legal identity, the admin's answer, the applicant's documents

Revision ID: 0012_seller_applications
Revises: 0011_producer_bank_changes
Create Date: 2026-12-03 13:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012_seller_applications'
down_revision = '0011_producer_bank_changes'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE (not batch): a batch copy of producers would drop the search
    # triggers on SQLite; nullable columns are added in place on both databases.
    op.add_column('producers', sa.Column('legal_name', sa.String(length=200), nullable=True))
    op.add_column('producers', sa.Column('registration_number', sa.String(length=40), nullable=True))
    op.add_column('producers', sa.Column('tax_code', sa.String(length=14), nullable=True))
    op.add_column('producers', sa.Column('application_review', sa.String(length=32), nullable=True))
    op.add_column('producers', sa.Column('application_review_note', sa.Text(), nullable=True))
    op.add_column('producers', sa.Column('application_submitted_at', sa.DateTime(), nullable=True))
    op.create_table(
        'producer_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('producer_id', sa.Integer(), nullable=False),
        sa.Column(
            'kind',
            sa.Enum('business_registration', 'ocop_decision', 'other', name='documentkind',
                    native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=64), nullable=False),
        sa.Column('original_name', sa.String(length=255), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['producer_id'], ['producers.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_producer_documents_producer_id', 'producer_documents', ['producer_id'])


def downgrade():
    op.drop_index('ix_producer_documents_producer_id', table_name='producer_documents')
    op.drop_table('producer_documents')
    op.drop_column('producers', 'application_submitted_at')
    op.drop_column('producers', 'application_review_note')
    op.drop_column('producers', 'application_review')
    op.drop_column('producers', 'tax_code')
    op.drop_column('producers', 'registration_number')
    op.drop_column('producers', 'legal_name')

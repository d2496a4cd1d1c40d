"""pass kinds: the passes a merchant sells at the till; a pass remembers the kind it was sold as

Revision ID: 0015
Revises: 0009
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa



revision = '0015'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'pass_kinds',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('merchant_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('entries', sa.Integer(), nullable=True),
        sa.Column('validity_days', sa.Integer(), nullable=False),
        sa.Column('price', sa.BigInteger(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_pass_kinds_merchant', 'pass_kinds', ['merchant_id'], unique=False)
    with op.batch_alter_table('passes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_passes_kind_id_pass_kinds', 'pass_kinds', ['kind_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('passes', schema=None) as batch_op:
        batch_op.drop_constraint('fk_passes_kind_id_pass_kinds', type_='foreignkey')
        batch_op.drop_column('kind_id')
    op.drop_index('ix_pass_kinds_merchant', table_name='pass_kinds')
    op.drop_table('pass_kinds')

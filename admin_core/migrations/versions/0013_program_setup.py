"""the program as the merchant sets it: tier benefits and multipliers, campaign multipliers and
stores, a store's own points rate; purchases by amount and voids on the ledger

Revision ID: 0013
Revises: 0012
Existing tiers multiply by 1 and promise nothing; existing campaigns multiply nothing and run at
every store; existing stores use the merchant's rate; no operation is a void.

Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('campaign_stores',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_stores_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_campaign_stores_store_id_stores')),
    sa.PrimaryKeyConstraint('campaign_id', 'store_id', name=op.f('pk_campaign_stores'))
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('multiplier_percent', sa.Integer(), nullable=True))

    with op.batch_alter_table('operations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purchase_amount', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('reverses_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_operations_reverses_id'), ['reverses_id'])
        batch_op.create_foreign_key(batch_op.f('fk_operations_reverses_id_operations'), 'operations', ['reverses_id'], ['id'])

    with op.batch_alter_table('stores', schema=None) as batch_op:
        batch_op.add_column(sa.Column('points_per_unit', sa.Integer(), nullable=True))

    with op.batch_alter_table('tiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('benefits', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('multiplier_percent', sa.Integer(), server_default='100', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('tiers', schema=None) as batch_op:
        batch_op.drop_column('multiplier_percent')
        batch_op.drop_column('benefits')

    with op.batch_alter_table('stores', schema=None) as batch_op:
        batch_op.drop_column('points_per_unit')

    with op.batch_alter_table('operations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_operations_reverses_id_operations'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_operations_reverses_id'), type_='unique')
        batch_op.drop_column('reverses_id')
        batch_op.drop_column('purchase_amount')

    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('multiplier_percent')

    op.drop_table('campaign_stores')

"""stores the admin manages: address, opening hours, coordinates, switched off; store groups

Revision ID: 0012
Revises: 0011
Existing stores keep their code and name, with no address, hours or coordinates, and stay on.

Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('stores', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('opening_hours', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('latitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('longitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_table('store_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_store_groups_merchant_id_merchants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_store_groups')),
    sa.UniqueConstraint('merchant_id', 'name', name=op.f('uq_store_groups_merchant_id_name'))
    )
    op.create_table('store_group_members',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['store_groups.id'], name=op.f('fk_store_group_members_group_id_store_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_store_group_members_store_id_stores')),
    sa.PrimaryKeyConstraint('group_id', 'store_id', name=op.f('pk_store_group_members'))
    )


def downgrade() -> None:
    op.drop_table('store_group_members')
    op.drop_table('store_groups')
    with op.batch_alter_table('stores', schema=None) as batch_op:
        for column in ('active', 'longitude', 'latitude', 'opening_hours', 'address'):
            batch_op.drop_column(column)

"""customer groups: a merchant's named sets of customers, listed by hand or a saved search;
coupons and campaigns for one group

Revision ID: 0017
Revises: 0020
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'customer_groups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('merchant_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.Enum('manual', 'filter', name='groupkind', native_enum=False, length=32), nullable=False),
        sa.Column('search', sa.JSON(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_customer_groups_merchant_id_merchants')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_groups')),
        sa.UniqueConstraint('merchant_id', 'name', name=op.f('uq_customer_groups_merchant_id_name')),
    )
    op.create_table(
        'customer_group_members',
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_group_members_customer_id_customers')),
        sa.ForeignKeyConstraint(['group_id'], ['customer_groups.id'], name=op.f('fk_customer_group_members_group_id_customer_groups'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('group_id', 'customer_id', name=op.f('pk_customer_group_members')),
    )
    op.create_index('ix_customer_group_members_customer', 'customer_group_members', ['customer_id'], unique=False)
    for table in ('campaigns', 'coupons'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('group_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                op.f(f'fk_{table}_group_id_customer_groups'), 'customer_groups', ['group_id'], ['id']
            )


def downgrade() -> None:
    for table in ('coupons', 'campaigns'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'fk_{table}_group_id_customer_groups'), type_='foreignkey')
            batch_op.drop_column('group_id')
    op.drop_index('ix_customer_group_members_customer', table_name='customer_group_members')
    op.drop_table('customer_group_members')
    op.drop_table('customer_groups')

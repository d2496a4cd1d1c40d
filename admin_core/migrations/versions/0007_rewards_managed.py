"""rewards the merchant manages: stock, per-customer limit, active window, picture, stores

Revision ID: 0007
Revises: 0006
Existing rewards keep what they had: unlimited, no limit, always on, every store.

Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reward_pictures',
    sa.Column('reward_id', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['reward_id'], ['rewards.id'], name=op.f('fk_reward_pictures_reward_id_rewards'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('reward_id', name=op.f('pk_reward_pictures'))
    )
    op.create_table('reward_stores',
    sa.Column('reward_id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['reward_id'], ['rewards.id'], name=op.f('fk_reward_stores_reward_id_rewards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_reward_stores_store_id_stores')),
    sa.PrimaryKeyConstraint('reward_id', 'store_id', name=op.f('pk_reward_stores'))
    )
    with op.batch_alter_table('rewards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stock', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('per_customer_limit', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('active_from', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('active_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('picture_digest', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('rewards', schema=None) as batch_op:
        batch_op.drop_column('picture_digest')
        batch_op.drop_column('active_until')
        batch_op.drop_column('active_from')
        batch_op.drop_column('per_customer_limit')
        batch_op.drop_column('stock')

    op.drop_table('reward_stores')
    op.drop_table('reward_pictures')

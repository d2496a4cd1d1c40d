"""coupon uses: a coupon's use by a card at a till, and how many uses a card has of a coupon

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'coupon_uses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('coupon_id', sa.Integer(), nullable=False),
        sa.Column('card_id', sa.Integer(), nullable=False),
        sa.Column('store_id', sa.Integer(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['card_id'], ['cards.id']),
        sa.ForeignKeyConstraint(['coupon_id'], ['coupons.id']),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id']),
        sa.ForeignKeyConstraint(['store_id'], ['stores.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_coupon_uses_card_coupon', 'coupon_uses', ['card_id', 'coupon_id'], unique=False)
    with op.batch_alter_table('coupons', schema=None) as batch_op:
        # Coupons published so far are used once per card, as a coupon is unless it says otherwise.
        batch_op.add_column(sa.Column('uses_per_card', sa.Integer(), nullable=True, server_default='1'))
    with op.batch_alter_table('coupons', schema=None) as batch_op:
        batch_op.alter_column('uses_per_card', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('coupons', schema=None) as batch_op:
        batch_op.drop_column('uses_per_card')
    op.drop_index('ix_coupon_uses_card_coupon', table_name='coupon_uses')
    op.drop_table('coupon_uses')

"""stamp cards: the merchant's stamp cards, each card's progress on them, and stamp operations

Revision ID: 0018
Revises: 0019
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'stamp_cards',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('merchant_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('stamps_needed', sa.Integer(), nullable=False),
        sa.Column('reward_id', sa.Integer(), nullable=False),
        sa.Column('voucher_valid_days', sa.Integer(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id']),
        sa.ForeignKeyConstraint(['reward_id'], ['rewards.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'stamp_card_stores',
        sa.Column('stamp_card_id', sa.Integer(), nullable=False),
        sa.Column('store_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['stamp_card_id'], ['stamp_cards.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['store_id'], ['stores.id']),
        sa.PrimaryKeyConstraint('stamp_card_id', 'store_id'),
    )
    op.create_table(
        'stamp_progress',
        sa.Column('card_id', sa.Integer(), nullable=False),
        sa.Column('stamp_card_id', sa.Integer(), nullable=False),
        sa.Column('stamps', sa.Integer(), nullable=False),
        sa.Column('filled', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['card_id'], ['cards.id']),
        sa.ForeignKeyConstraint(['stamp_card_id'], ['stamp_cards.id']),
        sa.PrimaryKeyConstraint('card_id', 'stamp_card_id'),
    )
    with op.batch_alter_table('operations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stamp_card_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('stamps', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            'fk_operations_stamp_card_id_stamp_cards', 'stamp_cards', ['stamp_card_id'], ['id']
        )


def downgrade() -> None:
    with op.batch_alter_table('operations', schema=None) as batch_op:
        batch_op.drop_constraint('fk_operations_stamp_card_id_stamp_cards', type_='foreignkey')
        batch_op.drop_column('stamps')
        batch_op.drop_column('stamp_card_id')
    op.drop_table('stamp_progress')
    op.drop_table('stamp_card_stores')
    op.drop_table('stamp_cards')

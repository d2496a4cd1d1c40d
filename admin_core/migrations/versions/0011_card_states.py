"""card states: blocked cards, and replaced cards' old numbers kept pointing at the card that took over

Revision ID: 0011
Revises: 0016
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both backends: SQLite must not copy the cards table, which the
    # ledger's rows point at (a batch operation would), and takes the reference inline.
    op.add_column('cards', sa.Column('blocked_at', sa.DateTime(timezone=True), nullable=True))
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE cards ADD COLUMN replaced_by_id INTEGER REFERENCES cards (id)')
        return
    op.add_column('cards', sa.Column('replaced_by_id', sa.Integer(), nullable=True))
    op.create_foreign_key(op.f('fk_cards_replaced_by_id_cards'), 'cards', 'cards', ['replaced_by_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.drop_column('replaced_by_id')
        batch_op.drop_column('blocked_at')

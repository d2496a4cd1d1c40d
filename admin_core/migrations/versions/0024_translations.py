"""translations: merchant-written texts in the offered languages other than the default

Revision ID: 0024
Revises: 0018
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa


revision = '0024'
down_revision = '0018'
branch_labels = None
depends_on = None

TABLES = ('merchants', 'stores', 'tiers', 'campaigns', 'rewards', 'coupons', 'stamp_cards', 'hotspots')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column('translations', sa.JSON(), nullable=False, server_default='{}'))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column('translations')

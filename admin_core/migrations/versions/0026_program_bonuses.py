"""program bonuses: a welcome bonus on joining, points for a venue's Wi-Fi visit

Revision ID: 0026
Revises: 0024
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa


revision = '0026'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'program_bonuses',
        sa.Column('merchant_id', sa.Integer(), nullable=False),
        sa.Column('welcome_points', sa.Integer(), nullable=False),
        sa.Column('welcome_sources', sa.JSON(), nullable=False),
        sa.Column('wifi_visit_points', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id']),
        sa.PrimaryKeyConstraint('merchant_id'),
    )


def downgrade() -> None:
    op.drop_table('program_bonuses')

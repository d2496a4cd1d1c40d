"""staff invitations: an invited account has no password until its owner chooses one

Revision ID: 0021
Revises: 0014
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.alter_column('password_hash', existing_type=sa.String(length=255), nullable=True)


def downgrade() -> None:
    # Accounts still invited have no password to keep: they go, and are invited again after.
    op.execute("DELETE FROM staff WHERE password_hash IS NULL")
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.alter_column('password_hash', existing_type=sa.String(length=255), nullable=False)

"""staff addresses per merchant: another merchant's staff may have the same address

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_staff_email'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_staff_merchant_id_email'), ['merchant_id', 'email'])


def downgrade() -> None:
    # Fails while two merchants' staff share an address: which of them keeps it is not ours to pick.
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_staff_merchant_id_email'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_staff_email'), ['email'])

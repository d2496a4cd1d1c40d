"""customer imports queued: the upload and the apply answer at once, `core run-imports` does the work

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

STATUS = sa.Enum(
    'queued_check', 'checked', 'queued_apply', 'applied', 'failed',
    name='importstatus', native_enum=False, length=32,
)


def upgrade() -> None:
    with op.batch_alter_table('customer_imports', schema=None) as batch_op:
        # Every import so far was checked in its request; the applied ones say so below.
        batch_op.add_column(sa.Column('status', STATUS, nullable=False, server_default='checked'))
        batch_op.add_column(sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('error_code', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('error_message', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_index(batch_op.f('ix_customer_imports_status'), ['status'], unique=False)
    op.execute(
        "UPDATE customer_imports SET checked_at = created_at, "
        "status = CASE WHEN applied_at IS NULL THEN 'checked' ELSE 'applied' END"
    )
    with op.batch_alter_table('customer_imports', schema=None) as batch_op:
        batch_op.alter_column('status', server_default=None)
        batch_op.alter_column('attempts', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('customer_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_imports_status'))
        batch_op.drop_column('attempts')
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('error_message')
        batch_op.drop_column('error_code')
        batch_op.drop_column('failed_at')
        batch_op.drop_column('checked_at')
        batch_op.drop_column('status')

"""ended sessions: a logged-out session's copied cookie is refused

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ended_sessions',
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id_hash', name=op.f('pk_ended_sessions'))
    )
    with op.batch_alter_table('ended_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ended_sessions_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ended_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ended_sessions_expires_at'))

    op.drop_table('ended_sessions')

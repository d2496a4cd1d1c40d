"""wifi gateway grants: openNDS FAS level 3, grants the gateway fetches and acknowledges

Revision ID: 0010
Revises: 0013
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('wifi_gateways',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hotspot_id', sa.Integer(), nullable=False),
    sa.Column('gateway_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['hotspot_id'], ['hotspots.id'], name=op.f('fk_wifi_gateways_hotspot_id_hotspots')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wifi_gateways')),
    sa.UniqueConstraint('hotspot_id', 'gateway_hash', name=op.f('uq_wifi_gateways_hotspot_id_gateway_hash'))
    )
    op.create_table('wifi_gateway_grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hotspot_id', sa.Integer(), nullable=False),
    sa.Column('gateway_id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('rhid', sa.String(length=64), nullable=False),
    sa.Column('session_minutes', sa.Integer(), nullable=False),
    sa.Column('up_kbps', sa.Integer(), nullable=True),
    sa.Column('down_kbps', sa.Integer(), nullable=True),
    sa.Column('quota_mb', sa.Integer(), nullable=True),
    sa.Column('visit', sa.JSON(), nullable=True),
    sa.Column('outcome', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['gateway_id'], ['wifi_gateways.id'], name=op.f('fk_wifi_gateway_grants_gateway_id_wifi_gateways')),
    sa.ForeignKeyConstraint(['hotspot_id'], ['hotspots.id'], name=op.f('fk_wifi_gateway_grants_hotspot_id_hotspots')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wifi_gateway_grants')),
    sa.UniqueConstraint('hotspot_id', 'nonce', name=op.f('uq_wifi_gateway_grants_hotspot_id_nonce'))
    )
    with op.batch_alter_table('wifi_gateway_grants', schema=None) as batch_op:
        batch_op.create_index('ix_wifi_gateway_grants_expires_at', ['expires_at'], unique=False)
        batch_op.create_index('ix_wifi_gateway_grants_gateway_rhid', ['gateway_id', 'rhid'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('wifi_gateway_grants', schema=None) as batch_op:
        batch_op.drop_index('ix_wifi_gateway_grants_gateway_rhid')
        batch_op.drop_index('ix_wifi_gateway_grants_expires_at')

    op.drop_table('wifi_gateway_grants')
    op.drop_table('wifi_gateways')

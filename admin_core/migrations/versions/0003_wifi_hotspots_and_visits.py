"""wifi: hotspots and visits

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('hotspots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=64), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('opennds', 'meraki', 'unifi', 'mikrotik', 'coova', name='hotspotkind', native_enum=False, length=32), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('session_minutes', sa.Integer(), nullable=False),
    sa.Column('up_kbps', sa.Integer(), nullable=True),
    sa.Column('down_kbps', sa.Integer(), nullable=True),
    sa.Column('quota_mb', sa.Integer(), nullable=True),
    sa.Column('landing_url', sa.String(length=500), nullable=True),
    sa.Column('contact', sa.Enum('email', 'phone', 'either', name='contactrequired', native_enum=False, length=32), nullable=False),
    sa.Column('terms_version', sa.String(length=32), nullable=False),
    sa.Column('privacy_version', sa.String(length=32), nullable=False),
    sa.Column('terms_text', sa.Text(), nullable=False),
    sa.Column('privacy_text', sa.Text(), nullable=False),
    sa.Column('guest_retention_days', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_hotspots_merchant_id_merchants')),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_hotspots_store_id_stores')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hotspots')),
    sa.UniqueConstraint('public_id', name=op.f('uq_hotspots_public_id'))
    )
    op.create_table('wifi_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('hotspot_id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('device_mac', sa.String(length=17), nullable=True),
    sa.Column('ip_address', sa.String(length=45), nullable=True),
    sa.Column('new_customer', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_wifi_visits_customer_id_customers')),
    sa.ForeignKeyConstraint(['hotspot_id'], ['hotspots.id'], name=op.f('fk_wifi_visits_hotspot_id_hotspots')),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_wifi_visits_merchant_id_merchants')),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_wifi_visits_store_id_stores')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wifi_visits')),
    sa.UniqueConstraint('hotspot_id', 'nonce', name=op.f('uq_wifi_visits_hotspot_id_nonce'))
    )
    with op.batch_alter_table('wifi_visits', schema=None) as batch_op:
        batch_op.create_index('ix_wifi_visits_customer_created', ['customer_id', 'created_at'], unique=False)
        batch_op.create_index('ix_wifi_visits_merchant_mac', ['merchant_id', 'device_mac', 'created_at'], unique=False)
        batch_op.create_index('ix_wifi_visits_store_created', ['store_id', 'created_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('wifi_visits', schema=None) as batch_op:
        batch_op.drop_index('ix_wifi_visits_store_created')
        batch_op.drop_index('ix_wifi_visits_merchant_mac')
        batch_op.drop_index('ix_wifi_visits_customer_created')

    op.drop_table('wifi_visits')
    op.drop_table('hotspots')

"""loyalty program: tiers, campaigns, rewards, vouchers, coupons, passes, consents

Revision ID: 0002
Revises: 0001
Existing rows get the defaults the models give new ones.

Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_campaigns_merchant_id_merchants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns'))
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index('ix_campaigns_merchant_ends', ['merchant_id', 'ends_at'], unique=False)

    op.create_table('rewards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('image_url', sa.String(length=500), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('voucher_valid_days', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_rewards_merchant_id_merchants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rewards'))
    )
    with op.batch_alter_table('rewards', schema=None) as batch_op:
        batch_op.create_index('ix_rewards_merchant_points', ['merchant_id', 'points'], unique=False)

    op.create_table('tiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_tiers_merchant_id_merchants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tiers')),
    sa.UniqueConstraint('merchant_id', 'threshold', name=op.f('uq_tiers_merchant_id_threshold'))
    )
    op.create_table('coupons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=True),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_coupons_merchant_id_merchants')),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_coupons_store_id_stores')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coupons'))
    )
    with op.batch_alter_table('coupons', schema=None) as batch_op:
        batch_op.create_index('ix_coupons_merchant_until', ['merchant_id', 'valid_until'], unique=False)

    op.create_table('consent_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('terms', 'privacy', 'marketing', 'notify_email', 'notify_sms', name='consentkind', native_enum=False, length=32), nullable=False),
    sa.Column('granted', sa.Boolean(), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=True),
    sa.Column('ip_address', sa.String(length=45), nullable=True),
    sa.Column('device_mac', sa.String(length=17), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_consent_records_customer_id_customers')),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_consent_records_store_id_stores')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_records'))
    )
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.create_index('ix_consent_records_customer', ['customer_id', 'created_at'], unique=False)

    op.create_table('passes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('entries_total', sa.Integer(), nullable=True),
    sa.Column('entries_left', sa.Integer(), nullable=True),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_passes_card_id_cards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_passes'))
    )
    with op.batch_alter_table('passes', schema=None) as batch_op:
        batch_op.create_index('ix_passes_card_until', ['card_id', 'valid_until'], unique=False)

    op.create_table('vouchers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('reward_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('issued', 'collected', 'cancelled', name='voucherstatus', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('collected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('collected_store_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_vouchers_card_id_cards')),
    sa.ForeignKeyConstraint(['collected_store_id'], ['stores.id'], name=op.f('fk_vouchers_collected_store_id_stores')),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_vouchers_merchant_id_merchants')),
    sa.ForeignKeyConstraint(['reward_id'], ['rewards.id'], name=op.f('fk_vouchers_reward_id_rewards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vouchers')),
    sa.UniqueConstraint('merchant_id', 'code', name=op.f('uq_vouchers_merchant_id_code'))
    )
    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.create_index('ix_vouchers_card_status', ['card_id', 'status'], unique=False)

    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gender', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('birth_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('store_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('marketing_consent', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('notify_email', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('notify_sms', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_customers_store_id_stores'), 'stores', ['store_id'], ['id'])

    with op.batch_alter_table('merchants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('points_validity_months', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('tier_period_months', sa.Integer(), nullable=False, server_default="12"))
        batch_op.add_column(sa.Column('card_prefix', sa.String(length=12), nullable=False, server_default="9"))
        batch_op.add_column(sa.Column('terms_version', sa.String(length=32), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column('privacy_version', sa.String(length=32), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column('marketing_version', sa.String(length=32), nullable=False, server_default="1"))

    with op.batch_alter_table('operations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.String(length=200), nullable=True))

    with op.batch_alter_table('portal_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('new_email', sa.String(length=254), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('portal_tokens', schema=None) as batch_op:
        batch_op.drop_column('new_email')

    with op.batch_alter_table('operations', schema=None) as batch_op:
        batch_op.drop_column('description')

    with op.batch_alter_table('merchants', schema=None) as batch_op:
        batch_op.drop_column('marketing_version')
        batch_op.drop_column('privacy_version')
        batch_op.drop_column('terms_version')
        batch_op.drop_column('card_prefix')
        batch_op.drop_column('tier_period_months')
        batch_op.drop_column('points_validity_months')

    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_customers_store_id_stores'), type_='foreignkey')
        batch_op.drop_column('deleted_at')
        batch_op.drop_column('notify_sms')
        batch_op.drop_column('notify_email')
        batch_op.drop_column('marketing_consent')
        batch_op.drop_column('store_id')
        batch_op.drop_column('birth_date')
        batch_op.drop_column('gender')

    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.drop_column('last_activity_at')

    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.drop_index('ix_vouchers_card_status')

    op.drop_table('vouchers')
    with op.batch_alter_table('passes', schema=None) as batch_op:
        batch_op.drop_index('ix_passes_card_until')

    op.drop_table('passes')
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.drop_index('ix_consent_records_customer')

    op.drop_table('consent_records')
    with op.batch_alter_table('coupons', schema=None) as batch_op:
        batch_op.drop_index('ix_coupons_merchant_until')

    op.drop_table('coupons')
    op.drop_table('tiers')
    with op.batch_alter_table('rewards', schema=None) as batch_op:
        batch_op.drop_index('ix_rewards_merchant_points')

    op.drop_table('rewards')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_index('ix_campaigns_merchant_ends')

    op.drop_table('campaigns')

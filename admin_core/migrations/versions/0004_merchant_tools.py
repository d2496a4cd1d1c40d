"""merchant tools: portal settings, logos, staff, imports

Revision ID: 0004
Revises: 0003
Existing merchants get the defaults the models give new ones.

Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('merchant_logos',
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_merchant_logos_merchant_id_merchants')),
    sa.PrimaryKeyConstraint('merchant_id', name=op.f('pk_merchant_logos'))
    )
    op.create_table('staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.Enum('ADMIN', 'MANAGER', 'USER', name='stafflevel', native_enum=False, length=32), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('credentials_version', sa.Integer(), nullable=False),
    sa.Column('totp_secret', sa.String(length=64), nullable=True),
    sa.Column('totp_enabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('totp_last_step', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_staff_merchant_id_merchants')),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_staff_store_id_stores')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff')),
    sa.UniqueConstraint('email', name=op.f('uq_staff_email'))
    )
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.create_index('ix_staff_merchant_store', ['merchant_id', 'store_id'], unique=False)

    op.create_table('customer_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('lines', sa.LargeBinary(), nullable=True),
    sa.Column('report', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_customer_imports_merchant_id_merchants')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_customer_imports_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_imports'))
    )
    with op.batch_alter_table('customer_imports', schema=None) as batch_op:
        batch_op.create_index('ix_customer_imports_merchant_created', ['merchant_id', 'created_at'], unique=False)

    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index('ix_customers_merchant_phone', ['merchant_id', 'phone'], unique=False)
        batch_op.create_index('ix_customers_store_created', ['store_id', 'created_at'], unique=False)

    with op.batch_alter_table('merchants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('header_text', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('footer_text', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('accent_color', sa.String(length=7), nullable=False, server_default='#0b57d0'))
        batch_op.add_column(sa.Column('accent_text_color', sa.String(length=7), nullable=False, server_default='#ffffff'))
        batch_op.add_column(sa.Column('offered_locales', sa.String(length=64), nullable=False, server_default='en,it,bg,nb'))
        batch_op.add_column(sa.Column('embed_origins', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('points_per_unit', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('terms_url', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('privacy_url', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('staff_2fa_required', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('logo_digest', sa.String(length=64), nullable=True))

    with op.batch_alter_table('operations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('staff_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_operations_staff_id_staff'), 'staff', ['staff_id'], ['id'])

    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.create_index('ix_vouchers_collected_store', ['collected_store_id', 'collected_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.drop_index('ix_vouchers_collected_store')

    with op.batch_alter_table('operations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_operations_staff_id_staff'), type_='foreignkey')
        batch_op.drop_column('staff_id')

    with op.batch_alter_table('merchants', schema=None) as batch_op:
        batch_op.drop_column('logo_digest')
        batch_op.drop_column('staff_2fa_required')
        batch_op.drop_column('privacy_url')
        batch_op.drop_column('terms_url')
        batch_op.drop_column('points_per_unit')
        batch_op.drop_column('embed_origins')
        batch_op.drop_column('offered_locales')
        batch_op.drop_column('accent_text_color')
        batch_op.drop_column('accent_color')
        batch_op.drop_column('footer_text')
        batch_op.drop_column('header_text')

    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index('ix_customers_store_created')
        batch_op.drop_index('ix_customers_merchant_phone')

    with op.batch_alter_table('customer_imports', schema=None) as batch_op:
        batch_op.drop_index('ix_customer_imports_merchant_created')

    op.drop_table('customer_imports')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_index('ix_staff_merchant_store')

    op.drop_table('staff')
    op.drop_table('merchant_logos')

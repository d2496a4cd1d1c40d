"""wallet: a merchant's Apple pass credentials, a pass per card, device registrations, the push queue

Revision ID: 0014
Revises: 0010
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('wallet_settings',
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=10), nullable=False),
    sa.Column('pass_type_id', sa.String(length=255), nullable=False),
    sa.Column('certificate_pem', sa.Text(), nullable=False),
    sa.Column('intermediate_pem', sa.Text(), nullable=False),
    sa.Column('private_key', sa.Text(), nullable=False),
    sa.Column('certificate_expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('apns_key_id', sa.String(length=10), nullable=True),
    sa.Column('apns_team_id', sa.String(length=10), nullable=True),
    sa.Column('apns_key', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_wallet_settings_merchant_id_merchants')),
    sa.PrimaryKeyConstraint('merchant_id', name=op.f('pk_wallet_settings'))
    )
    op.create_table('wallet_passes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_wallet_passes_card_id_cards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wallet_passes')),
    sa.UniqueConstraint('card_id', name=op.f('uq_wallet_passes_card_id')),
    sa.UniqueConstraint('serial', name=op.f('uq_wallet_passes_serial'))
    )
    op.create_table('wallet_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pass_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(length=128), nullable=False),
    sa.Column('push_token', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['pass_id'], ['wallet_passes.id'], name=op.f('fk_wallet_registrations_pass_id_wallet_passes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wallet_registrations')),
    sa.UniqueConstraint('pass_id', 'device_id', name=op.f('uq_wallet_registrations_pass_id_device_id'))
    )
    with op.batch_alter_table('wallet_registrations', schema=None) as batch_op:
        batch_op.create_index('ix_wallet_registrations_device', ['device_id'], unique=False)

    op.create_table('wallet_pushes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['registration_id'], ['wallet_registrations.id'], name=op.f('fk_wallet_pushes_registration_id_wallet_registrations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wallet_pushes'))
    )
    with op.batch_alter_table('wallet_pushes', schema=None) as batch_op:
        batch_op.create_index('ix_wallet_pushes_due', ['sent_at', 'failed_at', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_wallet_pushes_registration_id'), ['registration_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('wallet_pushes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wallet_pushes_registration_id'))
        batch_op.drop_index('ix_wallet_pushes_due')

    op.drop_table('wallet_pushes')
    with op.batch_alter_table('wallet_registrations', schema=None) as batch_op:
        batch_op.drop_index('ix_wallet_registrations_device')

    op.drop_table('wallet_registrations')
    op.drop_table('wallet_passes')
    op.drop_table('wallet_settings')

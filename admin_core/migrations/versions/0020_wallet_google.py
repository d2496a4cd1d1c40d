"""wallet: a merchant's Google Wallet issuer and service account, a loyalty object per card, and the
push queue's rows for Google patches

Revision ID: 0020
Revises: 0021
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'wallet_google_settings',
        sa.Column('merchant_id', sa.Integer(), nullable=False),
        sa.Column('issuer_id', sa.String(length=32), nullable=False),
        sa.Column('service_account_email', sa.String(length=320), nullable=False),
        sa.Column('private_key_id', sa.String(length=64), nullable=True),
        sa.Column('private_key', sa.Text(), nullable=False),
        sa.Column('class_digest', sa.String(length=64), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['merchant_id'], ['merchants.id'], name=op.f('fk_wallet_google_settings_merchant_id_merchants')
        ),
        sa.PrimaryKeyConstraint('merchant_id', name=op.f('pk_wallet_google_settings')),
    )
    op.create_table(
        'wallet_google_objects',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('card_id', sa.Integer(), nullable=False),
        sa.Column('serial', sa.String(length=64), nullable=False),
        sa.Column('notified_at', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_wallet_google_objects_card_id_cards')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_wallet_google_objects')),
        sa.UniqueConstraint('card_id', name=op.f('uq_wallet_google_objects_card_id')),
        sa.UniqueConstraint('serial', name=op.f('uq_wallet_google_objects_serial')),
    )
    with op.batch_alter_table('wallet_pushes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('google_object_id', sa.Integer(), nullable=True))
        batch_op.alter_column('registration_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f('fk_wallet_pushes_google_object_id_wallet_google_objects'),
            'wallet_google_objects',
            ['google_object_id'],
            ['id'],
        )
        batch_op.create_index(batch_op.f('ix_wallet_pushes_google_object_id'), ['google_object_id'], unique=False)
        batch_op.create_check_constraint(
            'one_target', '(registration_id IS NULL) <> (google_object_id IS NULL)'
        )


def downgrade() -> None:
    op.execute('DELETE FROM wallet_pushes WHERE google_object_id IS NOT NULL')
    with op.batch_alter_table('wallet_pushes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_wallet_pushes_one_target'), type_='check')
        batch_op.drop_index(batch_op.f('ix_wallet_pushes_google_object_id'))
        batch_op.drop_constraint(
            batch_op.f('fk_wallet_pushes_google_object_id_wallet_google_objects'), type_='foreignkey'
        )
        batch_op.alter_column('registration_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('google_object_id')
    op.drop_table('wallet_google_objects')
    op.drop_table('wallet_google_settings')

"""hot path indexes: the customers' contact indexes hold only the customers who have that detail

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = "0017"
branch_labels = None
depends_on = None

# (index, column, operator class): customers without the detail are left out, so that a merchant's
# many customers without a phone (say) do not make that index the smallest one starting with
# merchant_id, which PostgreSQL without statistics took for every lookup (models/accounts.py).
CONTACT_INDEXES = (
    ('ix_customers_merchant_email', 'email', None),
    ('ix_customers_merchant_phone', 'phone', None),
    ('ix_customers_merchant_search_email', 'search_email', 'text_pattern_ops'),
    ('ix_customers_merchant_search_phone', 'search_phone', 'text_pattern_ops'),
)


def _create(name: str, column: str, ops: str | None, *, partial: bool) -> None:
    present = sa.text(f'{column} IS NOT NULL') if partial else None
    op.create_index(
        name,
        'customers',
        ['merchant_id', column],
        unique=False,
        postgresql_ops={column: ops} if ops else {},
        postgresql_where=present,
        sqlite_where=present,
    )


def upgrade() -> None:
    for name, column, ops in CONTACT_INDEXES:
        op.drop_index(name, table_name='customers')
        _create(name, column, ops, partial=True)


def downgrade() -> None:
    for name, column, ops in CONTACT_INDEXES:
        op.drop_index(name, table_name='customers')
        _create(name, column, ops, partial=False)

"""customer search: folded search keys per customer, indexed per merchant; where they signed up

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa

from admin_core.models.search_keys import customer_keys


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

BATCH = 5_000
KEYS = ('search_name', 'search_name_reversed', 'search_email', 'search_phone')


def _index(batch_op: object, name: str, column: str) -> None:
    batch_op.create_index(  # type: ignore[attr-defined]
        name, ['merchant_id', column], unique=False, postgresql_ops={column: 'text_pattern_ops'}
    )


def upgrade() -> None:
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.Enum('web', 'wifi', 'import', name='customersource', native_enum=False, length=32), nullable=True))
        batch_op.add_column(sa.Column('search_name', sa.String(length=255), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('search_name_reversed', sa.String(length=255), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('search_email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('search_phone', sa.String(length=32), nullable=True))
    _backfill()
    # Nothing here may make SQLite copy the table (dropping the server default would): the copy is
    # refused while cards and consent records point at its rows.
    with op.batch_alter_table('customers', schema=None) as batch_op:
        for key in KEYS:
            _index(batch_op, f'ix_customers_merchant_{key}', key)
    with op.batch_alter_table('cards', schema=None) as batch_op:
        _index(batch_op, 'ix_cards_merchant_number_prefix', 'number')
        batch_op.create_index('ix_cards_customer', ['customer_id'], unique=False)


def _backfill() -> None:
    """The keys of the customers there are, a batch at a time (any number of rows, either backend),
    and their sign-up source where a consent record tells it."""
    connection = op.get_bind()
    customers = sa.table(
        'customers', *(sa.column(name) for name in ('id', 'first_name', 'last_name', 'email', 'phone', *KEYS))
    )
    update = (
        customers.update()
        .where(customers.c.id == sa.bindparam('row_id'))
        .values({key: sa.bindparam(f'new_{key}') for key in KEYS})
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(customers.c.id, customers.c.first_name, customers.c.last_name, customers.c.email, customers.c.phone)
            .where(customers.c.id > last)
            .order_by(customers.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        connection.execute(
            update,
            [
                {'row_id': row.id, **{f'new_{key}': value for key, value in customer_keys(row.first_name, row.last_name or '', row.email, row.phone).items()}}
                for row in rows
            ],
        )
        last = rows[-1].id
    # The first consent record of a customer is its sign-up's: its source names the channel.
    connection.execute(sa.text(
        "UPDATE customers SET source = CASE (SELECT source FROM consent_records"
        " WHERE consent_records.customer_id = customers.id ORDER BY consent_records.id LIMIT 1)"
        " WHEN 'portal_join' THEN 'web' WHEN 'wifi' THEN 'wifi' WHEN 'import' THEN 'import' END"
    ))


def downgrade() -> None:
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.drop_index('ix_cards_customer')
        batch_op.drop_index('ix_cards_merchant_number_prefix')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        for key in KEYS:
            batch_op.drop_index(f'ix_customers_merchant_{key}')
        for column in ('search_phone', 'search_email', 'search_name_reversed', 'search_name', 'source'):
            batch_op.drop_column(column)

"""The migrations are the only way to the schema, and they agree with the models."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from admin_core.database import Base, Database
from admin_core.migrate import alembic_config, upgrade
from admin_core.services.merchants import create_merchant

pytestmark = pytest.mark.both_backends  # the migrations and the models must agree on each backend's schema


def test_models_and_migrations_agree(migrated: Database) -> None:
    with migrated.bind.connect() as connection:  # type: ignore[union-attr]
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_downgrade_to_nothing_and_up_again(tmp_path: object) -> None:
    database = Database.from_url(f"sqlite:///{tmp_path}/fresh.sqlite3")
    upgrade(database)
    command.downgrade(alembic_config(database), "base")
    upgrade(database)
    with database.bind.connect() as connection:  # type: ignore[union-attr]
        assert MigrationContext.configure(connection).get_current_revision() is not None
    database.dispose()


def test_imports_checked_in_their_request_keep_their_state(tmp_path: object) -> None:
    """0008: an import made before the queue was checked already; an applied one stays applied."""
    database = Database.from_url(f"sqlite:///{tmp_path}/before.sqlite3")
    upgrade(database, "0007")
    merchant_id = create_merchant(database, "m", "M").id
    with database.bind.begin() as connection:  # type: ignore[union-attr]
        for number, applied in ((1, None), (2, "2026-11-30 10:00:00")):
            connection.execute(
                text(
                    "INSERT INTO customer_imports (id, merchant_id, filename, digest, content, report, "
                    "created_at, applied_at) VALUES (:id, :merchant, 'c.csv', '', X'00', '{}', "
                    "'2026-11-30 09:00:00', :applied)"
                ),
                {"id": number, "merchant": merchant_id, "applied": applied},
            )
    upgrade(database)
    with database.bind.connect() as connection:  # type: ignore[union-attr]
        rows = connection.execute(
            text("SELECT id, status, checked_at IS NOT NULL, attempts FROM customer_imports ORDER BY id")
        ).all()
    assert [tuple(row) for row in rows] == [(1, "checked", 1, 0), (2, "applied", 1, 0)]
    database.dispose()

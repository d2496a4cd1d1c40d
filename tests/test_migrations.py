"""The migrations are the only way to the schema, and they agree with the models."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from admin_core.database import Base, Database
from admin_core.migrate import alembic_config, upgrade

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

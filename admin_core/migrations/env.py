from alembic import context
from sqlalchemy import Connection

from admin_core import models  # noqa: F401  (registers the tables on Base.metadata)
from admin_core.database import Base

bind = context.config.attributes["bind"]


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if isinstance(bind, Connection):
    run(bind)
else:
    with bind.connect() as connection:
        run(connection)

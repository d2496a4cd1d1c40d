"""Engine and sessions of the core's database.

Services open their own sessions: `read()` for queries, `write()` for a transaction that commits
once at the end (rollback is the default on any exception). On SQLite a write transaction starts
with BEGIN IMMEDIATE, so concurrent writers queue on the lock instead of failing half-way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    DateTime,
    Dialect,
    Engine,
    MetaData,
    TypeDecorator,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column, sessionmaker

SQLITE_IMMEDIATE = "loyalty_sqlite_immediate"
MAX_ID = 2**31 - 1  # ids are INTEGER: int4 on PostgreSQL (a larger number names no row)
CONNECT_TIMEOUT = 5  # seconds PostgreSQL may take to answer a new connection


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


def translations_column() -> Any:
    """A row's merchant-written texts in the languages other than the default
    (loyalty_common/texts.py): {"it": {"name": "…"}}."""
    return mapped_column(JSON, default=dict, server_default="{}")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def _tune_sqlite(engine: Engine) -> None:
    in_memory = engine.url.database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 30000")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(SQLITE_IMMEDIATE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str, **options: Any) -> Engine:
    # An error's text (logged, or shown by a traceback) keeps the statement but not its values:
    # those are customers' addresses, names, password hashes.
    options.setdefault("hide_parameters", True)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, **options)
        _tune_sqlite(engine)
        return engine
    if "connect_timeout" not in make_url(url).query:
        # A server that takes the connection and says nothing (hung, or behind a firewall that
        # drops its packets) would hold the request, and the server's worker, for ever: after
        # this long it is down (a 503). DATABASE_URL's own `?connect_timeout=` wins.
        options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT, **options.get("connect_args", {})}
    return create_engine(url, pool_pre_ping=True, **options)


class Database:
    """The core's one handle on its database."""

    def __init__(self, bind: Engine | Connection) -> None:
        self.bind = bind
        if isinstance(bind, Connection):
            # Tests: everything runs inside the caller's outer transaction, commits become savepoints.
            self._sessions = sessionmaker(
                bind=bind,
                expire_on_commit=False,
                join_transaction_mode="create_savepoint",
            )
        else:
            self._sessions = sessionmaker(bind=bind, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str, **options: Any) -> Database:
        return cls(make_engine(url, **options))

    @property
    def dialect(self) -> str:
        return self.bind.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        with self._sessions() as session:
            session.connection(execution_options={SQLITE_IMMEDIATE: True})
            yield session
            session.commit()

    def analyze(self, *tables: str) -> None:
        """After a bulk load: PostgreSQL's planner statistics of these tables (all, without any)
        brought up to date now. Autovacuum would, within a minute or so; what is planned meanwhile
        is planned on the tables as they were. SQLite keeps none unless asked: nothing to do."""
        if self.dialect != "postgresql":
            return
        with self.write() as session:
            session.execute(text(" ".join(("ANALYZE", ", ".join(f'"{table}"' for table in tables)))))

    def dispose(self) -> None:
        if isinstance(self.bind, Engine):
            self.bind.dispose()

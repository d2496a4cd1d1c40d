"""The test databases: a throwaway one per backend and purpose, and the demo's snapshot."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Table, delete, func, insert, literal, select, text, union_all

from admin_core.database import Base, Database

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_answers() -> bool:
    try:
        psycopg.connect(PG_ADMIN, connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True


def new_database(backend: str, folder: Path) -> Iterator[str]:
    """The URL of an empty database of that backend, dropped when the generator closes."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'loyalty.sqlite3'}"
        return
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL does not answer at 127.0.0.1:5432: {error}")
    name = f"loyalty_test_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


# Above this many rows in a table, PostgreSQL empties every table with one TRUNCATE (no foreign
# key check per row); below, a DELETE of the tables that have rows is much quicker than that.
FEW_ROWS = 1000


def empty(database: Database) -> None:
    """Every row of every table gone; ids go on from where they were, as after DELETE."""
    tables = list(reversed(Base.metadata.sorted_tables))
    with database.write() as session:
        if database.dialect != "postgresql":
            for table in tables:
                session.execute(delete(table))
            return
        rows = {name: count for name, count in session.execute(_rows_up_to(tables, FEW_ROWS + 1))}
        if any(count > FEW_ROWS for count in rows.values()):
            session.execute(text("TRUNCATE " + ", ".join(f'"{table.name}"' for table in tables)))
            return
        for table in tables:
            if rows.get(table.name):
                session.execute(delete(table))


def _rows_up_to(tables: list[Table], most: int) -> Any:
    """One statement: each table's number of rows, counted up to `most`."""
    return union_all(
        *(
            select(
                literal(table.name),
                select(func.count())
                .select_from(select(literal(1)).select_from(table).limit(most).subquery())
                .scalar_subquery(),
            )
            for table in tables
        )
    )


@dataclass
class Snapshot:
    """Every row of a database, to put back after tests that commit."""

    database: Database
    rows: list[tuple[Table, list[dict[str, Any]]]] = field(default_factory=list)

    def take(self) -> None:
        with self.database.read() as session:
            self.rows = [
                (table, [dict(row._mapping) for row in session.execute(select(table))])
                for table in Base.metadata.sorted_tables
            ]

    def restore(self) -> None:
        with self.database.write() as session:
            for table in reversed(Base.metadata.sorted_tables):  # a few rows: quicker than TRUNCATE
                session.execute(delete(table))
            for table, rows in self.rows:
                if rows:
                    session.execute(insert(table), rows)

"""The dashboard is a hot page: it does a fixed, small number of SQL statements."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import event

from admin_core.context import Core

from .conftest import login

DASHBOARD_STATEMENTS = 3  # merchant; merchant again for the card call's scope; card with holder


@contextmanager
def count_statements(core: Core) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.split(None, 1)[0].upper() in {"SELECT", "INSERT", "UPDATE", "DELETE"}:
            seen.append(statement)

    engine = core.db.bind.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_dashboard_statements_are_few_and_fixed(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    login(client, "7000100001", "demo-password")
    with count_statements(core) as statements:
        assert client.get("/p/demo/").status_code == 200
    assert len(statements) == DASHBOARD_STATEMENTS, statements

"""The dashboard is a hot page: it does a fixed, small number of SQL statements."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event

from admin_core.context import Core
from admin_core.models import OperationKind
from admin_core.services.ledger import OperationRequest, record_operation
from admin_core.services.merchants import get_merchant

from .conftest import login

pytestmark = pytest.mark.both_backends  # statement counts: what each dialect's SQL does per page

# The site's merchant lookup; then, in the one dashboard call: the scope's merchant, the session's
# credentials check, card with holder, campaign, catalogue, open vouchers, tier progress, stamp cards.
DASHBOARD_STATEMENTS = 9


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
    for _ in range(30):
        with core.db.write() as session:
            merchant = get_merchant(session, "demo")
            record_operation(
                session, merchant.id, "7000100001", OperationRequest(OperationKind.EARN_POINTS, 5, "MAIN")
            )
    with count_statements(core) as statements:
        assert client.get("/p/demo/").status_code == 200
    assert len(statements) == DASHBOARD_STATEMENTS, statements

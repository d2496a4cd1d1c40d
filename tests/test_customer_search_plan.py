"""On PostgreSQL the search is served from its indexes: each kind of search, EXPLAINed on a few
thousand customers after ANALYZE, reads index ranges and never scans the customers or cards."""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy import Connection, event, insert

from admin_core.database import Database
from admin_core.models import Card, Customer
from admin_core.models.search_keys import customer_keys
from admin_core.services import utcnow
from admin_core.services.customer_search import search_customers
from admin_core.services.merchants import create_merchant
from admin_core.services.staff import StaffScope

ROWS = 3_000
SYLLABLES = ["ma", "ri", "lo", "ne", "ta", "ro", "si", "bi", "an", "ca", "to", "le"]


def _word(chooser: random.Random) -> str:
    return "".join(chooser.choice(SYLLABLES) for _ in range(3)).title()


def _seed(db: Database, merchant_id: int) -> None:
    chooser = random.Random(7)
    now = utcnow()
    with db.write() as session:
        people = []
        for index in range(ROWS):
            first, last = _word(chooser), _word(chooser)
            email, phone = f"{first.lower()}.{index}@example.com", f"+39 3{index:09}"
            people.append(
                {
                    "merchant_id": merchant_id,
                    "first_name": first,
                    "last_name": last,
                    "email": email,
                    "phone": phone,
                    "created_at": now,
                    **customer_keys(first, last, email, phone),
                }
            )
        ids = session.scalars(insert(Customer).returning(Customer.id, sort_by_parameter_order=True), people)
        session.execute(
            insert(Card),
            [
                {"merchant_id": merchant_id, "customer_id": id, "number": f"9{index:09}", "created_at": now}
                for index, id in enumerate(ids)
            ],
        )
        session.connection().exec_driver_sql("ANALYZE customers")
        session.connection().exec_driver_sql("ANALYZE cards")


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("Zelda", "ix_customers_merchant_search_name"),
        ("Quist zel", "ix_customers_merchant_search_name_reversed"),
        ("zelda.q@", "ix_customers_merchant_search_email"),
        ("+39 888", "ix_customers_merchant_search_phone"),
        ("7777", "ix_cards_merchant_number_prefix"),
    ],
)
def test_each_search_reads_its_index(db: Database, query: str, index: str) -> None:
    if db.bind.dialect.name != "postgresql":
        pytest.skip("the plan of PostgreSQL's planner")
    merchant = create_merchant(db, "plans", "Plans")
    _seed(db, merchant.id)
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        seen.append((statement, parameters))

    connection = db.bind
    assert isinstance(connection, Connection)
    event.listen(connection, "before_cursor_execute", record)
    try:
        with db.read() as session:
            search_customers(session, StaffScope.merchant(merchant.id), query)
    finally:
        event.remove(connection, "before_cursor_execute", record)
    statement, parameters = next(entry for entry in seen if "UNION" in entry[0] or " LIKE " in entry[0])
    plan = "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters))
    assert index in plan, plan
    assert "Seq Scan" not in plan, plan

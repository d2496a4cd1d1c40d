"""Where the project itself loads many rows at once (the demo, a customers import), PostgreSQL's
planner statistics are brought up to date at the end, rather than when autovacuum gets to it: the
queries planned meanwhile would be planned on the table as it was before."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from admin_core.context import Core
from admin_core.models import Card, Customer
from admin_core.services.customer_import import apply_import, dry_run
from admin_core.services.merchants import get_merchant

from .conftest import LoadedDemo

ROWS = 37  # an import of a number the tables had in no earlier count


def _postgresql(core: Core) -> None:
    if core.db.dialect != "postgresql":
        pytest.skip("planner statistics of PostgreSQL")


def test_the_demo_leaves_its_tables_analysed(core: Core, demo_database: LoadedDemo) -> None:
    _postgresql(core)
    url = demo_database.snapshot.database.bind.engine.url
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain) as connection:
        analysed = {
            name
            for (name,) in connection.execute(
                "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL"
            )
        }
    assert {"customers", "cards", "operations", "wifi_visits"} <= analysed


def test_an_applied_import_leaves_customers_and_cards_analysed(core: Core, demo: dict[str, Any]) -> None:
    _postgresql(core)
    with core.db.read() as session:
        merchant_id = get_merchant(session, "demo").id
    content = "card_number,first_name,last_name\n" + "".join(
        f"51000000{index:02},Ada,Rossi{index}\n" for index in range(ROWS)
    )
    upload = apply_import(core.db, merchant_id, dry_run(core.db, merchant_id, "c.csv", content.encode()).id)
    assert (upload.report or {})["created"] == ROWS
    with core.db.read() as session:
        for model in (Customer, Card):
            rows = session.scalar(select(func.count()).select_from(model))
            estimate = session.scalar(
                text("SELECT reltuples FROM pg_class WHERE relname = :table"), {"table": model.__tablename__}
            )
            assert estimate == rows, model.__tablename__  # ANALYZE counts the rows of its transaction

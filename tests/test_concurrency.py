"""Simultaneous requests against a database that really commits (SQLite and PostgreSQL)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import Any

from sqlalchemy import func, select

import admin_core
from admin_core.context import EXTENSION
from admin_core.database import Database
from admin_core.demo import load_demo
from admin_core.models import Operation

from .conftest import SECRET
from .smtp import Inbox

PARALLEL = 20


def test_twenty_simultaneous_identical_operations_apply_once(committed_db: Database, inbox: Inbox) -> None:
    app = admin_core.create_app(
        {"TESTING": True, "SECRET_KEY": SECRET, "PASSWORD_HASH_FAST": True}, database=committed_db
    )
    demo = load_demo(app.extensions[EXTENSION], SECRET)
    start = Barrier(PARALLEL)
    headers = {"Authorization": f"Bearer {demo['api_key']}", "Idempotency-Key": "burst-1"}

    def post(_: int) -> tuple[int, Any]:
        client = app.test_client()
        start.wait(timeout=30)
        response = client.post(
            "/api/v1/cards/7000100001/operations",
            json={"kind": "earn_points", "amount": 25, "store": "MAIN"},
            headers=headers,
        )
        return response.status_code, response.json

    with ThreadPoolExecutor(PARALLEL) as pool:
        results = list(pool.map(post, range(PARALLEL)))

    assert {status for status, _ in results} == {201}
    bodies = [body for _, body in results]
    assert all(body == bodies[0] for body in bodies)
    assert bodies[0]["balances"]["points"] == 1275
    with committed_db.read() as session:
        earned_25 = session.scalar(select(func.count()).select_from(Operation).where(Operation.points == 25))
    assert earned_25 == 1

"""Two voids of one operation at once (two managers' taps, an integration's retry under another
key): the card's lock lets one through; the other is told it was voided already."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import Any

import pytest
from sqlalchemy import func, select

import admin_core
from admin_core.context import EXTENSION
from admin_core.database import Database
from admin_core.demo import load_demo
from admin_core.models import Card, Operation, OperationKind

from .conftest import SECRET
from .smtp import Inbox

pytestmark = pytest.mark.both_backends  # commits racing: BEGIN IMMEDIATE, row locks, a unique key

PARALLEL = 8


def test_simultaneous_voids_of_one_operation_void_it_once(committed_db: Database, inbox: Inbox) -> None:
    app = admin_core.create_app(
        {"TESTING": True, "SECRET_KEY": SECRET, "PASSWORD_HASH_FAST": True}, database=committed_db
    )
    demo = load_demo(app.extensions[EXTENSION], SECRET)
    auth = {"Authorization": f"Bearer {demo['api_key']}"}
    made = app.test_client().post(
        "/api/v1/cards/7000100001/operations",
        json={"kind": "purchase", "amount": 2000, "store": "STATION"},
        headers={**auth, "Idempotency-Key": "buy-1"},
    )
    assert made.status_code == 201, made.json
    url = f"/api/v1/cards/7000100001/operations/{made.json['operation']['id']}/void"
    start = Barrier(PARALLEL)

    def void(attempt: int) -> tuple[int, Any]:
        client = app.test_client()
        start.wait(timeout=30)
        response = client.post(url, headers={**auth, "Idempotency-Key": f"void-{attempt}"})
        return response.status_code, response.json

    with ThreadPoolExecutor(PARALLEL) as pool:
        results = list(pool.map(void, range(PARALLEL)))

    assert sorted(status for status, _ in results) == [201] + [409] * (PARALLEL - 1)
    assert {body["error"]["code"] for status, body in results if status == 409} == {"already_voided"}
    with committed_db.read() as session:
        voids = session.scalar(
            select(func.count()).select_from(Operation).where(Operation.kind == OperationKind.VOID)
        )
        points = session.scalar(select(Card.points).where(Card.number == "7000100001"))
    assert voids == 1
    assert points == made.json["balances"]["points"] - made.json["operation"]["points"]

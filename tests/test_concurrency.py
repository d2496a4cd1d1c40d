"""Simultaneous requests against a database that really commits (SQLite and PostgreSQL)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import Any

import pytest
from sqlalchemy import func, select, update

import admin_core
from admin_core.context import EXTENSION, TRUSTED_SITE_ENVIRON
from admin_core.database import Database
from admin_core.demo import load_demo
from admin_core.models import Card, Operation, OperationKind, Reward, Voucher

from .conftest import SECRET
from .smtp import Inbox

pytestmark = pytest.mark.both_backends  # commits racing: BEGIN IMMEDIATE, row locks

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


REDEEMERS = 50


def test_fifty_simultaneous_redemptions_on_a_balance_for_one_issue_one_voucher(
    committed_db: Database, inbox: Inbox
) -> None:
    app = admin_core.create_app(
        {"TESTING": True, "SECRET_KEY": SECRET, "PASSWORD_HASH_FAST": True}, database=committed_db
    )
    load_demo(app.extensions[EXTENSION], SECRET)
    with committed_db.write() as session:
        session.execute(update(Card).where(Card.number == "7000100001").values(points=450))
        breakfast = session.scalar(select(Reward.id).where(Reward.points == 450))
    start = Barrier(REDEEMERS)

    def redeem(attempt: int) -> tuple[int, Any]:
        client = app.test_client()
        start.wait(timeout=30)
        response = client.post(
            f"/api/v1/portal/cards/7000100001/rewards/{breakfast}/redeem",
            headers={"X-Merchant": "demo", "Idempotency-Key": f"click-{attempt}"},
            environ_base={TRUSTED_SITE_ENVIRON: True},
        )
        return response.status_code, response.json

    with ThreadPoolExecutor(REDEEMERS) as pool:
        results = list(pool.map(redeem, range(REDEEMERS)))

    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [409] * (REDEEMERS - 1)
    refusals = {body["error"]["code"] for status, body in results if status == 409}
    assert refusals == {"insufficient_points"}
    with committed_db.read() as session:
        assert session.scalar(select(Card.points).where(Card.number == "7000100001")) == 0
        assert session.scalar(select(func.count()).select_from(Voucher)) == 1
        taken = session.scalar(
            select(func.sum(Operation.points)).where(
                Operation.kind == OperationKind.REWARD, Operation.description == "Breakfast for one"
            )
        )
    assert taken == -450

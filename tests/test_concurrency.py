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
from admin_core.models import Card, Customer, Operation, OperationKind, Reward, Voucher
from admin_core.services import utcnow
from admin_core.services.merchants import get_merchant
from admin_core.services.reward_admin import RewardDetails, create_reward
from admin_core.services.staff import StaffScope

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


STOCKED = 5


def test_twenty_simultaneous_redemptions_of_a_reward_with_five_left_issue_five_vouchers(
    committed_db: Database, inbox: Inbox
) -> None:
    app = admin_core.create_app(
        {"TESTING": True, "SECRET_KEY": SECRET, "PASSWORD_HASH_FAST": True}, database=committed_db
    )
    load_demo(app.extensions[EXTENSION], SECRET)
    now = utcnow()
    with committed_db.write() as session:
        merchant = get_merchant(session, "demo")
        numbers = [f"79900{index:05d}" for index in range(PARALLEL)]
        for number in numbers:  # one card each: the card locks alone would not keep them apart
            customer = Customer(merchant_id=merchant.id, first_name="Racer", created_at=now)
            session.add(
                Card(merchant_id=merchant.id, customer=customer, number=number, points=100, created_at=now)
            )
    reward = create_reward(
        committed_db,
        StaffScope.merchant(merchant.id),
        RewardDetails(name="Last few", points=10, stock=STOCKED),
    )
    start = Barrier(PARALLEL)

    def redeem(number: str) -> tuple[int, Any]:
        client = app.test_client()
        start.wait(timeout=30)
        response = client.post(
            f"/api/v1/portal/cards/{number}/rewards/{reward.id}/redeem",
            headers={"X-Merchant": "demo", "Idempotency-Key": f"click-{number}"},
            environ_base={TRUSTED_SITE_ENVIRON: True},
        )
        return response.status_code, response.json

    with ThreadPoolExecutor(PARALLEL) as pool:
        results = list(pool.map(redeem, numbers))

    assert sorted(status for status, _ in results) == [201] * STOCKED + [409] * (PARALLEL - STOCKED)
    assert {body["error"]["code"] for status, body in results if status == 409} == {"out_of_stock"}
    with committed_db.read() as session:
        assert (
            session.scalar(select(func.count()).select_from(Voucher).where(Voucher.reward_id == reward.id))
            == 5
        )
        assert session.get_one(Reward, reward.id).stock == 0

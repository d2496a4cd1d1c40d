"""Twenty tills stamp one card one short of full at once: exactly one voucher, every stamp counted."""

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
from admin_core.models import Operation, OperationKind, Reward, StampProgress, Voucher
from admin_core.services.merchants import get_merchant
from admin_core.services.staff import StaffScope
from admin_core.services.stamp_cards import StampCardDetails, create_stamp_card
from admin_core.services.stamping import give_stamps

from .conftest import SECRET
from .smtp import Inbox

PARALLEL = 20
CARD = "7000100001"
NEEDED = 25  # more than the racers: the twenty stamps fill it once


@pytest.mark.both_backends  # the card's row lock (PostgreSQL), the write lock (SQLite)
def test_twenty_simultaneous_stamps_one_short_of_full_issue_one_voucher(
    committed_db: Database, inbox: Inbox
) -> None:
    app = admin_core.create_app(
        {"TESTING": True, "SECRET_KEY": SECRET, "PASSWORD_HASH_FAST": True}, database=committed_db
    )
    demo = load_demo(app.extensions[EXTENSION], SECRET)
    with committed_db.write() as session:
        scope = StaffScope.merchant(get_merchant(session, "demo").id)
        reward = session.scalars(select(Reward).where(Reward.merchant_id == scope.merchant_id)).first()
        assert reward is not None
    coffee = create_stamp_card(committed_db, scope, StampCardDetails("coffee", NEEDED, reward.id)).id
    with committed_db.write() as session:
        give_stamps(session, scope, CARD, coffee, NEEDED - 1, "MAIN")
    start = Barrier(PARALLEL)

    def stamp(attempt: int) -> tuple[int, Any]:
        client = app.test_client()
        start.wait(timeout=30)
        response = client.post(
            f"/api/v1/cards/{CARD}/stamps",
            json={"stamp_card": coffee, "count": 1, "store": "MAIN"},
            headers={"Authorization": f"Bearer {demo['api_key']}", "Idempotency-Key": f"tap-{attempt}"},
        )
        return response.status_code, response.json

    with ThreadPoolExecutor(PARALLEL) as pool:
        results = list(pool.map(stamp, range(PARALLEL)))

    assert {status for status, _ in results} == {201}
    issued = [code for _, body in results for code in body["vouchers"]]
    assert len(issued) == 1
    with committed_db.read() as session:
        progress = session.scalars(select(StampProgress).where(StampProgress.stamp_card_id == coffee)).one()
        assert (progress.stamps, progress.filled) == (PARALLEL - 1, 1)
        stamps = session.scalar(
            select(func.count()).select_from(Operation).where(Operation.kind == OperationKind.STAMP)
        )
        assert stamps == 1 + PARALLEL
        vouchers = session.scalars(select(Voucher.code).where(Voucher.points == 0)).all()
    assert vouchers == issued

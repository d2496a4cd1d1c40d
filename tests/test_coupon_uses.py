"""A coupon used at the till: once per card unless the coupon allows more; the till sees how many
uses are left, the customer's offers page shows it used, the history names it; two tills cannot
both take the last use."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from admin_core.context import Core
from admin_core.database import Database
from admin_core.errors import CoreError
from admin_core.models import CouponUse, Operation, OperationKind
from admin_core.services import utcnow
from admin_core.services.cards import enroll_customer
from admin_core.services.coupon_uses import use_coupon
from admin_core.services.merchants import create_api_key, create_merchant, create_store, get_merchant
from admin_core.services.offers import publish_coupon
from admin_core.services.staff import StaffScope

from .conftest import login
from .test_staff import MANAGER, log_in, token

CARD = "7000100001"  # Anna: demo-password


@pytest.fixture
def staff(core_app: Flask, demo: dict[str, Any]) -> FlaskClient:
    return core_app.test_client()


@pytest.fixture
def merchant_id(core: Core, demo: dict[str, Any]) -> int:
    with core.db.read() as session:
        return get_merchant(session, "demo").id


def coupon(core: Core, merchant_id: int, title: str, uses: int | None = 1) -> int:
    return publish_coupon(
        core.db, merchant_id, title=title, valid_until=utcnow() + timedelta(days=7), uses_per_card=uses
    ).id


def uses(core: Core, coupon_id: int) -> int:
    with core.db.read() as session:
        return (
            session.scalar(
                select(func.count()).select_from(CouponUse).where(CouponUse.coupon_id == coupon_id)
            )
            or 0
        )


def test_the_till_records_a_use_once_and_the_customer_sees_it_used(
    staff: FlaskClient, core: Core, merchant_id: int, app: Flask
) -> None:
    once = coupon(core, merchant_id, "Free croissant")
    twice = coupon(core, merchant_id, "Two coffees", uses=2)
    log_in(staff, MANAGER)
    page = staff.get(f"/cards/{CARD}/coupons").text
    assert "Free croissant" in page and "2 uses left" in page
    tap = {"csrf_token": token(page), "store": "MAIN", "attempt": "t1"}
    url = f"/cards/{CARD}/coupons/{once}/uses"
    assert "Coupon use recorded." in staff.post(url, data=tap, follow_redirects=True).text
    staff.post(url, data=tap)  # the double tap
    assert uses(core, once) == 1
    refused = staff.post(url, data={**tap, "attempt": "t2"}, follow_redirects=True).text
    assert "This card has used this coupon already." in refused and uses(core, once) == 1
    staff.post(f"/cards/{CARD}/coupons/{twice}/uses", data={**tap, "attempt": "t3"})
    customer = app.test_client()
    login(customer, CARD, "demo-password")
    offers = customer.get("/p/demo/offers").text
    assert '<article class="coupon used">' in offers and "Used 1 time · 1 use left" in offers
    assert "Coupon used: Free croissant" in customer.get("/p/demo/history").text
    with core.db.read() as session:
        recorded = session.scalar(
            select(func.count()).select_from(Operation).where(Operation.kind == OperationKind.COUPON_USE)
        )
    assert recorded == 2


def test_a_withdrawn_or_other_store_s_coupon_is_not_used(
    staff: FlaskClient, core: Core, merchant_id: int
) -> None:
    withdrawn = publish_coupon(
        core.db, merchant_id, title="Old", valid_until=utcnow() + timedelta(days=1), published=False
    ).id
    scope = StaffScope.merchant(merchant_id)
    with pytest.raises(CoreError) as refused:
        use_coupon(core.db, scope, CARD, withdrawn, "MAIN", "w1")
    assert refused.value.code == "coupon_not_found" and uses(core, withdrawn) == 0


def test_the_api_records_uses_and_refuses_the_one_too_many(
    staff: FlaskClient, core: Core, merchant_id: int, demo: dict[str, Any]
) -> None:
    key = {"Authorization": f"Bearer {demo['api_key']}"}
    made = staff.post(
        "/api/v1/coupons",
        json={
            "title": "Twice",
            "valid_from": (utcnow() - timedelta(hours=1)).isoformat(),
            "valid_until": (utcnow() + timedelta(days=1)).isoformat(),
            "uses_per_card": 2,
        },
        headers=key,
    )
    assert made.status_code == 201 and made.json["uses_per_card"] == 2
    url = f"/api/v1/cards/{CARD}/coupons/{made.json['id']}/uses"
    first = staff.post(url, json={"store": "MAIN"}, headers={**key, "Idempotency-Key": "u1"})
    assert (first.status_code, first.json) == (201, {"coupon": made.json["id"], "uses": 1, "uses_left": 1})
    assert (
        staff.post(url, json={"store": "MAIN"}, headers={**key, "Idempotency-Key": "u1"}).json == first.json
    )
    assert (
        staff.post(url, json={"store": "MAIN"}, headers={**key, "Idempotency-Key": "u2"}).json["uses_left"]
        == 0
    )
    third = staff.post(url, json={"store": "MAIN"}, headers={**key, "Idempotency-Key": "u3"})
    assert (third.status_code, third.json["error"]["code"]) == (409, "coupon_used_up")
    other = create_merchant(core.db, "other", "Other")
    outsider = {"Authorization": f"Bearer {create_api_key(core.db, other.id)}", "Idempotency-Key": "o1"}
    assert staff.post(url, json={"store": "MAIN"}, headers=outsider).status_code == 404
    unlimited = staff.post(
        "/api/v1/coupons",
        json={
            "title": "Always",
            "valid_from": (utcnow() - timedelta(hours=1)).isoformat(),
            "valid_until": (utcnow() + timedelta(days=1)).isoformat(),
            "uses_per_card": None,
        },
        headers=key,
    )
    assert unlimited.json["uses_per_card"] is None
    bad = staff.post("/api/v1/coupons", json={**made.json, "uses_per_card": 0}, headers=key)
    assert bad.status_code == 422


@pytest.mark.both_backends  # a race on the card's row lock
def test_two_tills_cannot_both_take_the_last_use(committed_db: Database) -> None:
    merchant = create_merchant(committed_db, "bar", "Bar")
    create_store(committed_db, merchant.id, "BAR", "Bar")
    enroll_customer(committed_db, merchant.id, "5200000001", first_name="Guest")
    once = publish_coupon(
        committed_db, merchant.id, title="Free shot", valid_until=utcnow() + timedelta(days=1)
    ).id
    scope = StaffScope.merchant(merchant.id)
    start = Barrier(8)

    def tap(index: int) -> str:
        start.wait(timeout=30)
        try:
            use_coupon(committed_db, scope, "5200000001", once, "BAR", f"tap-{index}")
        except CoreError as refused:
            return refused.code
        return "ok"

    with ThreadPoolExecutor(8) as pool:
        outcomes = sorted(pool.map(tap, range(8)))
    assert outcomes == ["coupon_used_up"] * 7 + ["ok"]
    with committed_db.read() as session:
        assert session.scalar(select(func.count()).select_from(CouponUse)) == 1

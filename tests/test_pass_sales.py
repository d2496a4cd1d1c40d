"""Passes as a merchant sells them: the admin puts kinds on sale, a till sells one to a card and
records its entries in one tap each; the customer sees both in their history. Bad input is said at
the field, a double tap does things once, and the last entry cannot be taken twice."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from admin_core.context import Core
from admin_core.database import Database
from admin_core.models import Operation, OperationKind, Pass, PassKind
from admin_core.services.cards import enroll_customer
from admin_core.services.merchants import create_api_key, create_merchant, create_store, get_merchant
from admin_core.services.pass_sales import KindDetails, define_kind, record_entry, sell_pass
from admin_core.services.staff import StaffScope

from .conftest import login
from .test_staff import ADMIN, MANAGER, log_in, token

CARD = "7000100001"  # Anna, whose password is demo-password


@pytest.fixture
def staff(core_app: Flask, demo: dict[str, Any]) -> FlaskClient:
    return core_app.test_client()


@pytest.fixture
def merchant_id(core: Core, demo: dict[str, Any]) -> int:
    with core.db.read() as session:
        return get_merchant(session, "demo").id


def ten_swims(core: Core, merchant_id: int, entries: int | None = 10, active: bool = True) -> PassKind:
    with core.db.write() as session:
        return define_kind(
            session, StaffScope.merchant(merchant_id), KindDetails("Ten swims", entries, 90, 5000, active)
        )


def count(core: Core, model: Any, *where: Any) -> int:
    with core.db.read() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_the_admin_puts_a_pass_on_sale_and_bad_input_is_said_at_the_field(
    staff: FlaskClient, core: Core
) -> None:
    log_in(staff, ADMIN)
    page = staff.get("/passes").text
    refused = staff.post(
        "/passes",
        data={"csrf_token": token(page), "name": "", "entries": "0", "validity_days": "30", "price": "cheap"},
    )
    assert refused.status_code == 422
    assert "Give the pass a name" in refused.text and "Number must be between 1 and 10000." in refused.text
    assert count(core, PassKind, PassKind.name == "Ten swims") == 0
    priced = staff.post(
        "/passes",
        data={
            "csrf_token": token(page),
            "name": "Ten swims",
            "entries": "10",
            "validity_days": "90",
            "price": "abc",
        },
    )
    assert priced.status_code == 422 and "Enter a positive amount" in priced.text
    made = staff.post(
        "/passes",
        data={
            "csrf_token": token(page),
            "name": "Ten swims",
            "entries": "10",
            "validity_days": "90",
            "price": "50,00",
            "active": "y",
        },
    )
    assert made.status_code == 302
    listed = staff.get("/passes").text
    assert "Ten swims" in listed and "10 entries" in listed and "€50.00" in listed
    with core.db.read() as session:
        kind = session.scalars(select(PassKind).where(PassKind.name == "Ten swims")).one()
    assert (kind.entries, kind.validity_days, kind.price, kind.active) == (10, 90, 5000, True)
    edit = staff.get(f"/passes/{kind.id}").text
    assert 'value="50.00"' in edit
    off = staff.post(
        f"/passes/{kind.id}",
        data={
            "csrf_token": token(edit),
            "name": "Ten swims",
            "entries": "",
            "validity_days": "30",
            "price": "50.00",
        },
    )
    assert off.status_code == 302
    with core.db.read() as session:
        changed = session.get_one(PassKind, kind.id)
    assert (changed.entries, changed.validity_days, changed.price, changed.active) == (None, 30, 5000, False)


def test_a_till_sells_a_pass_once_and_takes_one_entry_per_tap(
    staff: FlaskClient, core: Core, merchant_id: int, app: Flask
) -> None:
    kind = ten_swims(core, merchant_id, entries=2)
    log_in(staff, MANAGER)  # at MAIN
    page = staff.get(f"/cards/{CARD}/passes").text
    assert "Ten swims · €50.00" in page
    attempt = re.search(r'name="attempt"[^>]*value="([^"]+)"', page)
    assert attempt
    sale = {"csrf_token": token(page), "kind": str(kind.id), "store": "MAIN", "attempt": attempt.group(1)}
    assert staff.post(f"/cards/{CARD}/passes", data=sale).status_code == 302
    assert staff.post(f"/cards/{CARD}/passes", data=sale).status_code == 302  # the double tap
    assert count(core, Pass, Pass.kind_id == kind.id) == 1
    with core.db.read() as session:
        held = session.scalars(select(Pass).where(Pass.kind_id == kind.id)).one()
        sold = session.scalars(
            select(Operation).where(Operation.kind == OperationKind.PASS_SALE).order_by(Operation.id.desc())
        ).first()
    assert sold is not None
    assert (sold.description, sold.points, sold.credit, sold.staff_id is not None) == (
        "Ten swims",
        0,
        0,
        True,
    )
    page = staff.get(f"/cards/{CARD}/passes").text
    assert "2 of 2 entries left" in page
    tap = {"csrf_token": token(page), "store": "MAIN", "attempt": "tap-1"}
    url = f"/cards/{CARD}/passes/{held.id}/entries"
    assert "Entries left: 1" in staff.post(url, data=tap, follow_redirects=True).text
    staff.post(url, data=tap)  # the same tap again
    assert "Entries left: 0" in staff.post(url, data={**tap, "attempt": "tap-2"}, follow_redirects=True).text
    used_up = staff.post(url, data={**tap, "attempt": "tap-3"}, follow_redirects=True).text
    assert "no entries left" in used_up
    assert (
        count(
            core, Operation, Operation.kind == OperationKind.PASS_ENTRY, Operation.description == "Ten swims"
        )
        == 2
    )
    customer = app.test_client()
    login(customer, CARD, "demo-password")
    history = customer.get("/p/demo/history").text
    assert "Pass bought: Ten swims" in history and "Pass entry: Ten swims" in history


def test_a_kind_off_sale_is_not_offered_nor_sold(staff: FlaskClient, core: Core, merchant_id: int) -> None:
    kind = ten_swims(core, merchant_id, active=False)
    log_in(staff, MANAGER)
    page = staff.get(f"/cards/{CARD}/passes").text
    assert "Ten swims" not in page and "10 swims" in page  # the demo's are on sale, this one not
    sale = {"csrf_token": token(page), "kind": str(kind.id), "store": "MAIN", "attempt": "a1"}
    refused = staff.post(f"/cards/{CARD}/passes", data=sale)
    assert refused.status_code == 409 and count(core, Pass, Pass.kind_id == kind.id) == 0


def test_the_api_defines_sells_and_records_entries_once(
    staff: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    key = {"Authorization": f"Bearer {demo['api_key']}"}
    body = {"name": "Monthly", "validity_days": 30, "price": 3900}
    made = staff.post("/api/v1/pass-kinds", json=body, headers={**key, "Idempotency-Key": "k1"})
    again = staff.post("/api/v1/pass-kinds", json=body, headers={**key, "Idempotency-Key": "k1"})
    assert (made.status_code, again.json, again.headers["Idempotent-Replayed"]) == (201, made.json, "true")
    assert made.json["entries"] is None and made.json["active"] is True
    kind = made.json["id"]
    sold = staff.post(
        f"/api/v1/cards/{CARD}/passes",
        json={"kind": kind, "store": "MAIN"},
        headers={**key, "Idempotency-Key": "s1"},
    )
    assert sold.status_code == 201 and sold.json["price"] == 3900
    listed = staff.get(f"/api/v1/cards/{CARD}/passes", headers=key).json["passes"]
    mine = next(each for each in listed if each["kind"] == kind)
    assert (mine["status"], mine["entries_left"]) == ("active", None)
    entry = staff.post(
        f"/api/v1/passes/{mine['id']}/entries",
        json={"store": "MAIN"},
        headers={**key, "Idempotency-Key": "e1"},
    )
    assert (entry.status_code, entry.json) == (201, {"pass": mine["id"], "entries_left": None})
    assert staff.post(f"/api/v1/passes/{mine['id']}/entries", json={"store": "MAIN"}, headers=key).json[
        "error"
    ]["code"] == ("idempotency_key_required")
    changed = staff.patch(f"/api/v1/pass-kinds/{kind}", json={"active": False}, headers=key)
    assert changed.json["active"] is False and changed.json["price"] == 3900
    off = staff.post(
        f"/api/v1/cards/{CARD}/passes",
        json={"kind": kind, "store": "MAIN"},
        headers={**key, "Idempotency-Key": "s2"},
    )
    assert (off.status_code, off.json["error"]["code"]) == (409, "pass_kind_off_sale")
    bad = staff.post(
        "/api/v1/pass-kinds", json={**body, "price": 0}, headers={**key, "Idempotency-Key": "k2"}
    )
    assert bad.status_code == 422


def test_another_merchant_sells_nothing_of_the_demo_s(
    staff: FlaskClient, core: Core, merchant_id: int
) -> None:
    kind = ten_swims(core, merchant_id)
    other = create_merchant(core.db, "other", "Other shop")
    create_store(core.db, other.id, "OTHER", "Other's")
    enroll_customer(core.db, other.id, "8800000001", first_name="Olga")
    key = {"Authorization": f"Bearer {create_api_key(core.db, other.id)}", "Idempotency-Key": "o1"}
    theirs = staff.post(
        "/api/v1/cards/8800000001/passes", json={"kind": kind.id, "store": "OTHER"}, headers=key
    )
    assert (theirs.status_code, theirs.json["error"]["code"]) == (404, "pass_kind_not_found")
    ours = staff.post(
        f"/api/v1/cards/{CARD}/passes",
        json={"kind": kind.id, "store": "OTHER"},
        headers={**key, "Idempotency-Key": "o2"},
    )
    assert ours.status_code == 404
    assert count(core, Pass, Pass.kind_id == kind.id) == 0


@pytest.mark.both_backends  # a race on a row lock, with the idempotency records' constraint
def test_simultaneous_taps_never_take_more_entries_than_the_pass_has(committed_db: Database) -> None:
    merchant = create_merchant(committed_db, "pool", "Pool")
    create_store(committed_db, merchant.id, "POOL", "Pool")
    enroll_customer(committed_db, merchant.id, "5100000001", first_name="Swimmer")
    scope = StaffScope.merchant(merchant.id)
    with committed_db.write() as session:
        kind = define_kind(session, scope, KindDetails("3 swims", 3, 30, 1200))
    held = sell_pass(committed_db, scope, "5100000001", kind.id, "POOL", "sale").body["pass"]
    start = Barrier(10)

    def tap(index: int) -> str:
        start.wait(timeout=30)
        try:
            record_entry(committed_db, scope, held, "POOL", f"tap-{index % 8}")  # two double taps
        except Exception as refused:
            return getattr(refused, "code", repr(refused))
        return "ok"

    with ThreadPoolExecutor(10) as pool:
        outcomes = list(pool.map(tap, range(10)))
    with committed_db.read() as session:
        left = session.scalar(select(Pass.entries_left).where(Pass.id == held))
        entries = session.scalar(
            select(func.count()).select_from(Operation).where(Operation.kind == OperationKind.PASS_ENTRY)
        )
    assert (left, entries) == (0, 3)
    assert set(outcomes) <= {"ok", "pass_used_up"} and outcomes.count("pass_used_up") >= 5


def test_a_blocked_card_buys_no_pass_and_uses_no_coupon(core: Core, merchant_id: int) -> None:
    from datetime import timedelta

    from admin_core.errors import CoreError
    from admin_core.services import utcnow
    from admin_core.services.card_changes import set_blocked
    from admin_core.services.coupon_uses import use_coupon
    from admin_core.services.offers import publish_coupon

    kind = ten_swims(core, merchant_id)
    scope = StaffScope.merchant(merchant_id)
    held = sell_pass(core.db, scope, CARD, kind.id, "MAIN", "before").body["pass"]
    coupon = publish_coupon(core.db, merchant_id, title="Free", valid_until=utcnow() + timedelta(days=1)).id
    set_blocked(core.db, scope, CARD, True)
    for attempt in (
        lambda: sell_pass(core.db, scope, CARD, kind.id, "MAIN", "after"),
        lambda: record_entry(core.db, scope, held, "MAIN", "entry"),
        lambda: use_coupon(core.db, scope, CARD, coupon, "MAIN", "coupon"),
    ):
        with pytest.raises(CoreError) as refused:
            attempt()
        assert refused.value.code == "card_blocked"
    with core.db.read() as session:
        assert session.get_one(Pass, held).entries_left == 10


def test_a_key_too_long_once_prefixed_is_refused_not_a_database_error(
    staff: FlaskClient, core: Core, merchant_id: int, demo: dict[str, Any]
) -> None:
    kind = ten_swims(core, merchant_id)
    key = {"Authorization": f"Bearer {demo['api_key']}", "Idempotency-Key": "k" * 255}
    sold = staff.post(f"/api/v1/cards/{CARD}/passes", json={"kind": kind.id, "store": "MAIN"}, headers=key)
    assert (sold.status_code, sold.json["error"]["code"]) == (422, "idempotency_key_too_long")
    assert count(core, Pass, Pass.kind_id == kind.id) == 0

"""Stamp cards in the staff UI: the admin defines them on a phone-first page; at the till a
"+1 stamp" tap gives one stamp once, whatever double taps; the full card's voucher waits there."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from admin_core.context import Core
from admin_core.models import Operation, OperationKind, Reward, StampCard
from admin_core.services.merchants import get_merchant
from admin_core.services.staff import StaffScope
from admin_core.services.stamp_cards import StampCardDetails, create_stamp_card

from .test_staff import ADMIN, USER, log_in, token

CARD = "7000100001"


@pytest.fixture
def staff(core_app: Flask, demo: dict[str, Any]) -> FlaskClient:
    return core_app.test_client()


def espresso(core: Core) -> int:
    with core.db.read() as session:
        found = session.scalar(select(Reward.id).where(Reward.name == "Espresso"))
        assert found is not None
        return found


def coffee(core: Core, needed: int = 3, stores: tuple[str, ...] = ()) -> int:
    with core.db.read() as session:
        scope = StaffScope.merchant(get_merchant(session, "demo").id)
    return create_stamp_card(
        core.db, scope, StampCardDetails("coffee", needed, espresso(core), stores=stores)
    ).id


def stamps(core: Core) -> int:
    with core.db.read() as session:
        found = session.scalar(
            select(func.count()).select_from(Operation).where(Operation.kind == OperationKind.STAMP)
        )
        return found or 0


def attempt(page: str) -> str:
    found = re.search(r'name="attempt" type="hidden" value="([^"]+)"', page)
    assert found
    return found.group(1)


def test_the_admin_defines_a_stamp_card(staff: FlaskClient, core: Core) -> None:
    log_in(staff, ADMIN)
    page = staff.get("/stamp-cards/new").text
    assert "Espresso" in page
    form = {
        "csrf_token": token(page),
        "name": "coffee",
        "stamps_needed": "10",
        "reward_id": str(espresso(core)),
        "voucher_valid_days": "30",
        "stores": "MAIN",
    }
    done = staff.post("/stamp-cards/new", data=form, follow_redirects=True)
    assert "Stamp card created: coffee." in done.text and "10 stamps fill it" in done.text
    with core.db.read() as session:
        made = session.scalars(select(StampCard)).one()
        assert [store.code for store in made.stores] == ["MAIN"]
    edit = staff.get(f"/stamp-cards/{made.id}").text
    assert 'value="coffee"' in edit
    staff.post(f"/stamp-cards/{made.id}/switch-off", data={"csrf_token": token(edit)})
    assert "switched off" in staff.get("/stamp-cards").text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Say what earns a stamp"),
        ({"stamps_needed": "1"}, "From 2 to 100 stamps."),
        ({"stamps_needed": "many"}, "Stamps that fill the card"),
        ({"voucher_valid_days": "0"}, "From 1 to 366 days."),
        ({"reward_id": "999999"}, "Not a valid choice"),
        ({"stores": "NOWHERE"}, "not a valid choice"),
    ],
)
def test_a_bad_stamp_card_is_said_at_its_field_and_nothing_is_made(
    staff: FlaskClient, core: Core, changes: dict[str, str], message: str
) -> None:
    log_in(staff, ADMIN)
    page = staff.get("/stamp-cards/new").text
    form = {
        "csrf_token": token(page),
        "name": "coffee",
        "stamps_needed": "10",
        "reward_id": str(espresso(core)),
        "voucher_valid_days": "30",
        **changes,
    }
    refused = staff.post("/stamp-cards/new", data=form)
    assert refused.status_code == 422
    assert message.lower() in refused.text.lower()
    with core.db.read() as session:
        assert session.scalar(select(func.count()).select_from(StampCard)) == 0


def test_only_the_admin_defines_stamp_cards(staff: FlaskClient) -> None:
    log_in(staff, USER)
    assert staff.get("/stamp-cards").status_code == 403


def test_a_tap_at_the_till_gives_one_stamp_and_the_full_card_its_voucher(
    staff: FlaskClient, core: Core
) -> None:
    card = coffee(core, needed=2)
    log_in(staff, USER)
    page = staff.get(f"/cards/{CARD}").text
    assert "0 of 2 coffee" in page and "+1 stamp" in page
    tap = {"csrf_token": token(page), "attempt": attempt(page), "store": "STATION"}
    staff.post(f"/cards/{CARD}/stamps/{card}", data=tap)
    again = staff.post(f"/cards/{CARD}/stamps/{card}", data=tap, follow_redirects=True)  # a double tap
    assert "1 of 2 coffee" in again.text
    assert stamps(core) == 1
    page = staff.get(f"/cards/{CARD}").text
    tap = {"csrf_token": token(page), "attempt": attempt(page), "store": "STATION"}
    full = staff.post(f"/cards/{CARD}/stamps/{card}", data=tap, follow_redirects=True).text
    assert "The card is full: voucher" in full and "0 of 2 coffee" in full
    assert "Espresso" in full.split("Vouchers waiting")[1]
    assert "1 stamp · coffee" in full


def test_a_stamp_card_of_other_stores_is_not_offered_and_refused(staff: FlaskClient, core: Core) -> None:
    card = coffee(core, stores=("MAIN",))
    log_in(staff, USER)  # works at STATION
    page = staff.get(f"/cards/{CARD}").text
    assert "+1 stamp" not in page
    tap = {"csrf_token": token(page), "attempt": attempt(page), "store": "STATION"}
    refused = staff.post(f"/cards/{CARD}/stamps/{card}", data=tap, follow_redirects=True).text
    assert "This cannot be done: This stamp card takes stamps only at" in refused
    gone = staff.post(f"/cards/{CARD}/stamps/999999", data=tap, follow_redirects=True).text
    assert "No such stamp card." in gone
    assert stamps(core) == 0

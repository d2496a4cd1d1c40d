"""The staff UI's store and store group pages, as the merchant's admin uses them; a switched-off
store at the till."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from admin_core.context import Core
from admin_core.models import Operation, Reward, StaffLevel, Store, StoreGroup
from admin_core.services.merchants import create_merchant
from admin_core.services.staff import NewStaff, StaffScope, create_staff

from .test_staff import ADMIN, log_in, post

NEW = {
    "code": "MILAN-1",
    "name": "Milan Duomo",
    "address": "Piazza del Duomo 1, Milano",
    "hours_mon": "9-13, 15:00 - 19:30",
    "hours_sat": "10:00-24:00",
    "latitude": "45,4642",
    "longitude": "9.19",
}
USER = "till@demo.example"


@pytest.fixture
def admin(core_app: Flask, demo: dict[str, Any]) -> FlaskClient:
    client = core_app.test_client()
    log_in(client, ADMIN)
    return client


def store_row(core: Core, code: str) -> Store | None:
    with core.db.read() as session:
        return session.scalar(select(Store).where(Store.code == code))


def test_the_admin_creates_edits_and_switches_off_a_store(admin: FlaskClient, core: Core) -> None:
    assert 'href="/stores"' in admin.get("/").text  # in the menu
    made = post(admin, "/stores/new", NEW)
    assert made.status_code == 302, made.text
    store = store_row(core, "MILAN-1")
    assert store is not None
    assert store.opening_hours is not None
    assert store.opening_hours["mon"] == [
        {"open": "09:00", "close": "13:00"},
        {"open": "15:00", "close": "19:30"},
    ]
    assert (store.latitude, store.longitude, store.active) == (45.4642, 9.19, True)
    listing = admin.get("/stores").text
    assert "Milan Duomo" in listing and "Piazza del Duomo 1" in listing
    edit = admin.get("/stores/MILAN-1/edit").text
    assert 'value="09:00-13:00, 15:00-19:30"' in edit and 'name="code"' not in edit
    changed = post(admin, "/stores/MILAN-1/edit", {**NEW, "name": "Milano Duomo", "hours_mon": ""}, edit)
    assert changed.status_code == 302
    store = store_row(core, "MILAN-1")
    assert store is not None and store.name == "Milano Duomo" and store.opening_hours is not None
    assert store.opening_hours["mon"] == [] and store.code == "MILAN-1"
    assert post(admin, "/stores/MILAN-1/switch-off", {}, listing).status_code == 302
    assert "switched off" in admin.get("/stores").text
    store = store_row(core, "MILAN-1")
    assert store is not None and store.active is False


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"hours_tue": "25:00-26:00"}, "hours_tue", "Write times as hours and minutes"),
        ({"hours_wed": "18:00-09:00"}, "hours_wed", "A period closes after it opens"),
        ({"hours_thu": "9-13, 12-14"}, "hours_thu", "The periods of this day overlap."),
        ({"latitude": "91"}, "latitude", "A latitude is a number of degrees from -90 to 90"),
        ({"longitude": "east"}, "longitude", "A longitude is a number of degrees from -180 to 180"),
        ({"latitude": ""}, "latitude", "Give both the latitude and the longitude, or neither."),
        ({"code": "MAIN"}, "code", "A store with this code exists already."),
        ({"code": "no spaces"}, "code", "A store code is 1 to 32 letters, digits, - or _."),
    ],
)
def test_bad_input_is_said_at_its_field_and_changes_nothing(
    admin: FlaskClient, core: Core, change: dict[str, str], field: str, message: str
) -> None:
    with core.db.read() as session:
        before = session.scalar(select(func.count()).select_from(Store))
        main_before = tuple(
            session.execute(select(Store.opening_hours, Store.latitude).where(Store.code == "MAIN")).one()
        )
    answer = post(admin, "/stores/new", {**NEW, **change})
    assert answer.status_code == 422
    said = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', answer.text)
    assert said and message in said.group(1), answer.text
    control = re.search(rf'<(?:input|textarea)[^>]*id="{field}"[^>]*>', answer.text)
    assert control and 'aria-invalid="true"' in control.group(0)
    with core.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Store)) == before
    if field != "code":  # an edit sends no code
        edited = post(admin, "/stores/MAIN/edit", {**NEW, **change})
        assert edited.status_code == 422 and message in edited.text
    with core.db.read() as session:
        assert (
            tuple(
                session.execute(select(Store.opening_hours, Store.latitude).where(Store.code == "MAIN")).one()
            )
            == main_before
        )


def test_a_switched_off_store_is_not_offered_at_the_till_and_refuses_there(
    core_app: Flask, admin: FlaskClient, core: Core
) -> None:
    till = admin.get("/cards/7000100001").text
    assert 'value="STATION"' in till
    post(admin, "/stores/STATION/switch-off", {}, admin.get("/stores").text)
    assert 'value="STATION"' not in admin.get("/cards/7000100001").text  # the admin's choice
    user = core_app.test_client()
    log_in(user, USER)  # works at STATION, its only store
    with core.db.read() as session:
        before = session.scalar(select(func.count()).select_from(Operation))
    page = user.get("/cards/7000100001").text
    assert "Your store is switched off: nothing can be recorded at this till." in page
    assert "Your store is switched off" not in admin.get("/cards/7000100001").text  # MAIN is on
    refused = post(
        user,
        "/cards/7000100001/operations",
        {"kind": "earn_points", "amount": "5", "store": "STATION", "attempt": "off-1"},
        page,
    )
    assert refused.status_code == 409
    assert "This store is switched off: nothing can be recorded at it." in refused.text
    with core.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Operation)) == before


def test_groups_are_made_edited_deleted_and_chosen_for_a_reward(admin: FlaskClient, core: Core) -> None:
    page = admin.get("/store-groups").text
    made = post(admin, "/store-groups", {"name": "Milan shops", "stores": "MAIN"}, page)
    assert made.status_code == 302
    again = post(admin, "/store-groups", {"name": "Milan shops"})
    assert again.status_code == 422 and "A group with this name exists already." in again.text
    with core.db.read() as session:
        group = session.scalar(select(StoreGroup).where(StoreGroup.name == "Milan shops"))
        assert group is not None
        group_id = group.id
    edit = admin.get(f"/store-groups/{group_id}").text
    assert re.search(r'<option (selected value="MAIN"|value="MAIN" selected)', edit)
    renamed = admin.post(
        f"/store-groups/{group_id}",
        data={
            "csrf_token": re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', edit)[0],
            "name": "Lombardy",
            "stores": ["MAIN", "STATION"],
        },
    )
    assert renamed.status_code == 302, renamed.text
    taken = post(admin, f"/store-groups/{group_id}", {"name": "Rome shops", "stores": "MAIN"})  # the demo's
    assert taken.status_code == 422 and "A group with this name exists already." in taken.text
    listing = admin.get("/store-groups").text
    assert "Lombardy" in listing and "Central Station kiosk" in listing
    reward_page = admin.get("/rewards/new").text
    assert f'value="group:{group_id}"' in reward_page and "<optgroup" in reward_page
    reward = post(
        admin,
        "/rewards/new",
        {"name": "Mug", "points": "10", "voucher_valid_days": "30", "stores": f"group:{group_id}"},
        reward_page,
    )
    assert reward.status_code == 302
    with core.db.read() as session:
        mug = session.scalar(select(Reward).where(Reward.name == "Mug"))
        assert mug is not None and sorted(store.code for store in mug.stores) == ["MAIN", "STATION"]
    assert post(admin, f"/store-groups/{group_id}/delete", {}, edit).status_code == 302
    with core.db.read() as session:
        assert session.get(StoreGroup, group_id) is None
        assert session.scalar(select(func.count()).select_from(Store)) == 2


def test_a_new_merchant_s_admin_lands_on_a_till_that_asks_for_the_first_store(
    core_app: Flask, core: Core
) -> None:
    merchant = create_merchant(core.db, "bottega", "Bottega", portal_enabled=True)
    scope = StaffScope(merchant_id=merchant.id, staff_id=None, level=StaffLevel.ADMIN, store_id=None)
    new = NewStaff("Bea", "Conti", "bea@bottega.example", "bottega-admin-pass-1", StaffLevel.ADMIN, None)
    create_staff(core.db, core.passwords, scope, new)
    client = core_app.test_client()
    assert log_in(client, "bea@bottega.example", "bottega-admin-pass-1", "bottega").status_code == 302
    till = client.get("/")
    assert till.status_code == 200, till.text
    assert "No stores yet." in till.text
    assert 'href="/stores/new"' in till.text
    assert 'name="number"' not in till.text  # no card can be worked on before a store exists
    assert client.get("/stores/new").status_code == 200

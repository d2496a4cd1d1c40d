"""The customers list, its CSV export and the API's list filtered by a customer group: the admin's
choice; another merchant's group is no such group; a till cannot filter by one."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from admin_core.context import Core
from admin_core.models import GroupKind
from admin_core.services.customer_groups import GroupDetails, add_member, new_group
from admin_core.services.merchants import create_merchant, get_merchant
from admin_core.services.staff import StaffScope

from .test_staff import ADMIN, USER, log_in

ANNA, MARCO, INGRID = "7000100001", "7000100002", "7000100003"


def demo_scope(core: Core) -> StaffScope:
    with core.db.read() as session:
        return StaffScope.merchant(get_merchant(session, "demo").id)


@pytest.fixture
def regulars(core: Core, demo: dict[str, Any]) -> int:
    scope = demo_scope(core)
    group = new_group(core.db, scope, GroupDetails("Faithful"))
    with core.db.write() as session:
        for number in (ANNA, INGRID):
            add_member(session, scope, group.id, number)
    return group.id


def staff(core_app: Flask, email: str) -> FlaskClient:
    client = core_app.test_client()
    log_in(client, email)
    return client


def test_the_admin_lists_and_exports_a_groups_customers(core_app: Flask, regulars: int) -> None:
    admin = staff(core_app, ADMIN)
    page = admin.get("/customers").text
    assert f'<option value="{regulars}">Faithful</option>' in page
    listed = admin.get(f"/customers?group={regulars}").text
    assert ANNA in listed and INGRID in listed and MARCO not in listed
    assert f'href="/customers/export.csv?group={regulars}"' in listed
    exported = admin.get(f"/customers/export.csv?group={regulars}").get_data(as_text=True)
    assert ANNA in exported and INGRID in exported and MARCO not in exported


def test_a_filter_group_lists_whoever_its_search_finds(
    core: Core, core_app: Flask, demo: dict[str, Any]
) -> None:
    group = new_group(core.db, demo_scope(core), GroupDetails("Rossi", GroupKind.FILTER, {"q": "rossi"}))
    listed = staff(core_app, ADMIN).get(f"/customers?group={group.id}").text
    assert ANNA in listed and MARCO not in listed and INGRID not in listed


def test_a_till_cannot_filter_by_group_and_an_unknown_group_is_said(
    core: Core, core_app: Flask, regulars: int
) -> None:
    till = staff(core_app, USER).get(f"/customers?group={regulars}")
    assert till.status_code == 422 and "Choose the filters from the lists" in till.text
    assert 'name="group"' not in staff(core_app, USER).get("/customers").text
    other = create_merchant(core.db, "other", "Other")
    theirs = new_group(core.db, StaffScope.merchant(other.id), GroupDetails("Theirs"))
    admin = staff(core_app, ADMIN)
    for group in (theirs.id, 99999999999):
        refused = admin.get(f"/customers?group={group}")
        assert refused.status_code == 422, group
    assert "No such customer group" in admin.get(f"/customers?group={theirs.id}").text


def test_the_api_lists_and_exports_a_group(core_app: Flask, demo: dict[str, Any], regulars: int) -> None:
    api, key = core_app.test_client(), {"Authorization": f"Bearer {demo['api_key']}"}
    found = api.get(f"/api/v1/customers?group={regulars}", headers=key).json
    assert [row["number"] for row in found["customers"]] == [INGRID, ANNA]
    exported = api.get(f"/api/v1/customers/export.csv?group={regulars}", headers=key).get_data(as_text=True)
    assert ANNA in exported and MARCO not in exported
    for bad, code in ((regulars + 1000, "unknown_group"), (0, "invalid"), ("x", "invalid")):
        refused = api.get(f"/api/v1/customers?group={bad}", headers=key)
        assert refused.status_code == 422 and refused.json["error"]["code"] == code, bad

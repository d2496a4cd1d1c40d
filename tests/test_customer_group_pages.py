"""The staff UI's customer groups, as the merchant's admin uses them: made by hand or from the
customers list's search, a customer added and removed on their customer card, renamed, deleted;
bad names said at the field; other levels and other merchants kept out."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from admin_core.context import Core
from admin_core.models import CustomerGroup, GroupKind

from .test_staff import ADMIN, MANAGER, USER, log_in, post

ANNA, MARCO = "7000100001", "7000100002"


@pytest.fixture
def admin(core_app: Flask, demo: dict[str, Any]) -> FlaskClient:
    client = core_app.test_client()
    log_in(client, ADMIN)
    return client


def group_named(core: Core, name: str) -> CustomerGroup | None:
    with core.db.read() as session:
        return session.scalar(select(CustomerGroup).where(CustomerGroup.name == name))


def groups_count(core: Core) -> int:
    with core.db.read() as session:
        return session.scalar(select(func.count()).select_from(CustomerGroup)) or 0


def test_a_manual_group_is_made_filled_from_the_card_page_renamed_and_deleted(
    admin: FlaskClient, core: Core
) -> None:
    assert 'href="/groups"' in admin.get("/").text  # in the menu
    made = post(admin, "/groups", {"name": " Faithful "})
    assert made.status_code == 302
    group = group_named(core, "Faithful")
    assert group is not None and group.kind is GroupKind.MANUAL
    card = admin.get(f"/customers/{ANNA}").text
    assert f'<option value="{group.id}">Faithful</option>' in card
    added = post(admin, f"/customers/{ANNA}/groups", {"group": str(group.id)}, card)
    assert added.status_code == 302
    card = admin.get(f"/customers/{ANNA}").text
    assert "Added to Faithful." in card and "Remove from Faithful" in card
    page = admin.get(f"/groups/{group.id}").text
    assert "1 customer: see them" in page
    listed = admin.get(f"/customers?group={group.id}").text
    assert ANNA in listed and MARCO not in listed
    removed = post(admin, f"/customers/{ANNA}/groups/{group.id}/remove", {}, card)
    assert removed.status_code == 302 and "Removed from Faithful." in admin.get(f"/customers/{ANNA}").text
    renamed = post(admin, f"/groups/{group.id}", {"name": "Best customers"}, page)
    assert renamed.status_code == 302 and "Best customers" in admin.get("/groups").text
    deleted = post(admin, f"/groups/{group.id}/delete", {}, page)
    assert (
        deleted.status_code == 302
        and "Group deleted: Best customers. Its customers stay." in admin.get("/groups").text
    )
    assert groups_count(core) == 1  # the demo's


@pytest.mark.parametrize(
    ("name", "said"),
    [("", "Give the group a name."), ("   ", "Give the group a name."), ("x" * 201, "200")],
)
def test_a_bad_name_is_said_at_its_field_and_nothing_is_made(
    admin: FlaskClient, core: Core, name: str, said: str
) -> None:
    answer = post(admin, "/groups", {"name": name})
    assert answer.status_code == 422 and said in answer.text
    assert groups_count(core) == 1  # the demo's


def test_a_taken_name_is_said_at_its_field(admin: FlaskClient, core: Core) -> None:
    assert post(admin, "/groups", {"name": "x" * 200}).status_code == 302  # the longest name
    post(admin, "/groups", {"name": "Faithful"})
    again = post(admin, "/groups", {"name": "Faithful"})
    assert again.status_code == 422 and "A group with this name exists already." in again.text
    other = group_named(core, "x" * 200)
    assert other is not None
    taken = post(admin, f"/groups/{other.id}", {"name": "Faithful"})
    assert taken.status_code == 422 and "A group with this name exists already." in taken.text
    assert groups_count(core) == 3


def test_the_customers_lists_search_is_saved_as_a_group(admin: FlaskClient, core: Core) -> None:
    listing = admin.get("/customers?q=rossi&marketing=no").text
    assert 'action="/groups/from-search"' in listing
    saved = post(admin, "/groups/from-search", {"name": "Rossi", "q": "rossi", "marketing": "no"}, listing)
    assert saved.status_code == 302
    group = group_named(core, "Rossi")
    assert group is not None and group.kind is GroupKind.FILTER
    assert group.search == {"q": "rossi", "marketing": False, "source": None, "store": None}
    page = admin.get(saved.headers["Location"]).text
    assert "Whoever this search finds" in page and "rossi" in page and "Not consented" in page
    card = admin.get(f"/customers/{ANNA}").text
    assert f'<option value="{group.id}">' not in card  # a filter group is not filled by hand
    refused = post(admin, f"/customers/{ANNA}/groups", {"group": str(group.id)}, card)
    assert "Choose a group from the list." in admin.get(refused.headers["Location"]).text
    bad = post(admin, "/groups/from-search", {"name": "Fax", "source": "fax"}, listing)
    shown = admin.get(bad.headers["Location"]).text
    assert bad.status_code == 302 and "source is one of" in shown
    taken = post(admin, "/groups/from-search", {"name": "Rossi"}, listing)
    assert "A group with this name exists already." in admin.get(taken.headers["Location"]).text
    assert groups_count(core) == 2


def test_other_levels_are_told_not_for_your_level(core_app: Flask, demo: dict[str, Any]) -> None:
    for email in (MANAGER, USER):
        client = core_app.test_client()
        log_in(client, email)
        answer = client.get("/groups")
        assert answer.status_code == 403 and "Not for your level" in answer.text
        assert 'href="/groups"' not in client.get("/").text


def test_another_merchants_group_is_no_such_thing(admin: FlaskClient, core: Core) -> None:
    assert admin.get("/groups/99999").status_code == 404
    token = re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', admin.get("/groups").text)[0]
    answer = admin.post(f"/customers/{ANNA}/groups/99999/remove", data={"csrf_token": token})
    assert answer.status_code == 404

"""Customer groups through the API (a merchant key: the admin's reach): made once per
Idempotency-Key, read, renamed, their members listed a page at a time, added and removed by card
number, deleted; bad input answered 422 with a code, another merchant's things 404."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from admin_core.context import Core
from admin_core.services.cards import enroll_customer
from admin_core.services.merchants import create_merchant, create_store

ANNA, MARCO, INGRID = "7000100001", "7000100002", "7000100003"
API = "/api/v1/groups"


@pytest.fixture
def api(core_app: Flask) -> FlaskClient:
    return core_app.test_client()


@pytest.fixture
def key(demo: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo['api_key']}"}


def once(key: dict[str, str], attempt: str) -> dict[str, str]:
    return {**key, "Idempotency-Key": attempt}


def test_a_manual_group_is_made_once_filled_listed_and_deleted(api: FlaskClient, key: dict[str, str]) -> None:
    first, again = (api.post(API, json={"name": " Faithful "}, headers=once(key, "g-1")) for _ in range(2))
    assert first.status_code == again.status_code == 201, first.json
    assert again.headers["Idempotent-Replayed"] == "true" and again.json == first.json
    group = first.json
    assert (group["name"], group["kind"], group["search"]) == ("Faithful", "manual", None)
    members = f"{API}/{group['id']}/members"
    for index, number in enumerate((ANNA, INGRID, ANNA)):
        added = api.post(members, json={"card": number}, headers=once(key, f"m-{index}"))
        assert added.status_code == 200, added.json
    page = api.get(f"{members}?limit=1", headers=key).json
    assert [row["number"] for row in page["customers"]] == [INGRID]
    rest = api.get(f"{members}?limit=1&cursor={page['next_cursor']}", headers=key).json
    assert [row["number"] for row in rest["customers"]] == [ANNA] and rest["next_cursor"] is None
    assert api.delete(f"{members}/{INGRID}", headers=key).status_code == 204
    assert api.delete(f"{members}/{INGRID}", headers=key).status_code == 204  # not in it: the same
    assert [row["number"] for row in api.get(members, headers=key).json["customers"]] == [ANNA]
    renamed = api.patch(f"{API}/{group['id']}", json={"name": "Best"}, headers=key)
    assert renamed.status_code == 200 and renamed.json["name"] == "Best"
    listed = api.get(API, headers=key).json
    assert [each["name"] for each in listed["groups"]] == ["Regulars", "Best"] and listed[
        "next_cursor"
    ] is None
    assert api.delete(f"{API}/{group['id']}", headers=key).status_code == 204
    assert api.get(f"{API}/{group['id']}", headers=key).status_code == 404


def test_a_filter_group_lists_whoever_its_search_finds(api: FlaskClient, key: dict[str, str]) -> None:
    body = {"name": "Rossi", "kind": "filter", "search": {"q": "rossi"}}
    made = api.post(API, json=body, headers=once(key, "f-1"))
    assert made.status_code == 201 and made.json["search"]["q"] == "rossi"
    members = f"{API}/{made.json['id']}/members"
    assert [row["number"] for row in api.get(members, headers=key).json["customers"]] == [ANNA]
    changed = api.patch(f"{API}/{made.json['id']}", json={"search": {"q": "hansen"}}, headers=key)
    assert changed.status_code == 200
    assert [row["number"] for row in api.get(members, headers=key).json["customers"]] == [INGRID]
    refused = api.post(members, json={"card": MARCO}, headers=once(key, "f-2"))
    assert refused.status_code == 422 and refused.json["error"]["code"] == "group_not_manual"


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"name": ""}, "invalid_customer_group", "name"),
        ({"name": "x" * 201}, "invalid_customer_group", "name"),
        ({"name": "F", "kind": "filter", "search": {"q": 1}}, "invalid_customer_group", "search"),
        ({"name": "F", "kind": "filter", "search": {"tier": "gold"}}, "invalid_customer_group", "search"),
        ({"name": "F", "kind": "filter"}, "invalid_customer_group", "search"),
        ({"name": "F", "kind": "filter", "search": {"store": "NOPE"}}, "invalid_customer_group", "search"),
        ({"name": "F", "kind": "club"}, "invalid", "kind"),
        ({"name": "F", "search": "q=rossi"}, "invalid", "search"),
    ],
)
def test_bad_input_is_refused_with_a_code_and_nothing_made(
    api: FlaskClient, key: dict[str, str], body: dict[str, Any], code: str, field: str
) -> None:
    answer = api.post(API, json=body, headers=once(key, "bad"))
    assert answer.status_code == 422 and answer.json["error"]["code"] == code, answer.json
    assert field in str(answer.json["error"].get("fields", answer.json))
    assert [each["name"] for each in api.get(API, headers=key).json["groups"]] == ["Regulars"]  # the demo's


def test_a_taken_name_and_another_merchants_things(
    api: FlaskClient, core: Core, key: dict[str, str], demo: dict[str, Any]
) -> None:
    made = api.post(API, json={"name": "Faithful"}, headers=once(key, "n-1")).json
    taken = api.post(API, json={"name": "Faithful"}, headers=once(key, "n-2"))
    assert taken.status_code == 409 and taken.json["error"]["code"] == "customer_group_exists"
    other = create_merchant(core.db, "other", "Other")
    create_store(core.db, other.id, "OTHER", "Other")
    enroll_customer(core.db, other.id, "8800000001", first_name="Olga")
    refused = api.post(f"{API}/{made['id']}/members", json={"card": "8800000001"}, headers=once(key, "n-3"))
    assert refused.status_code == 404 and refused.json["error"]["code"] == "card_not_found"
    for method in ("get", "delete"):
        missing = getattr(api, method)(f"{API}/99999", headers=key)
        assert missing.status_code == 404 and missing.json["error"]["code"] == "customer_group_not_found"
    assert api.post(API, json={"name": "X"}, headers=key).json["error"]["code"] == "idempotency_key_required"


def test_the_groups_are_in_the_openapi_document(api: FlaskClient) -> None:
    paths = api.get("/api/v1/openapi.json").json["paths"]
    assert {"get", "post"} <= set(paths[API]) and {"get", "patch", "delete"} <= set(
        paths[API + "/{group_id}"]
    )
    assert {"get", "post"} <= set(paths[API + "/{group_id}/members"])
    assert "delete" in paths[API + "/{group_id}/members/{number}"]

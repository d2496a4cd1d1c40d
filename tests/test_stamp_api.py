"""Stamp cards through the API (merchant key): defined, listed, changed; stamps given once per
Idempotency-Key; bad input answers a code and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

CARD = "7000100001"
STAMPS = f"/api/v1/cards/{CARD}/stamps"


@pytest.fixture
def api(core_app: Flask) -> FlaskClient:
    return core_app.test_client()


def auth(demo: dict[str, Any], key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {demo['api_key']}"}
    return {**headers, "Idempotency-Key": key} if key else headers


def espresso(api: FlaskClient, demo: dict[str, Any]) -> int:
    rewards = api.get("/api/v1/rewards/all", headers=auth(demo)).json["rewards"]
    return next(reward["id"] for reward in rewards if reward["name"] == "Espresso")


def define(api: FlaskClient, demo: dict[str, Any], **changes: Any) -> Any:
    body = {"name": "coffee", "stamps_needed": 3, "reward_id": espresso(api, demo), **changes}
    return api.post("/api/v1/stamp-cards", json=body, headers=auth(demo, f"define-{sorted(body.items())}"))


def test_a_stamp_card_is_defined_listed_and_changed(api: FlaskClient, demo: dict[str, Any]) -> None:
    created = define(api, demo, stores=["MAIN"], voucher_valid_days=10)
    assert created.status_code == 201
    assert created.json | {"id": 0} == {
        "id": 0,
        "name": "coffee",
        "stamps_needed": 3,
        "reward_id": espresso(api, demo),
        "voucher_valid_days": 10,
        "stores": ["MAIN"],
        "active": True,
    }
    url = f"/api/v1/stamp-cards/{created.json['id']}"
    changed = api.patch(url, json={"stamps_needed": 5, "active": False}, headers=auth(demo))
    assert (changed.json["stamps_needed"], changed.json["active"], changed.json["stores"]) == (
        5,
        False,
        ["MAIN"],
    )
    listed = api.get("/api/v1/stamp-cards", headers=auth(demo)).json
    assert [each["name"] for each in listed["stamp_cards"]] == ["coffee"] and listed["next_cursor"] is None


def test_stamps_fill_the_card_once_per_key(api: FlaskClient, demo: dict[str, Any]) -> None:
    coffee = define(api, demo).json["id"]
    first = api.post(
        STAMPS, json={"stamp_card": coffee, "count": 2, "store": "MAIN"}, headers=auth(demo, "k1")
    )
    assert first.status_code == 201
    assert first.json | {"operation": 0} == {
        "operation": 0,
        "stamp_card": coffee,
        "stamps": 2,
        "stamps_needed": 3,
        "filled": 0,
        "vouchers": [],
    }
    again = api.post(
        STAMPS, json={"stamp_card": coffee, "count": 2, "store": "MAIN"}, headers=auth(demo, "k1")
    )
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    full = api.post(STAMPS, json={"stamp_card": coffee, "store": "MAIN"}, headers=auth(demo, "k2")).json
    assert (full["stamps"], full["filled"], len(full["vouchers"])) == (0, 1, 1)
    voucher = api.get(f"/api/v1/vouchers/{full['vouchers'][0]}", headers=auth(demo))
    assert voucher.status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"count": 0}, 422, "invalid_count"),
        ({"count": 101}, 422, "invalid_count"),
        ({"store": "NOWHERE"}, 404, "unknown_store"),
        ({"store": "STATION"}, 409, "wrong_store"),
        ({"stamp_card": 10**6}, 404, "stamp_card_not_found"),
        ({"stamp_card": 2**40}, 404, "stamp_card_not_found"),
        ({"stamp_card": -1}, 404, "stamp_card_not_found"),
        ({"stamp_card": "many"}, 422, "invalid"),
    ],
)
def test_bad_stamps_answer_a_code_and_change_nothing(
    api: FlaskClient, demo: dict[str, Any], body: dict[str, Any], status: int, code: str
) -> None:
    coffee = define(api, demo, stores=["MAIN"]).json["id"]
    refused = api.post(
        STAMPS, json={"stamp_card": coffee, "store": "MAIN", **body}, headers=auth(demo, "bad")
    )
    assert (refused.status_code, refused.json["error"]["code"]) == (status, code)
    done = api.post(STAMPS, json={"stamp_card": coffee, "store": "MAIN"}, headers=auth(demo, "good"))
    assert done.json["stamps"] == 1


def test_a_switched_off_stamp_card_takes_no_stamps(api: FlaskClient, demo: dict[str, Any]) -> None:
    coffee = define(api, demo, active=False).json["id"]
    refused = api.post(STAMPS, json={"stamp_card": coffee, "store": "MAIN"}, headers=auth(demo, "off"))
    assert (refused.status_code, refused.json["error"]["code"]) == (409, "stamp_card_inactive")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"stamps_needed": 1}, "stamps_needed"),
        ({"name": ""}, "name"),
        ({"reward_id": 10**6}, "reward_id"),
        ({"reward_id": 2**40}, "reward_id"),
        ({"voucher_valid_days": 400}, "voucher_valid_days"),
        ({"stores": ["NOWHERE"]}, "stores"),
    ],
)
def test_a_bad_definition_answers_at_its_field(
    api: FlaskClient, demo: dict[str, Any], changes: dict[str, Any], field: str
) -> None:
    refused = define(api, demo, **changes)
    assert (refused.status_code, refused.json["error"]["code"]) == (422, "invalid_stamp_card")
    assert list(refused.json["error"]["fields"]) == [field]
    assert api.get("/api/v1/stamp-cards", headers=auth(demo)).json["stamp_cards"] == []


def test_a_bad_change_changes_nothing(api: FlaskClient, demo: dict[str, Any]) -> None:
    url = f"/api/v1/stamp-cards/{define(api, demo).json['id']}"
    refused = api.patch(url, json={"stamps_needed": 0, "active": False}, headers=auth(demo))
    assert refused.status_code == 422
    assert api.get(url, headers=auth(demo)).json["active"] is True
    assert (
        api.get("/api/v1/stamp-cards/999999", headers=auth(demo)).json["error"]["code"]
        == "stamp_card_not_found"
    )


def test_the_endpoints_are_in_the_openapi_document(api: FlaskClient) -> None:
    paths = api.get("/api/v1/openapi.json").json["paths"]
    assert {
        "/api/v1/stamp-cards",
        "/api/v1/stamp-cards/{stamp_card_id}",
        "/api/v1/cards/{number}/stamps",
    } <= set(paths)

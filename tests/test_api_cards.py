"""The core's card and ledger API, as a till or an integration calls it."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from admin_core.context import Core
from admin_core.errors import Invalid
from admin_core.models import OperationKind
from admin_core.services.cards import enroll_customer
from admin_core.services.ledger import POSTED, OperationRequest, record_operation
from admin_core.services.merchants import create_api_key, create_merchant, create_store, get_merchant

CARD = "7000100001"
OPERATIONS = f"/api/v1/cards/{CARD}/operations"


@pytest.fixture
def api(core_app: Flask) -> FlaskClient:
    return core_app.test_client()


def auth(demo: dict[str, Any], **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo['api_key']}", **headers}


def balances(api: FlaskClient, demo: dict[str, Any]) -> dict[str, int]:
    response = api.get(f"/api/v1/cards/{CARD}", headers=auth(demo))
    assert response.status_code == 200
    body: dict[str, int] = response.json["balances"]
    return body


def test_reads_a_card_with_its_holder_and_balances(api: FlaskClient, demo: dict[str, Any]) -> None:
    response = api.get(f"/api/v1/cards/{CARD}", headers=auth(demo))
    assert response.status_code == 200
    assert response.json["holder"]["first_name"] == "Anna"
    assert response.json["balances"] == {"points": 1250, "credit": 1550, "discount": 830, "currency": "EUR"}
    assert response.json["activated"] is True


def test_card_number_is_read_as_typed_with_spaces(api: FlaskClient, demo: dict[str, Any]) -> None:
    assert api.get("/api/v1/cards/7000 1000 01", headers=auth(demo)).json["number"] == CARD


@pytest.mark.both_backends  # the idempotency record's unique constraint
def test_earn_points_then_replay_applies_once_and_answers_the_same(
    api: FlaskClient, demo: dict[str, Any]
) -> None:
    payload = {"kind": "earn_points", "amount": 25, "store": "MAIN"}
    first = api.post(OPERATIONS, json=payload, headers=auth(demo, **{"Idempotency-Key": "till-1-0001"}))
    assert first.status_code == 201
    assert first.json["balances"]["points"] == 1275
    assert first.json["operation"]["store"] == "MAIN"
    assert first.headers["Idempotent-Replayed"] == "false"

    again = api.post(OPERATIONS, json=payload, headers=auth(demo, **{"Idempotency-Key": "till-1-0001"}))
    assert again.status_code == 201
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert balances(api, demo)["points"] == 1275


@pytest.mark.both_backends  # materialised balances under a row lock
def test_every_kind_moves_the_right_balance(api: FlaskClient, demo: dict[str, Any]) -> None:
    for number, (kind, amount) in enumerate(
        [("redeem_points", 250), ("topup_credit", 1000), ("spend_credit", 300), ("earn_points", 10)]
    ):
        response = api.post(
            OPERATIONS,
            json={"kind": kind, "amount": amount, "store": "STATION", "discount": 5},
            headers=auth(demo, **{"Idempotency-Key": f"k{number}"}),
        )
        assert response.status_code == 201, response.json
    assert balances(api, demo) == {"points": 1010, "credit": 2250, "discount": 850, "currency": "EUR"}


@pytest.mark.both_backends  # the idempotency record's unique constraint
def test_a_key_reused_for_another_request_is_refused(api: FlaskClient, demo: dict[str, Any]) -> None:
    headers = auth(demo, **{"Idempotency-Key": "same"})
    api.post(OPERATIONS, json={"kind": "earn_points", "amount": 5, "store": "MAIN"}, headers=headers)
    other = api.post(OPERATIONS, json={"kind": "earn_points", "amount": 6, "store": "MAIN"}, headers=headers)
    assert other.status_code == 422
    assert other.json["error"]["code"] == "idempotency_key_reused"
    assert balances(api, demo)["points"] == 1255


BAD_REQUESTS = [
    ({"kind": "earn_points", "amount": -5, "store": "MAIN"}, 422, "invalid_amount"),
    ({"kind": "earn_points", "amount": 0, "store": "MAIN"}, 422, "invalid_amount"),
    ({"kind": "earn_points", "amount": 10**30, "store": "MAIN"}, 422, "invalid_amount"),
    ({"kind": "topup_credit", "amount": 10**8, "store": "MAIN"}, 422, "invalid_amount"),
    ({"kind": "earn_points", "amount": 2.5, "store": "MAIN"}, 422, "invalid"),
    ({"kind": "earn_points", "amount": "25", "store": "MAIN"}, 422, "invalid"),
    ({"kind": "gift", "amount": 5, "store": "MAIN"}, 422, "invalid"),
    # The ledger's own kinds: a voucher's points, their refund, expiry, corrections.
    ({"kind": "reward", "amount": 5, "store": "MAIN"}, 422, "invalid"),
    ({"kind": "reward_refund", "amount": 5, "store": "MAIN"}, 422, "invalid"),
    ({"kind": "expiry", "amount": 5, "store": "MAIN"}, 422, "invalid"),
    ({"kind": "adjustment", "amount": 5, "store": "MAIN"}, 422, "invalid"),
    ({"kind": "earn_points", "amount": 5}, 422, "invalid"),
    ({"kind": "earn_points", "amount": 5, "store": "NOWHERE"}, 422, "unknown_store"),
    ({"kind": "earn_points", "amount": 5, "store": "MAIN", "discount": -1}, 422, "invalid"),
    ({"kind": "redeem_points", "amount": 1251, "store": "MAIN"}, 409, "insufficient_points"),
    ({"kind": "spend_credit", "amount": 1551, "store": "MAIN"}, 409, "insufficient_credit"),
]


@pytest.mark.both_backends  # a refused operation rolls back
@pytest.mark.parametrize(("payload", "status", "code"), BAD_REQUESTS)
def test_bad_operations_get_a_json_error_and_change_nothing(
    api: FlaskClient, demo: dict[str, Any], payload: dict[str, Any], status: int, code: str
) -> None:
    before = balances(api, demo)
    response = api.post(OPERATIONS, json=payload, headers=auth(demo, **{"Idempotency-Key": "bad"}))
    assert response.status_code == status
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]
    assert balances(api, demo) == before
    # A failed request does not burn its key: the corrected request goes through.
    fixed = api.post(
        OPERATIONS,
        json={"kind": "earn_points", "amount": 1, "store": "MAIN"},
        headers=auth(demo, **{"Idempotency-Key": "bad"}),
    )
    assert fixed.status_code == 201


def test_invalid_json_and_missing_idempotency_key(api: FlaskClient, demo: dict[str, Any]) -> None:
    broken = api.post(
        OPERATIONS,
        data="{not json",
        content_type="application/json",
        headers=auth(demo, **{"Idempotency-Key": "x"}),
    )
    assert broken.status_code == 400
    assert broken.json["error"]["code"] == "invalid_json"
    keyless = api.post(
        OPERATIONS, json={"kind": "earn_points", "amount": 5, "store": "MAIN"}, headers=auth(demo)
    )
    assert keyless.status_code == 422
    assert keyless.json["error"]["code"] == "idempotency_key_required"
    assert balances(api, demo)["points"] == 1250


def test_unknown_card_is_404(api: FlaskClient, demo: dict[str, Any]) -> None:
    response = api.get("/api/v1/cards/9999999999", headers=auth(demo))
    assert response.status_code == 404
    assert response.json["error"]["code"] == "card_not_found"


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "missing_api_key"),
        ({"Authorization": "Bearer lpk_wrong"}, "invalid_api_key"),
        ({"Authorization": "Basic abc"}, "missing_api_key"),
    ],
)
def test_without_a_valid_key_nothing_is_read_or_written(
    api: FlaskClient, demo: dict[str, Any], headers: dict[str, str], code: str
) -> None:
    read = api.get(f"/api/v1/cards/{CARD}", headers=headers)
    write = api.post(
        OPERATIONS,
        json={"kind": "earn_points", "amount": 5, "store": "MAIN"},
        headers={**headers, "Idempotency-Key": "k"},
    )
    assert (read.status_code, write.status_code) == (401, 401)
    assert read.json["error"]["code"] == code
    assert balances(api, demo)["points"] == 1250


def test_another_merchants_key_sees_none_of_our_cards(
    core: Core, api: FlaskClient, demo: dict[str, Any]
) -> None:
    rival = create_merchant(core.db, "rival", "Rival Shop")
    create_store(core.db, rival.id, "MAIN", "Rival main")
    enroll_customer(core.db, rival.id, "5555000011", first_name="Rita")
    rival_key = create_api_key(core.db, rival.id)
    headers = {"Authorization": f"Bearer {rival_key}"}
    assert api.get(f"/api/v1/cards/{CARD}", headers=headers).status_code == 404
    write = api.post(
        OPERATIONS,
        json={"kind": "earn_points", "amount": 5, "store": "MAIN"},
        headers={**headers, "Idempotency-Key": "r1"},
    )
    assert write.status_code == 404
    named = api.get(f"/api/v1/cards/{CARD}", headers={**headers, "X-Merchant": "demo"})
    assert named.status_code == 403
    assert named.json["error"]["code"] == "wrong_merchant"
    assert api.get("/api/v1/cards/5555000011", headers=headers).json["holder"]["first_name"] == "Rita"
    assert balances(api, demo)["points"] == 1250


def test_portal_endpoints_refuse_a_merchant_key(api: FlaskClient, demo: dict[str, Any]) -> None:
    response = api.post(
        "/api/v1/portal/login", json={"card": CARD, "password": "demo-password"}, headers=auth(demo)
    )
    assert response.status_code == 403
    assert response.json["error"]["code"] == "site_only"
    mail = api.post(
        "/api/v1/portal/mail",
        json={"to": "x@example.com", "subject": "s", "text": "t"},
        headers=auth(demo, **{"Idempotency-Key": "m"}),
    )
    assert mail.status_code == 403


def test_a_site_key_acts_for_the_merchant_it_names(
    core: Core, api: FlaskClient, demo: dict[str, Any]
) -> None:
    site_key = create_api_key(core.db, None)
    headers = {"Authorization": f"Bearer {site_key}"}
    assert api.get(f"/api/v1/cards/{CARD}", headers=headers).json["error"]["code"] == "merchant_required"
    named = {**headers, "X-Merchant": "demo"}
    assert api.get(f"/api/v1/cards/{CARD}", headers=named).status_code == 200
    login = api.post("/api/v1/portal/login", json={"card": CARD, "password": "demo-password"}, headers=named)
    assert login.status_code == 200
    assert api.get("/api/v1/portal/merchant", headers={**headers, "X-Merchant": "ghost"}).status_code == 404


def test_unknown_routes_and_methods_answer_json(api: FlaskClient, demo: dict[str, Any]) -> None:
    missing = api.get("/api/v1/nothing-here", headers=auth(demo))
    assert missing.status_code == 404
    assert missing.json["error"]["code"] == "not_found"
    wrong_method = api.delete(f"/api/v1/cards/{CARD}", headers=auth(demo))
    assert wrong_method.status_code == 405
    assert wrong_method.json["error"]["code"] == "method_not_allowed"


def test_openapi_describes_the_contract(api: FlaskClient) -> None:
    spec = api.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/cards/{number}", "/api/v1/cards/{number}/operations"} <= set(spec["paths"])
    operation = spec["paths"]["/api/v1/cards/{number}/operations"]["post"]
    assert "201" in operation["responses"]
    assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"])
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    posted = spec["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]["properties"]["kind"]
    assert posted["enum"] == ["earn_points", "redeem_points", "topup_credit", "spend_credit", "purchase"]
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


@pytest.mark.parametrize("kind", sorted(set(OperationKind) - set(POSTED), key=lambda kind: kind.value))
def test_the_ledger_s_own_kinds_cannot_be_posted_by_any_caller(
    core: Core, demo: dict[str, Any], kind: OperationKind
) -> None:
    with core.db.write() as session:
        merchant_id = get_merchant(session, "demo").id
        with pytest.raises(Invalid) as refused:
            record_operation(session, merchant_id, CARD, OperationRequest(kind, 5, "MAIN"))
    assert refused.value.code == "invalid_kind"

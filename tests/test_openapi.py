"""The OpenAPI document says what the API answers: the error envelope of every refusal, the methods
a path takes, and the limits of what it accepts. Checked with schemathesis's own validation, on
real answers; tests/test_fuzz_api.py then throws generated requests at it."""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
from flask import Flask
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from admin_core.services.hotspots import MAX_MINUTES, MAX_QUOTA, MAX_RATE, MAX_RETENTION_DAYS
from admin_core.services.ledger import MAX_MONEY

CARD = "7000100001"


@pytest.fixture
def schema(core_app: Flask) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", core_app)


def bearer(demo: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo['api_key']}"}


REFUSALS = [
    ("GET", "/api/v1/cards/{number}", {"number": "404404"}, None, 404),
    (
        "POST",
        "/api/v1/cards/{number}/operations",
        {"number": CARD},
        {"kind": "earn_points", "amount": "x"},
        422,
    ),
    (
        "POST",
        "/api/v1/cards/{number}/operations",
        {"number": CARD},
        {"kind": "spend_credit", "amount": 10**6, "store": "MAIN"},
        409,
    ),
    ("POST", "/api/v1/portal/login", {}, {"card": CARD, "password": "demo-password"}, 403),
]


@pytest.mark.parametrize(("method", "path", "path_parameters", "body", "status"), REFUSALS)
def test_a_refusal_answers_the_error_envelope_the_document_describes(
    schema: Any,
    demo: dict[str, Any],
    method: str,
    path: str,
    path_parameters: dict[str, str],
    body: Any,
    status: int,
) -> None:
    case = schema[path][method].Case(
        path_parameters=path_parameters, **({} if body is None else {"body": body})
    )
    response = case.call(headers={**bearer(demo), "Idempotency-Key": "refused"})
    assert response.status_code == status
    assert set(response.json()["error"]) >= {"code", "message"}
    case.validate_response(response, checks=[status_code_conformance, response_schema_conformance])


def test_a_call_without_a_key_answers_the_error_envelope_the_document_describes(schema: Any) -> None:
    case = schema["/api/v1/cards/{number}"]["GET"].Case(path_parameters={"number": CARD})
    response = case.call()
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "missing_api_key"
    case.validate_response(response, checks=[status_code_conformance, response_schema_conformance])


def test_a_method_a_path_does_not_take_answers_405_with_the_methods_it_does(
    core_app: Flask, demo: dict[str, Any]
) -> None:
    api = core_app.test_client()
    paths = api.get("/api/v1/openapi.json").json["paths"]
    for template, operations in paths.items():
        path = re.sub(r"\{[^}]+\}", "1", template)
        declared = {method.upper() for method in operations if method != "parameters"}
        for method in sorted({"GET", "POST", "PUT", "PATCH", "DELETE"} - declared):
            response = api.open(path, method=method, headers=bearer(demo))
            assert response.status_code == 405, (method, path)
            assert response.json["error"]["code"] == "method_not_allowed"
            assert set(response.headers.get("Allow", "").split(", ")) >= declared, (method, path)


def test_the_document_states_the_limits_the_api_enforces(core_app: Flask) -> None:
    spec = core_app.test_client().get("/api/v1/openapi.json").json
    schemas = spec["components"]["schemas"]

    def bounds(schema: str, name: str) -> tuple[int, int]:
        found = schemas[schema]["properties"][name]
        return found.get("minimum"), found.get("maximum")

    assert bounds("OperationIn", "amount") == (1, MAX_MONEY)
    assert bounds("HotspotIn", "session_minutes") == (1, MAX_MINUTES)
    assert bounds("HotspotChanges", "up_kbps") == (1, MAX_RATE)
    assert bounds("HotspotIn", "quota_mb") == (1, MAX_QUOTA)
    assert bounds("HotspotIn", "guest_retention_days") == (1, MAX_RETENTION_DAYS)
    assert bounds("PortalSettings", "points_per_unit") == (0, 1000)
    assert bounds("PortalSettings", "points_validity_months") == (0, 120)
    assert bounds("PortalSettings", "tier_period_months") == (1, 60)
    operation = spec["paths"]["/api/v1/cards/{number}/operations"]["post"]
    [key] = [parameter for parameter in operation["parameters"] if parameter["name"] == "Idempotency-Key"]
    assert (key["schema"]["minLength"], key["schema"]["maxLength"]) == (1, 255)

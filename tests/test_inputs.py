"""One rule at the edges of both apps: text holds no control character (PostgreSQL refuses NUL in
text) and an id in a path fits the database's integer (int4 on PostgreSQL). Whatever the input,
the answer is a 4xx in the app's usual shape and nothing is stored."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from admin_core.context import Core
from admin_core.models import Card, Coupon, CustomerImport, Operation
from admin_core.services.merchants import create_api_key

from .conftest import csrf_token, login, submit
from .test_staff import ADMIN, MANAGER, log_in, post

pytestmark = pytest.mark.both_backends  # NUL and ids beyond the column: each backend refuses its own way

CARD = "7000100001"
BIG_IDS = [2**31, 2**64]  # above int4 (PostgreSQL's ids), above 64 bits (SQLite's)


def count(core: Core, model: type[Any]) -> int:
    with core.db.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def api(core_app: Flask) -> FlaskClient:
    return core_app.test_client()


def key(demo: dict[str, Any], **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo['api_key']}", **headers}


def site_key(core: Core) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_api_key(core.db, None)}", "X-Merchant": "demo"}


# The API: 422 invalid_text, naming the input.

SALE = {"kind": "earn_points", "amount": 5, "store": "MAIN"}


@pytest.mark.parametrize(
    ("path", "payload", "headers", "where"),
    [
        (f"{CARD}%00", SALE, {}, "number"),
        (CARD, {**SALE, "store": "MAIN\x00"}, {}, "store"),
        (CARD, {**SALE, "store": "MA\x1bIN"}, {}, "store"),
        (CARD, SALE, {"Idempotency-Key": "till-1\x00"}, "Idempotency-Key"),
    ],
)
def test_the_api_refuses_control_characters_in_any_input(
    api: FlaskClient,
    core: Core,
    demo: dict[str, Any],
    path: str,
    payload: dict[str, Any],
    headers: dict[str, str],
    where: str,
) -> None:
    before = count(core, Operation)
    response = api.post(
        f"/api/v1/cards/{path}/operations",
        json=payload,
        headers=key(demo, **{"Idempotency-Key": "till-1", **headers}),
    )
    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid_text"
    assert "control characters" in response.json["error"]["message"]
    assert where in response.json["error"]["fields"]
    assert count(core, Operation) == before


def test_the_api_refuses_a_file_name_with_a_nul(api: FlaskClient, core: Core, demo: dict[str, Any]) -> None:
    response = api.post(
        "/api/v1/customers/imports?filename=customers%00.csv",
        data=b"card_number\n7000100099\n",
        headers=key(demo, **{"Content-Type": "text/csv"}),
    )
    assert response.status_code == 422 and response.json["error"]["code"] == "invalid_text"
    assert count(core, CustomerImport) == 0


def test_line_breaks_and_tabs_are_text(api: FlaskClient, demo: dict[str, Any]) -> None:
    response = api.patch(
        "/api/v1/merchant", json={"footer_text": "Via Roma 1\r\nMilano\tMI"}, headers=key(demo)
    )
    assert response.status_code == 200 and response.json["footer_text"] == "Via Roma 1\r\nMilano\tMI"


@pytest.mark.parametrize("big", BIG_IDS)
def test_the_api_finds_nothing_at_an_id_beyond_the_database_s_integers(
    api: FlaskClient, core: Core, demo: dict[str, Any], big: int
) -> None:
    before = count(core, Operation)
    for method, path, body, headers in [
        ("PATCH", f"/api/v1/staff/{big}", {"first_name": "Eve"}, key(demo)),
        ("PATCH", f"/api/v1/coupons/{big}", {"published": False}, key(demo)),
        ("GET", f"/api/v1/customers/imports/{big}", None, key(demo)),
        ("POST", f"/api/v1/customers/imports/{big}/apply", None, key(demo)),
        (
            "POST",
            f"/api/v1/portal/cards/{CARD}/rewards/{big}/redeem",
            None,
            {**site_key(core), "Idempotency-Key": "page-1"},
        ),
    ]:
        response = api.open(path, method=method, json=body, headers=headers)
        assert response.status_code == 404, path
        assert response.json["error"]["message"], path
    assert count(core, Operation) == before


def test_the_api_description_gives_ids_their_range(api: FlaskClient) -> None:
    spec = api.get("/api/v1/openapi.json").json
    [staff_id] = spec["paths"]["/api/v1/staff/{staff_id}"]["parameters"]
    assert staff_id["schema"] == {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}


# The staff UI: a 400 page, or 404 for an id beyond the database's integers.


@pytest.fixture
def staff(core_app: Flask, demo: dict[str, Any]) -> FlaskClient:
    client = core_app.test_client()
    log_in(client, ADMIN)
    return client


def test_the_staff_ui_refuses_control_characters_with_a_page(staff: FlaskClient, core: Core) -> None:
    page = staff.get(f"/cards/{CARD}%00")
    assert page.status_code == 400 and "control characters" in page.text
    before = count(core, Coupon)
    sent = post(
        staff,
        "/coupons",
        {"title": "Tuesday\x00", "valid_from": "2026-12-01", "valid_until": "2026-12-31", "store": "MAIN"},
    )
    assert sent.status_code == 400 and "control characters" in sent.text
    assert count(core, Coupon) == before


@pytest.mark.parametrize("big", BIG_IDS)
def test_the_staff_ui_finds_nothing_at_an_id_beyond_the_database_s_integers(
    core_app: Flask, demo: dict[str, Any], big: int
) -> None:
    admin, manager = core_app.test_client(), core_app.test_client()
    log_in(admin, ADMIN)
    log_in(manager, MANAGER)
    assert admin.get(f"/team/{big}").status_code == 404
    assert admin.get(f"/imports/{big}").status_code == 404
    token = csrf_token(manager, "/coupons")
    assert manager.post(f"/coupons/{big}/withdraw", data={"csrf_token": token}).status_code == 404


# The site: a 400 page, or 404.


def test_the_site_refuses_control_characters_with_a_page(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    refused = submit(client, "/p/demo/login", {"card": f"{CARD}\x00", "password": "demo-password"})
    assert refused.status_code == 400 and "control characters" in refused.text
    assert client.get("/wifi/demo-meraki%00").status_code == 400
    before = count(core, Card)
    join = submit(
        client,
        "/p/demo/join",
        {
            "first_name": "Le\x00na",
            "last_name": "Berg",
            "email": "lena@example.com",
            "terms": "y",
            "privacy": "y",
        },
    )
    assert join.status_code == 400 and "control characters" in join.text
    assert count(core, Card) == before
    login(client, CARD, "demo-password")
    assert client.get("/p/demo/vouchers/AB%00").status_code == 400
    assert client.get("/p/demo/history?after=%00").status_code == 400


@pytest.mark.parametrize("big", BIG_IDS)
def test_the_site_finds_no_reward_beyond_the_database_s_integers(
    client: FlaskClient, core: Core, demo: dict[str, Any], big: int
) -> None:
    login(client, CARD, "demo-password")
    page = client.get("/p/demo/rewards").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token is not None
    before = count(core, Operation)
    response = client.post(
        f"/p/demo/rewards/{big}/redeem", data={"csrf_token": token.group(1), "attempt": uuid.uuid4().hex}
    )
    assert response.status_code == 404
    assert count(core, Operation) == before

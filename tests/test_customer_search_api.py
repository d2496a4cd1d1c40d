"""The customer search on the API (merchant key) and in the staff UI: the same service, the same
answers, bad input refused in the usual shapes."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from admin_core.context import Core
from admin_core.services.cards import enroll_customer
from admin_core.services.merchants import get_merchant

from .test_statements import count_statements

pytestmark = pytest.mark.both_backends  # statement counts

API = "/api/v1/customers"


def bearer(demo: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo['api_key']}"}


def test_the_api_finds_a_customer_by_the_start_of_a_name(core_app: Flask, demo: dict[str, Any]) -> None:
    answer = core_app.test_client().get(f"{API}?q=rossi%20AN", headers=bearer(demo))
    assert answer.status_code == 200, answer.json
    [anna] = answer.json["customers"]
    assert anna["number"] == "7000100001" and anna["first_name"] == "Anna" and anna["points"] > 0
    assert answer.json["next_cursor"] is None


def test_the_api_pages_with_a_cursor(core_app: Flask, core: Core, demo: dict[str, Any]) -> None:
    with core.db.read() as session:
        merchant_id = get_merchant(session, "demo").id
    for index in range(7):
        enroll_customer(
            core.db, merchant_id, f"61000000{index:02}", first_name="Nora", last_name=f"Lund{index}"
        )
    api = core_app.test_client()
    seen: list[str] = []
    url = f"{API}?q=nora&limit=3"
    while True:
        page = api.get(url, headers=bearer(demo)).json
        seen.extend(row["number"] for row in page["customers"])
        if page["next_cursor"] is None:
            break
        url = f"{API}?q=nora&limit=3&cursor={page['next_cursor']}"
    assert seen == [f"61000000{index:02}" for index in reversed(range(7))]
    assert api.get(f"{API}?q=nora&source=wifi", headers=bearer(demo)).json["customers"] == []


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("cursor=bogus", "invalid_cursor"),
        ("limit=0", "invalid"),
        ("limit=x", "invalid"),
        ("source=fax", "invalid"),
        ("marketing=perhaps", "invalid"),
        ("store=NOWHERE", "unknown_store"),
        ("q=" + "x" * 101, "invalid"),
    ],
)
def test_bad_input_is_refused_in_the_api_s_shape(
    core_app: Flask, demo: dict[str, Any], query: str, code: str
) -> None:
    answer = core_app.test_client().get(f"{API}?{query}", headers=bearer(demo))
    assert answer.status_code == 422 and answer.json["error"]["code"] == code, answer.json


def test_the_api_description_has_the_search(core_app: Flask) -> None:
    spec = core_app.test_client().get("/api/v1/openapi.json").json
    parameters = {parameter["name"] for parameter in spec["paths"][API]["get"]["parameters"]}
    assert {"q", "cursor", "limit", "marketing", "source", "store"} <= parameters


def staff(core_app: Flask, email: str = "till@demo.example") -> FlaskClient:
    client = core_app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").text)
    assert token
    form = {
        "csrf_token": token.group(1),
        "merchant": "demo",
        "email": email,
        "password": "demo-staff-password",
    }
    assert client.post("/login", data=form).status_code == 302
    return client


def test_the_till_finds_a_customer_and_opens_the_card(core_app: Flask, demo: dict[str, Any]) -> None:
    client = staff(core_app)
    home = client.get("/").text
    assert 'href="/customers"' in home
    page = client.get("/customers?q=Hans").text
    assert 'href="/cards/7000100003"' in page and "Ingrid Hansen" in page and "ingrid@example.com" in page
    assert "7000100001" not in page
    assert 'name="q"' in page and "autofocus" in page
    assert client.get("/cards/7000100003").status_code == 200


def test_the_staff_page_pages_and_filters(core_app: Flask, core: Core, demo: dict[str, Any]) -> None:
    with core.db.read() as session:
        merchant_id = get_merchant(session, "demo").id
    for index in range(25):
        enroll_customer(
            core.db, merchant_id, f"62000000{index:02}", first_name="Pia", last_name=f"Berg{index}"
        )
    client = staff(core_app)
    first = client.get("/customers?q=pia").text
    assert first.count('href="/cards/620000') == 20 and "6200000024" in first
    following = re.search(r'href="([^"]+)">Next page', first)
    assert following
    second = client.get(following.group(1).replace("&amp;", "&")).text
    assert second.count('href="/cards/620000') == 5 and "6200000000" in second and "6200000024" not in second
    assert "Next page" not in second
    back = re.search(r'href="([^"]+)">Previous page', second)
    assert back
    assert client.get(back.group(1).replace("&amp;", "&")).text.count('href="/cards/620000') == 20
    assert "Pia" not in client.get("/customers?q=pia&source=wifi").text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("q=pia&cursor=bogus", "start again from the first page"),
        ("source=fax", "Choose the filters from the lists"),
        ("marketing=perhaps", "Choose the filters from the lists"),
        ("q=" + "x" * 101, "at most 100 characters"),
    ],
)
def test_the_staff_page_says_what_is_wrong(
    core_app: Flask, demo: dict[str, Any], query: str, message: str
) -> None:
    answer = staff(core_app).get(f"/customers?{query}")
    assert answer.status_code == 422 and message in answer.text


def test_the_admin_opens_the_customer_card(core_app: Flask, demo: dict[str, Any]) -> None:
    till = staff(core_app, "manager@demo.example")
    page = till.get("/cards/7000100001").text
    attempt = re.search(r'name="attempt"[^>]*value="([^"]+)"', page)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert attempt and token
    form = {"csrf_token": token.group(1), "attempt": attempt.group(1), "kind": "earn_points", "amount": "7"}
    assert till.post("/cards/7000100001/operations", data={**form, "store": "MAIN"}).status_code == 302
    admin = staff(core_app, "admin@demo.example")
    found = admin.get("/customers?q=anna").text
    assert 'href="/customers/7000100001"' in found
    card = admin.get("/customers/7000100001")
    assert card.status_code == 200
    text = card.text
    assert "Anna Rossi" in text and "anna@example.com" in text and "Open at the till" in text
    manager = re.search(r"<td[^>]*>Points added</td><td[^>]*>7</td>.*?<td[^>]*>([^<]+)</td></tr>", text)
    assert manager and manager.group(1) != "—", "the operation says who recorded it"
    assert "Vouchers" in text and "Consents" in text
    assert 'href="/customers/7000100001"' not in staff(core_app).get("/customers?q=anna").text


def test_the_api_reads_the_customer_card(core_app: Flask, demo: dict[str, Any]) -> None:
    api = core_app.test_client()
    answer = api.get(f"{API}/7000100001", headers=bearer(demo))
    assert answer.status_code == 200, answer.json
    card = answer.json
    assert (card["number"], card["first_name"], card["last_name"]) == ("7000100001", "Anna", "Rossi")
    assert card["activated"] is True and card["points"] > 0 and card["tier"]["current"] == "Silver"
    assert card["operations"] and {"kind", "points", "store", "recorded_by"} <= set(card["operations"][0])
    assert card["vouchers"] is not None and card["passes"] and card["consents"] is not None
    missing = api.get(f"{API}/7000999999", headers=bearer(demo))
    assert missing.status_code == 404 and missing.json["error"]["code"] == "card_not_found"


def test_a_search_and_a_customer_card_cost_the_same_statements_however_many_customers(
    core_app: Flask, core: Core, demo: dict[str, Any]
) -> None:
    api = core_app.test_client()

    def statements(url: str) -> int:
        with count_statements(core) as seen:
            assert api.get(url, headers=bearer(demo)).status_code == 200
        return len(seen)

    urls = [f"{API}?q=ro", f"{API}?q=ro&store=MAIN&marketing=false", f"{API}?q=7000", f"{API}/7000100001"]
    before = [statements(url) for url in urls]
    with core.db.read() as session:
        merchant_id = get_merchant(session, "demo").id
    for index in range(30):
        enroll_customer(
            core.db, merchant_id, f"63000000{index:02}", first_name="Rosa", last_name=f"Rossi{index}"
        )
    assert [statements(url) for url in urls] == before
    assert before[0] <= 4, before  # the API key, then the one search statement

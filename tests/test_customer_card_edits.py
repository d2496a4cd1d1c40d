"""The admin changes a customer card in the staff UI and through the API: the holder's details and
language, a manual adjustment with its reason. Bad input is said at its field and changes
nothing; a double submit records once; a manager is told it is not for their level, another
merchant finds no such card."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from admin_core.context import Core
from admin_core.models import Card, Customer, Operation, OperationKind, PortalToken
from admin_core.services.cards import enroll_customer
from admin_core.services.merchants import get_merchant
from admin_core.services.portal_auth import start_activation

from .test_customer_search_api import bearer, staff

ANNA = "7000100001"
API = "/api/v1/customers"
ADMIN, MANAGER = "admin@demo.example", "manager@demo.example"
DETAILS = {
    "first_name": "Annalisa",
    "last_name": "Rossi-Bianchi",
    "email": "annalisa@example.com",
    "phone": "+39 333 765 4321",
    "birth_date": "1990-04-05",
    "gender": "female",
    "locale": "it",
}


def page_token(client: FlaskClient, name: str = "csrf_token", number: str = ANNA) -> str:
    found = re.search(rf'name="{name}"[^>]*value="([^"]+)"', client.get(f"/customers/{number}").text)
    assert found, name
    return found.group(1)


def customer(core: Core, number: str = ANNA) -> Customer:
    with core.db.read() as session:
        card = session.scalar(select(Card).where(Card.number == number))
        assert card is not None
        return card.customer


def adjustments(core: Core, number: str = ANNA) -> list[Operation]:
    with core.db.read() as session:
        return list(
            session.scalars(
                select(Operation)
                .join(Card, Card.id == Operation.card_id)
                .where(Card.number == number, Operation.kind == OperationKind.ADJUSTMENT)
            )
        )


def balances(core: Core, number: str = ANNA) -> tuple[int, int]:
    with core.db.read() as session:
        card = session.scalar(select(Card).where(Card.number == number))
        assert card is not None
        return card.points, card.credit


def test_the_admin_changes_the_details_and_the_language(
    core_app: Flask, core: Core, demo: dict[str, Any]
) -> None:
    admin = staff(core_app, ADMIN)
    answer = admin.post(
        f"/customers/{ANNA}/details", data={**DETAILS, "csrf_token": page_token(admin)}, follow_redirects=True
    )
    assert answer.status_code == 200 and "Saved." in answer.text
    assert 'value="Annalisa"' in answer.text and 'value="annalisa@example.com"' in answer.text
    changed = customer(core)
    assert (changed.first_name, changed.last_name, changed.email) == (
        "Annalisa",
        "Rossi-Bianchi",
        "annalisa@example.com",
    )
    assert (changed.phone, str(changed.birth_date), changed.gender, changed.locale) == (
        "+39 333 765 4321",
        "1990-04-05",
        "female",
        "it",
    )
    assert "Annalisa" in admin.get("/customers?q=annalisa").text, "found by the new name"


def test_bad_details_are_said_at_the_field_and_change_nothing(
    core_app: Flask, core: Core, demo: dict[str, Any]
) -> None:
    admin = staff(core_app, ADMIN)
    before = customer(core)
    cases = [
        ({"email": "not-an-address"}, "email", "This is not a valid e-mail address.", 422),
        ({"phone": "12"}, "phone", "Enter a phone number of 6 to 20 digits", 422),
        ({"birth_date": "2030-01-01"}, "birth_date", "Not a possible date of birth.", 422),
        ({"birth_date": "yesterday"}, "birth_date", "Not a valid date value.", 422),
        ({"first_name": ""}, "first_name", "Enter the first name.", 422),
        ({"gender": "robot"}, "gender", "Not a valid choice.", 422),
        ({"locale": "fr"}, "locale", "Not a valid choice.", 422),
        ({"email": "marco@example.com"}, "email", "Another customer has this e-mail address.", 409),
    ]
    for change, field, message, status in cases:
        answer = admin.post(
            f"/customers/{ANNA}/details", data={**DETAILS, **change, "csrf_token": page_token(admin)}
        )
        assert answer.status_code == status, (change, answer.status_code)
        at_field = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', answer.text)
        assert at_field and message in at_field.group(1), (change, at_field)
        after = customer(core)
        assert (after.first_name, after.email, after.phone, after.birth_date) == (
            before.first_name,
            before.email,
            before.phone,
            before.birth_date,
        ), change


def test_the_api_changes_only_what_is_sent(core_app: Flask, core: Core, demo: dict[str, Any]) -> None:
    api = core_app.test_client()
    before = customer(core)
    answer = api.patch(
        f"{API}/{ANNA}/details", json={"phone": "+39 02 1234 5678", "birth_date": None}, headers=bearer(demo)
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["phone"] == "+39 02 1234 5678" and answer.json["birth_date"] is None
    after = customer(core)
    assert (after.first_name, after.email) == (before.first_name, before.email)
    refused = api.patch(f"{API}/{ANNA}/details", json={"email": "MARCO@example.com "}, headers=bearer(demo))
    assert refused.status_code == 409 and refused.json["error"]["code"] == "email_taken"
    bad = api.patch(f"{API}/{ANNA}/details", json={"locale": "xx"}, headers=bearer(demo))
    assert bad.status_code == 422 and bad.json["error"]["code"] == "invalid_language"
    assert customer(core).locale == after.locale


def test_a_new_address_ends_the_links_sent_to_the_old_one(
    core_app: Flask, core: Core, demo: dict[str, Any]
) -> None:
    with core.db.read() as session:
        merchant_id = get_merchant(session, "demo").id
    enroll_customer(core.db, merchant_id, "6400000001", first_name="Lea", email="lea@example.com")
    start_activation(
        core.db,
        core.passwords,
        merchant_id,
        "6400000001",
        "lea@example.com",
        "a-fine-password",
        core.settings.activation_max_age,
    )
    api = core_app.test_client()
    assert (
        api.patch(
            f"{API}/6400000001/details", json={"email": "lea.new@example.com"}, headers=bearer(demo)
        ).status_code
        == 200
    )
    with core.db.read() as session:
        open_links = session.scalar(
            select(func.count())
            .select_from(PortalToken)
            .join(Card, Card.id == PortalToken.card_id)
            .where(Card.number == "6400000001", PortalToken.used_at.is_(None))
        )
    assert open_links == 0


def test_an_adjustment_records_who_and_why_once_per_page_view(
    core_app: Flask, core: Core, demo: dict[str, Any]
) -> None:
    admin = staff(core_app, ADMIN)
    points, credit = balances(core)
    earlier = len(adjustments(core))  # the demo's history has some
    form = {
        "csrf_token": page_token(admin),
        "adjustment_attempt": page_token(admin, "adjustment_attempt"),
        "points": "-50",
        "credit": "2,50",
        "reason": "Coffee machine fault: refund",
    }
    first = admin.post(f"/customers/{ANNA}/adjustments", data=form)
    again = admin.post(f"/customers/{ANNA}/adjustments", data=form)  # the double submit
    assert (first.status_code, again.status_code) == (302, 302)
    *_, recorded = sorted(adjustments(core), key=lambda operation: operation.id)
    assert len(adjustments(core)) == earlier + 1
    assert (recorded.points, recorded.credit, recorded.description) == (
        -50,
        250,
        "Coffee machine fault: refund",
    )
    assert balances(core) == (points - 50, credit + 250)
    page = admin.get(f"/customers/{ANNA}").text
    what = r"<td[^>]*>Adjustment · Coffee machine fault: refund</td><td[^>]*>-50</td>"
    row = re.search(what + r".*?<td[^>]*>([^<]+)</td></tr>", page)
    assert row and row.group(1) not in ("—", "API key"), "the card says who recorded it"


def test_a_bad_adjustment_is_said_at_its_field_and_records_nothing(
    core_app: Flask, core: Core, demo: dict[str, Any]
) -> None:
    admin = staff(core_app, ADMIN)
    points, _credit = balances(core)
    earlier = len(adjustments(core))
    cases = [
        ({"points": "", "credit": ""}, "points", "Change the points, the credit or both.", 422),
        ({"points": "1.5"}, "points", "Whole points, up to 1,000,000", 422),
        ({"points": "2000000"}, "points", "Whole points, up to 1,000,000", 422),
        ({"credit": "abc"}, "credit", "An amount of money like 5.00", 422),
        ({"credit": "1.234"}, "credit", "An amount of money like 5.00", 422),
        ({"points": "5", "reason": " "}, "reason", "Say why the balances change.", 422),
        ({"points": f"-{points + 1}"}, "points", "The card does not have enough points.", 409),
    ]
    for change, field, message, status in cases:
        form = {
            "csrf_token": page_token(admin),
            "adjustment_attempt": page_token(admin, "adjustment_attempt"),
            "reason": "Correction",
            **change,
        }
        answer = admin.post(f"/customers/{ANNA}/adjustments", data=form)
        assert answer.status_code == status, (change, answer.status_code)
        at_field = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', answer.text)
        assert at_field and message in at_field.group(1), (change, at_field)
    assert len(adjustments(core)) == earlier and balances(core)[0] == points


def test_the_api_adjusts_once_per_idempotency_key(core_app: Flask, core: Core, demo: dict[str, Any]) -> None:
    api = core_app.test_client()
    points, credit = balances(core)
    earlier = len(adjustments(core))
    headers = {**bearer(demo), "Idempotency-Key": "adjust-1"}
    body = {"points": 40, "credit": -100, "reason": "Goodwill"}
    first = api.post(f"{API}/{ANNA}/adjustments", json=body, headers=headers)
    again = api.post(f"{API}/{ANNA}/adjustments", json=body, headers=headers)
    assert first.status_code == again.status_code == 201, first.json
    assert again.headers["Idempotent-Replayed"] == "true" and again.json == first.json
    assert (first.json["points"], first.json["credit"]) == (points + 40, credit - 100)
    assert len(adjustments(core)) == earlier + 1
    missing = api.post(f"{API}/{ANNA}/adjustments", json=body, headers=bearer(demo))
    assert missing.status_code == 422 and missing.json["error"]["code"] == "idempotency_key_required"
    no_reason = api.post(
        f"{API}/{ANNA}/adjustments",
        json={"points": 1, "reason": ""},
        headers={**bearer(demo), "Idempotency-Key": "a2"},
    )
    assert no_reason.status_code == 422 and no_reason.json["error"]["code"] == "reason_required"
    card = api.get(f"{API}/{ANNA}", headers=bearer(demo)).json
    latest = card["operations"][0]
    assert (latest["kind"], latest["points"], latest["description"]) == ("adjustment", 40, "Goodwill")


def test_a_manager_is_told_the_changes_are_not_for_their_level(
    core_app: Flask, core: Core, demo: dict[str, Any]
) -> None:
    manager = staff(core_app, MANAGER)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', manager.get("/account").text)
    assert token
    before = (customer(core).first_name, balances(core))
    for path, data in [
        ("details", DETAILS),
        ("adjustments", {"points": "5", "reason": "Mine", "adjustment_attempt": "m1"}),
        ("block", {}),
        ("replacement", {"new_number": "7000199999", "replacement_attempt": "m2"}),
    ]:
        answer = manager.post(f"/customers/{ANNA}/{path}", data={**data, "csrf_token": token.group(1)})
        assert answer.status_code == 403 and "not for your level" in answer.text.lower(), path
    assert (customer(core).first_name, balances(core)) == before

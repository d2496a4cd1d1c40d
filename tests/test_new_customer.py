"""A till enrols a walk-in customer: the staff page (a pre-printed card's number typed, or a new
one) and the API; refusals at the field with nothing stored; a double tap makes one card."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from admin_core.context import Core
from admin_core.models import Card, ConsentKind, ConsentRecord, Customer, CustomerSource, Store

from .test_staff import USER, log_in, token

WALK_IN = {"first_name": "Marta", "last_name": "Galli", "email": "marta@example.com", "locale": "it"}


@pytest.fixture
def till(core_app: Flask, demo: dict[str, Any]) -> FlaskClient:
    client = core_app.test_client()
    log_in(client, USER)
    return client


def form_page(client: FlaskClient) -> tuple[str, str]:
    page = client.get("/customers/new").text
    attempt = re.search(r'name="attempt" type="hidden" value="([^"]+)"', page)
    assert attempt, page
    return page, attempt.group(1)


def enrol(client: FlaskClient, **fields: str) -> Any:
    page, attempt = form_page(client)
    return client.post(
        "/customers/new",
        data={"csrf_token": token(page), "attempt": attempt, "store": "STATION", **WALK_IN, **fields},
    )


def customers(core: Core) -> int:
    with core.db.read() as session:
        return session.scalar(select(func.count()).select_from(Customer)) or 0


def test_the_till_enrols_a_walk_in_on_a_new_number(till: FlaskClient, core: Core) -> None:
    assert 'href="/customers/new"' in till.get("/").text
    answer = enrol(till, marketing="y")
    assert answer.status_code == 302
    number = answer.location.rsplit("/", 1)[1]
    page = till.get(answer.location).text
    assert f"Card {number} made for Marta Galli." in page
    with core.db.read() as session:
        card = session.scalar(select(Card).where(Card.number == number))
        assert card is not None
        customer = card.customer
        assert (customer.email, customer.locale, customer.source) == (
            "marta@example.com",
            "it",
            CustomerSource.TILL,
        )
        station = session.scalar(select(Store).where(Store.code == "STATION"))
        assert station is not None and customer.store_id == station.id and customer.marketing_consent
        record = session.scalar(select(ConsentRecord).where(ConsentRecord.customer_id == customer.id))
        assert record is not None
        assert (record.kind, record.granted, record.source, record.store_id) == (
            ConsentKind.MARKETING,
            True,
            "staff",
            station.id,
        )


def test_a_pre_printed_card_s_number_is_typed_as_it_reads(till: FlaskClient, core: Core) -> None:
    answer = enrol(till, number="7000-5555 01", email="", phone="+39 333 123 4567", last_name="")
    assert answer.status_code == 302 and answer.location.endswith("/cards/7000555501")
    assert "Card 7000555501 made for Marta." in till.get(answer.location).text
    with core.db.read() as session:
        card = session.scalar(select(Card).where(Card.number == "7000555501"))
        assert card is not None and card.customer.phone == "+39 333 123 4567"
        assert card.customer.email is None and not card.customer.marketing_consent


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"number": "7000100001"}, "A card with this number exists already."),
        ({"number": "70/01"}, "Not a card number: 4-32 letters or digits."),
        ({"email": "not-an-address"}, "This is not a valid e-mail address."),
        ({"email": "ANNA@example.com"}, "Another customer has this e-mail address."),
        ({"first_name": "  "}, "Enter the first name."),
        ({"phone": "12"}, "Enter a phone number of 6 to 20 digits"),
    ],
)
def test_a_refusal_is_said_at_its_field_and_stores_nothing(
    till: FlaskClient, core: Core, fields: dict[str, str], message: str
) -> None:
    before = customers(core)
    answer = enrol(till, **fields)
    assert answer.status_code in (409, 422)
    field = next(iter(fields))
    assert re.search(rf'id="{field}-error">[^<]*{re.escape(message)}', answer.text), answer.text
    assert customers(core) == before


@pytest.mark.both_backends  # the idempotency record's unique constraint
def test_a_double_tap_makes_one_card(till: FlaskClient, core: Core) -> None:
    page, attempt = form_page(till)
    data = {"csrf_token": token(page), "attempt": attempt, "store": "STATION", **WALK_IN}
    before = customers(core)
    first, second = till.post("/customers/new", data=data), till.post("/customers/new", data=data)
    assert first.status_code == second.status_code == 302 and first.location == second.location
    assert customers(core) == before + 1


def test_sends_without_the_page_s_key_are_each_their_own(till: FlaskClient, core: Core) -> None:
    """A form sent without the key its page gave (a script, a stale cache) enrols what it says: it
    does not replay, nor block, another send without one."""
    before = customers(core)
    for email in ("marta@example.com", "luca@example.com"):
        page, _attempt = form_page(till)
        data = {"csrf_token": token(page), "attempt": "", "store": "STATION", **WALK_IN, "email": email}
        assert till.post("/customers/new", data=data).status_code == 302
    assert customers(core) == before + 2


def api_enrol(core_app: Flask, key: str | None, body: dict[str, Any], idempotency: str | None = "e1") -> Any:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    if idempotency:
        headers["Idempotency-Key"] = idempotency
    return core_app.test_client().post("/api/v1/customers", json=body, headers=headers)


API_BODY = {"first_name": "Marta", "last_name": "Galli", "email": "marta@example.com", "store": "MAIN"}


def test_the_api_enrols_once_per_idempotency_key(core_app: Flask, core: Core, demo: dict[str, Any]) -> None:
    before = customers(core)
    made = api_enrol(core_app, demo["api_key"], {**API_BODY, "marketing": True, "locale": "bg"})
    assert made.status_code == 201, made.json
    assert made.json["first_name"] == "Marta" and made.json["store"] == "MAIN"
    assert made.json["marketing_consent"] is True and made.json["locale"] == "bg"
    again = api_enrol(core_app, demo["api_key"], {**API_BODY, "marketing": True, "locale": "bg"})
    assert again.status_code == 201 and again.json == made.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert customers(core) == before + 1
    reused = api_enrol(core_app, demo["api_key"], {**API_BODY, "first_name": "Other"})
    assert reused.status_code == 422 and reused.json["error"]["code"] == "idempotency_key_reused"
    another = api_enrol(core_app, demo["api_key"], {**API_BODY, "email": "x@example.com"}, "e2")
    assert another.status_code == 201  # a second customer, on its own new number
    assert another.json["card_number"] != made.json["card_number"]


def test_the_api_refuses_without_key_idempotency_key_or_rules(
    core_app: Flask, core: Core, demo: dict[str, Any]
) -> None:
    before = customers(core)
    assert api_enrol(core_app, None, API_BODY).status_code == 401
    missing = api_enrol(core_app, demo["api_key"], API_BODY, None)
    assert missing.status_code == 422 and missing.json["error"]["code"] == "idempotency_key_required"
    taken = api_enrol(core_app, demo["api_key"], {**API_BODY, "number": "7000 100001"}, "e3")
    assert taken.status_code == 409 and taken.json["error"]["code"] == "card_exists"
    email = api_enrol(core_app, demo["api_key"], {**API_BODY, "email": "anna@example.com"}, "e4")
    assert email.status_code == 409 and email.json["error"]["code"] == "email_taken"
    phone = api_enrol(core_app, demo["api_key"], {**API_BODY, "phone": "12"}, "e5")
    assert phone.status_code == 422 and phone.json["error"]["code"] == "invalid_phone"
    assert customers(core) == before

"""Web sign-up: a new customer gets a new card (prefix + Luhn check digit), their consents are
recorded, and the e-mailed link activates it; an address with a card gets no second one."""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from threading import Barrier
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from stdnum import luhn

import admin_core
import composition
from admin_core.context import EXTENSION, Core
from admin_core.database import Database
from admin_core.demo import load_demo
from admin_core.models import (
    Card,
    ConsentKind,
    ConsentRecord,
    Customer,
    CustomerSource,
    Merchant,
    OutboundMail,
)
from admin_core.services import signup
from admin_core.services.cards import enroll_customer
from admin_core.services.consents import ConsentContext
from admin_core.services.merchants import create_api_key, get_merchant
from admin_core.services.portal_auth import start_activation
from admin_core.services.signup import SignupOutcome, SignupRequest

from .conftest import SECRET, csrf_token, deliver_mail, login, make_config, submit
from .smtp import Inbox

JOIN = "/p/demo/join"
LENA = "lena@example.com"
LINK = re.compile(r"http://localhost(/p/demo/activate/[\w-]+)")


def form(**changes: str | None) -> dict[str, str]:
    """The sign-up form as a customer fills it in; a None value leaves that field out (an unticked
    box)."""
    fields: dict[str, str | None] = {
        "first_name": "Lena",
        "last_name": "Berg",
        "email": LENA,
        "phone": "+39 333 123-4567",
        "gender": "female",
        "birth_date": "1990-04-12",
        "password": "lena-secret-1",
        "confirm": "lena-secret-1",
        "terms": "y",
        "privacy": "y",
        **changes,
    }
    return {name: value for name, value in fields.items() if value is not None}


def demo_merchant(core: Core) -> Merchant:
    with core.db.read() as session:
        return get_merchant(session, "demo")


def set_merchant(core: Core, **values: str) -> None:
    with core.db.write() as session:
        session.execute(update(Merchant).where(Merchant.slug == "demo").values(**values))


def cards_of(db: Database, email: str) -> list[Card]:
    with db.read() as session:
        return list(
            session.scalars(select(Card).join(Card.customer).where(Customer.email == email).order_by(Card.id))
        )


def card_count(core: Core) -> int:
    with core.db.read() as session:
        return session.scalar(select(func.count()).select_from(Card)) or 0


def request(**changes: Any) -> SignupRequest:
    values: dict[str, Any] = {
        "first_name": "Lena",
        "last_name": "Berg",
        "email": LENA,
        "terms": True,
        "privacy": True,
        "password": "lena-secret-1",
        **changes,
    }
    return SignupRequest(**values)


def join(core: Core, signup_request: SignupRequest) -> signup.SignupResult:
    return signup.join(
        core.db,
        core.passwords,
        demo_merchant(core),
        signup_request,
        ConsentContext("portal_join", ip_address="192.0.2.7"),
        timedelta(hours=24),
    )


def test_sign_up_e_mails_the_card_number_and_a_link_that_activates_it(
    client: FlaskClient, app: Flask, core_app: Flask, inbox: Inbox, demo: dict[str, Any]
) -> None:
    page = submit(client, JOIN, form())
    assert page.status_code == 200
    assert "Check your e-mail" in page.text and LENA in page.text

    deliver_mail(core_app)
    [message] = inbox.messages
    assert message["To"] == LENA
    assert message["Subject"] == "Your new Demo Café & Market card"
    text = inbox.text(message)
    assert "Hello Lena," in text
    [number] = re.findall(r"\b9\d{12}\b", text)
    assert luhn.is_valid(number)
    html = message.get_body(preferencelist=("html",))
    assert html is not None and number in html.get_content()  # type: ignore[attr-defined]

    found = LINK.search(text)
    assert found
    landed = submit(client, found.group(1), {})
    assert landed.status_code == 302 and landed.location == "/p/demo/"
    dashboard = client.get("/p/demo/")
    assert "Hello, Lena" in dashboard.text and number in dashboard.text
    assert login(app.test_client(), number, "lena-secret-1").location == "/p/demo/"


def test_card_numbers_are_the_merchant_prefix_random_digits_and_a_luhn_check_digit(
    core: Core, demo: dict[str, Any]
) -> None:
    default = join(core, request())
    set_merchant(core, card_prefix="42")
    prefixed = join(core, request(email="second@example.com"))

    assert default.card_number.startswith("9") and prefixed.card_number.startswith("42")
    for number in default.card_number, prefixed.card_number:
        assert len(number) == 13 and number.isdigit()
        assert luhn.is_valid(number)
        assert luhn.calc_check_digit(number[:-1]) == number[-1]


@pytest.mark.both_backends  # a taken number: the unique constraint
def test_a_card_number_already_taken_is_skipped(
    core: Core, demo: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = "9" + "0" * 11
    enroll_customer(core.db, demo_merchant(core).id, taken + luhn.calc_check_digit(taken), first_name="Old")
    draws = iter(["0" * 11, "1" * 11])
    monkeypatch.setattr(signup, "random_digits", lambda _count: next(draws))

    result = join(core, request())

    free = "9" + "1" * 11
    assert result.card_number == free + luhn.calc_check_digit(free)
    assert [card.number for card in cards_of(core.db, LENA)] == [result.card_number]


def test_the_details_given_are_kept_on_the_customer(core: Core, demo: dict[str, Any]) -> None:
    result = join(
        core,
        request(
            first_name="  Lena ",
            email=" Lena@Example.COM ",
            phone="+47 912  34 567",
            gender="undisclosed",
            birth_date=date(1990, 4, 12),
            locale="nb",
            store="STATION",
        ),
    )
    assert result.outcome is SignupOutcome.CREATED and result.email == LENA
    with core.db.read() as session:
        [card] = session.scalars(select(Card).where(Card.number == result.card_number))
        customer = card.customer
        home = customer.store_id
        records = session.scalars(select(ConsentRecord).where(ConsentRecord.customer_id == customer.id)).all()
    assert (customer.first_name, customer.last_name, customer.email) == ("Lena", "Berg", LENA)
    assert (customer.phone, customer.gender, customer.birth_date) == (
        "+47 912 34 567",
        "undisclosed",
        date(1990, 4, 12),
    )
    assert customer.locale == "nb"
    assert card.password_hash is None and card.activated_at is None  # until the link is followed
    assert home is not None and {record.store_id for record in records} == {home}
    assert customer.source is CustomerSource.WEB
    assert (customer.search_name, customer.search_name_reversed) == ("lena berg", "berg lena")
    assert (customer.search_email, customer.search_phone) == (LENA, "4791234567")


def test_consents_are_recorded_with_their_versions_the_source_and_the_address(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    set_merchant(core, terms_version="T-2", privacy_version="P-3", marketing_version="M-4")
    submit(client, JOIN, form(marketing="y"))
    submit(client, JOIN, form(email="nomail@example.com"))

    with core.db.read() as session:
        rows = session.execute(
            select(Customer.email, Customer.marketing_consent, ConsentRecord).join(
                ConsentRecord, ConsentRecord.customer_id == Customer.id
            )
        ).all()
    given = {
        (email, record.kind, record.granted, record.version, record.source, record.ip_address)
        for email, _flag, record in rows
    }
    assert given == {
        (LENA, ConsentKind.TERMS, True, "T-2", "portal_join", "127.0.0.1"),
        (LENA, ConsentKind.PRIVACY, True, "P-3", "portal_join", "127.0.0.1"),
        (LENA, ConsentKind.MARKETING, True, "M-4", "portal_join", "127.0.0.1"),
        ("nomail@example.com", ConsentKind.TERMS, True, "T-2", "portal_join", "127.0.0.1"),
        ("nomail@example.com", ConsentKind.PRIVACY, True, "P-3", "portal_join", "127.0.0.1"),
        # A refusal is a choice on file too: the log says what was asked, and when it was declined.
        ("nomail@example.com", ConsentKind.MARKETING, False, "M-4", "portal_join", "127.0.0.1"),
    }
    assert {(email, flag) for email, flag, _record in rows} == {(LENA, True), ("nomail@example.com", False)}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"terms": None}, "Accept the rules to get a card."),
        ({"privacy": None}, "Confirm you have read how your details are used."),
        ({"first_name": "  "}, "Enter your first name."),
        ({"last_name": ""}, "Enter your last name."),
        ({"email": "lena@"}, "This is not a valid e-mail address."),
        ({"phone": "12-34"}, "Enter a phone number of 6 to 20 digits"),
        ({"phone": "call me at 5"}, "Enter a phone number of 6 to 20 digits"),
        ({"birth_date": "2999-01-01"}, "This date of birth is not possible."),
        ({"birth_date": "1899-12-31"}, "This date of birth is not possible."),
        ({"birth_date": "31/12/1990"}, "Not a valid date value."),
        ({"birth_date": (date.today() - timedelta(days=365 * 10)).isoformat()}, "at least 14"),
        ({"gender": "robot"}, "Not a valid choice"),
        ({"password": "short7!", "confirm": "short7!"}, "at least 8 characters"),
        ({"confirm": "lena-secret-2"}, "The two passwords are not the same."),
    ],
)
def test_bad_details_are_explained_and_nothing_is_created(
    client: FlaskClient,
    core: Core,
    core_app: Flask,
    inbox: Inbox,
    demo: dict[str, Any],
    changes: dict[str, str | None],
    message: str,
) -> None:
    before = card_count(core)
    page = submit(client, JOIN, form(**changes))
    assert page.status_code == 200
    assert message in page.text
    assert "Check your e-mail" not in page.text
    assert card_count(core) == before
    deliver_mail(core_app)
    assert inbox.messages == []


def test_an_address_that_has_a_card_gets_the_same_page_and_an_e_mail_naming_it(
    client: FlaskClient, app: Flask, core: Core, core_app: Flask, inbox: Inbox, demo: dict[str, Any]
) -> None:
    anna = demo["cards"][0]
    assert anna["number"] == "7000100001"
    before = card_count(core)
    fresh = submit(app.test_client(), JOIN, form()).text
    known = submit(
        client, JOIN, form(email="  Anna@Example.com", password="taken-over-1", confirm="taken-over-1")
    )

    assert card_count(core) == before + 1  # Lena's; none for Anna's address
    tokens = r'value="[^"]{40,}"|nonce="[^"]+"|\S+@example\.com'
    scrub = [re.sub(tokens, "", page) for page in (fresh, known.text)]
    assert scrub[0] == scrub[1]

    deliver_mail(core_app)
    [mail] = [message for message in inbox.messages if message["To"] == "anna@example.com"]
    assert mail["Subject"] == "You already have a Demo Café & Market card"
    text = inbox.text(mail)
    assert "Hello Anna," in text and "Lena" not in text  # the name on file, not the one typed
    assert "7000100001" in text and "http://localhost/p/demo/login" in text
    assert not LINK.search(text)
    assert login(app.test_client(), "7000100001", anna["password"]).location == "/p/demo/"
    assert login(app.test_client(), "7000100001", "taken-over-1").status_code == 401


@pytest.mark.both_backends  # the idempotency record's unique constraint
def test_sending_the_form_twice_makes_one_card(
    client: FlaskClient, core: Core, core_app: Flask, inbox: Inbox, demo: dict[str, Any]
) -> None:
    token = csrf_token(client, JOIN)
    for _ in range(2):
        assert client.post(JOIN, data={"csrf_token": token, **form()}).status_code == 200
    assert len(cards_of(core.db, LENA)) == 1
    deliver_mail(core_app)
    assert sorted(message["Subject"] for message in inbox.messages) == [
        "You already have a Demo Café & Market card",
        "Your new Demo Café & Market card",
    ]


def test_a_form_without_its_csrf_token_is_refused(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    assert client.post(JOIN, data=form()).status_code == 400
    assert cards_of(core.db, LENA) == []


def test_the_login_page_offers_sign_up(client: FlaskClient, demo: dict[str, Any]) -> None:
    page = client.get("/p/demo/login")
    assert f'href="{JOIN}"' in page.text and "New customer? Get a card" in page.text


def test_only_the_needed_fields_are_marked_required(client: FlaskClient, demo: dict[str, Any]) -> None:
    page = client.get(JOIN)
    assert page.status_code == 200
    controls = dict(re.findall(r'<(?:input|select)[^>]*name="(\w+)"([^>]*)>', page.text))
    required = {name for name, attributes in controls.items() if re.search(r"\brequired\b", attributes)}
    assert required == {"first_name", "last_name", "email", "password", "confirm", "terms", "privacy"}


def test_without_a_password_no_link_is_issued_and_activation_works_later(
    core: Core, demo: dict[str, Any]
) -> None:
    result = join(core, request(password=None))
    assert result.outcome is SignupOutcome.CREATED and result.activation is None
    ticket = start_activation(
        core.db,
        core.passwords,
        demo_merchant(core).id,
        result.card_number,
        LENA,
        "chosen-later-1",
        timedelta(hours=1),
    )
    assert ticket is not None and ticket.first_name == "Lena"


@pytest.fixture
def site_api(core: Core, core_app: Flask, demo: dict[str, Any]) -> Callable[..., Any]:
    site_key = create_api_key(core.db, None)
    api = core_app.test_client()

    def post(body: dict[str, Any], key: str = site_key) -> Any:
        headers = {"Authorization": f"Bearer {key}", "X-Merchant": "demo"}
        return api.post("/api/v1/portal/join", json=body, headers=headers)

    return post


API_BODY = {"first_name": "Lena", "last_name": "Berg", "email": LENA, "terms": True, "privacy": True}


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"terms": False}, "terms_required"),
        ({"privacy": False}, "privacy_required"),
        ({"first_name": " "}, "invalid_first_name"),
        ({"last_name": "x" * 101}, "invalid_last_name"),
        ({"email": "lena@@example.com"}, "invalid_email"),
        ({"phone": "12345"}, "invalid_phone"),
        ({"gender": "robot"}, "invalid_gender"),
        ({"birth_date": "1899-12-31"}, "invalid_birth_date"),
        ({"birth_date": (date.today() + timedelta(days=1)).isoformat()}, "invalid_birth_date"),
        ({"birth_date": (date.today() - timedelta(days=365 * 13)).isoformat()}, "too_young"),
        ({"password": "short"}, "password_too_short"),
        ({"store": "NOWHERE"}, "unknown_store"),
        ({"terms": None}, "invalid"),
        ({"birth_date": "12/04/1990"}, "invalid"),
    ],
)
def test_api_refuses_broken_rules_with_their_code(
    site_api: Callable[..., Any], core: Core, changes: dict[str, Any], code: str
) -> None:
    response = site_api({**API_BODY, **changes})
    assert response.status_code == 422
    assert response.json["error"]["code"] == code
    assert cards_of(core.db, LENA) == []


@pytest.mark.both_backends  # the idempotency record's unique constraint
def test_api_creates_once_then_names_the_existing_card(
    site_api: Callable[..., Any], core: Core, demo: dict[str, Any]
) -> None:
    merchant_key = demo["api_key"]
    assert site_api(API_BODY, key=merchant_key).status_code == 403

    first = site_api({**API_BODY, "password": "lena-secret-1", "ip_address": "2001:db8::7", "store": "MAIN"})
    assert first.status_code == 201
    assert first.json["outcome"] == "created" and first.json["token"] and first.json["expires_at"]
    again = site_api({**API_BODY, "first_name": "Someone"})
    assert again.status_code == 200
    assert again.json["outcome"] == "existing" and again.json["token"] is None
    assert again.json["card"] == first.json["card"] and again.json["first_name"] == "Lena"
    with core.db.read() as session:
        addresses = set(session.scalars(select(ConsentRecord.ip_address)))
    assert addresses == {"2001:db8::7"}


def test_the_join_form_is_throttled_per_e_mail_address(client: FlaskClient, demo: dict[str, Any]) -> None:
    statuses = [submit(client, JOIN, form()).status_code for _ in range(6)]
    assert statuses == [200, 200, 200, 200, 200, 429]


PARALLEL = 10


@pytest.mark.both_backends  # a race on the unique constraints
def test_simultaneous_identical_sign_ups_make_one_card(committed_db: Database, inbox: Inbox) -> None:
    config = make_config(
        inbox, RATELIMIT_FORMS_PER_IP="100 per hour", RATELIMIT_FORMS_PER_CUSTOMER="100 per hour"
    )
    core_app = admin_core.create_app(config, database=committed_db)
    load_demo(core_app.extensions[EXTENSION], SECRET)
    site = composition.create_app(config, core_app=core_app)
    clients = [site.test_client() for _ in range(PARALLEL)]
    tokens = [csrf_token(client, JOIN) for client in clients]
    start = Barrier(PARALLEL)

    def send(index: int) -> tuple[int, str]:
        start.wait(timeout=30)
        response = clients[index].post(JOIN, data={"csrf_token": tokens[index], **form()})
        return response.status_code, response.text

    with ThreadPoolExecutor(PARALLEL) as pool:
        results = list(pool.map(send, range(PARALLEL)))

    assert all(status == 200 and "Check your e-mail" in text for status, text in results)
    assert len(cards_of(committed_db, LENA)) == 1
    with committed_db.read() as session:
        subjects = sorted(session.scalars(select(OutboundMail.subject).where(OutboundMail.recipient == LENA)))
    assert subjects == ["You already have a Demo Café & Market card"] * (PARALLEL - 1) + [
        "Your new Demo Café & Market card"
    ]

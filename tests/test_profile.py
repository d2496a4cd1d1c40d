"""The profile: details, language, consents (recorded on change), password, e-mail change by link,
a copy of the customer's data, and deleting the account (personal data erased, ledger kept)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from admin_core.context import Core
from admin_core.errors import Gone, Invalid, Unauthorized
from admin_core.models import (
    Card,
    ConsentKind,
    ConsentRecord,
    Customer,
    Merchant,
    Operation,
    OperationKind,
    PortalToken,
    Store,
)
from admin_core.services import utcnow
from admin_core.services.cards import enroll_customer
from admin_core.services.consents import ConsentContext
from admin_core.services.ledger import OperationRequest, record_operation
from admin_core.services.merchants import create_api_key, get_merchant
from admin_core.services.portal_auth import (
    authenticate,
    change_password,
    complete_email_change,
    set_password,
    start_email_change,
    start_reset,
)
from admin_core.services.profile import (
    ProfileChanges,
    delete_account,
    export_customer_data,
    get_profile,
    update_profile,
)

from .conftest import csrf_token, deliver_mail, login, submit
from .smtp import Inbox

NUMBER = "7000200001"
PASSWORD = "paola-secret-1"
PROFILE = "/p/demo/profile"
HERE = ConsentContext("portal_profile", ip_address="203.0.113.7")


@pytest.fixture
def merchant_id(core: Core, demo: dict[str, Any]) -> int:
    with core.db.read() as session:
        return get_merchant(session, "demo").id


@pytest.fixture
def paola(core: Core, merchant_id: int) -> int:
    """A customer of her own, with points and an active portal password; her credentials version."""
    enroll_customer(
        core.db,
        merchant_id,
        NUMBER,
        first_name="Paola",
        last_name="Verdi",
        email="paola@example.com",
        phone="+39 333 1234567",
    )
    with core.db.write() as session:
        record_operation(
            session, merchant_id, NUMBER, OperationRequest(OperationKind.EARN_POINTS, 300, "MAIN")
        )
    return set_password(core.db, core.passwords, merchant_id, NUMBER, PASSWORD).credentials_version


def records(core: Core, number: str = NUMBER) -> list[ConsentRecord]:
    with core.db.read() as session:
        return list(
            session.scalars(
                select(ConsentRecord)
                .join(Card, Card.customer_id == ConsentRecord.customer_id)
                .where(Card.number == number)
                .order_by(ConsentRecord.id)
            )
        )


def customer(core: Core, number: str = NUMBER) -> Customer:
    with core.db.read() as session:
        card = session.scalars(select(Card).where(Card.number == number)).one()
        return card.customer


def logged_in(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert login(client, NUMBER, PASSWORD).status_code == 302
    return client


# Services


def test_a_consent_is_recorded_only_when_it_changes_with_version_source_and_ip(
    core: Core, merchant_id: int, paola: int
) -> None:
    with core.db.write() as session:
        session.get_one(Merchant, merchant_id).marketing_version = "2024-03"
    choices = ProfileChanges(marketing_consent=True, notify_email=True, notify_sms=False)
    update_profile(core.db, merchant_id, NUMBER, paola, choices, HERE)
    [record] = records(core)
    assert (record.kind, record.granted, record.version) == (ConsentKind.MARKETING, True, "2024-03")
    assert (record.source, record.ip_address) == ("portal_profile", "203.0.113.7")
    assert customer(core).marketing_consent is True

    update_profile(core.db, merchant_id, NUMBER, paola, choices, HERE)
    assert len(records(core)) == 1  # nothing changed, nothing recorded

    update_profile(core.db, merchant_id, NUMBER, paola, ProfileChanges(notify_email=False), HERE)
    assert [(r.kind, r.granted) for r in records(core)][1:] == [(ConsentKind.NOTIFY_EMAIL, False)]


def test_details_are_checked_and_a_bad_one_changes_nothing(core: Core, merchant_id: int, paola: int) -> None:
    changes = ProfileChanges(first_name="  Paola Maria ", phone="", locale="it")
    assert (
        update_profile(core.db, merchant_id, NUMBER, paola, changes, HERE).customer.first_name
        == "Paola Maria"
    )
    assert (customer(core).phone, customer(core).locale) == (None, "it")
    for bad, code in [
        (ProfileChanges(first_name=" ", last_name="Rossi"), "invalid_first_name"),
        (ProfileChanges(last_name="Rossi", phone="call me"), "invalid_phone"),
        (ProfileChanges(last_name="Rossi", locale="../../x"), "invalid_locale"),
    ]:
        with pytest.raises(Invalid) as refused:
            update_profile(core.db, merchant_id, NUMBER, paola, bad, HERE)
        assert refused.value.code == code
    assert customer(core).last_name == "Verdi"


def test_an_outdated_session_can_neither_read_nor_change(core: Core, merchant_id: int, paola: int) -> None:
    set_password(core.db, core.passwords, merchant_id, NUMBER, "changed-elsewhere")
    for attempt in (
        lambda: get_profile(core.db, merchant_id, NUMBER, paola),
        lambda: update_profile(core.db, merchant_id, NUMBER, paola, ProfileChanges(first_name="X"), HERE),
        lambda: export_customer_data(core.db, merchant_id, NUMBER, paola),
    ):
        with pytest.raises(Unauthorized) as refused:
            attempt()
        assert refused.value.code == "session_expired"
    assert customer(core).first_name == "Paola"


def test_changing_the_password_needs_the_current_one(core: Core, merchant_id: int, paola: int) -> None:
    with pytest.raises(Unauthorized) as wrong:
        change_password(
            core.db, core.passwords, merchant_id, NUMBER, paola, "not-it-at-all", "brand-new-pass"
        )
    assert wrong.value.code == "wrong_password"
    with pytest.raises(Invalid):
        change_password(core.db, core.passwords, merchant_id, NUMBER, paola, PASSWORD, "short")
    assert authenticate(core.db, core.passwords, merchant_id, NUMBER, PASSWORD).credentials_version == paola

    card = change_password(core.db, core.passwords, merchant_id, NUMBER, paola, PASSWORD, "brand-new-pass")
    assert card.credentials_version == paola + 1
    with pytest.raises(Unauthorized):
        authenticate(core.db, core.passwords, merchant_id, NUMBER, PASSWORD)
    authenticate(core.db, core.passwords, merchant_id, NUMBER, "brand-new-pass")


def email_change(
    core: Core, merchant_id: int, version: int, address: str = "paola@new.example", **kw: Any
) -> str:
    ticket = start_email_change(
        core.db, core.passwords, merchant_id, NUMBER, version, PASSWORD, address, timedelta(hours=24), **kw
    )
    assert (ticket.new_email, ticket.old_email) == (address, "paola@example.com")
    return ticket.token


def test_an_e_mail_change_link_works_once(core: Core, merchant_id: int, paola: int) -> None:
    token = email_change(core, merchant_id, paola, "  Paola@New.Example ".strip().lower())
    assert customer(core).email == "paola@example.com"  # until the link is followed
    assert complete_email_change(core.db, merchant_id, token).customer.email == "paola@new.example"
    assert customer(core).email == "paola@new.example"
    with pytest.raises(Gone):
        complete_email_change(core.db, merchant_id, token)


def test_an_e_mail_change_link_expires(core: Core, merchant_id: int, paola: int) -> None:
    token = email_change(core, merchant_id, paola, now=utcnow() - timedelta(hours=25))
    with pytest.raises(Gone) as gone:
        complete_email_change(core.db, merchant_id, token)
    assert gone.value.code == "token_expired"
    assert customer(core).email == "paola@example.com"


def test_an_e_mail_change_link_dies_with_a_password_change_or_a_newer_request(
    core: Core, merchant_id: int, paola: int
) -> None:
    first = email_change(core, merchant_id, paola)
    second = email_change(core, merchant_id, paola, "paola@other.example")
    with pytest.raises(Gone):
        complete_email_change(core.db, merchant_id, first)  # only the latest request counts
    change_password(core.db, core.passwords, merchant_id, NUMBER, paola, PASSWORD, "brand-new-pass")
    with pytest.raises(Gone):
        complete_email_change(core.db, merchant_id, second)
    assert customer(core).email == "paola@example.com"


def test_an_e_mail_change_needs_the_password_and_a_new_valid_address(
    core: Core, merchant_id: int, paola: int
) -> None:
    for password, address, code in [
        ("wrong-password", "paola@new.example", "wrong_password"),
        (PASSWORD, "paola@example.com", "same_email"),
        (PASSWORD, "not-an-address", "invalid_email"),
    ]:
        with pytest.raises((Unauthorized, Invalid)) as refused:
            start_email_change(
                core.db, core.passwords, merchant_id, NUMBER, paola, password, address, timedelta(hours=1)
            )
        assert refused.value.code == code  # type: ignore[union-attr]


def test_a_confirmed_address_ends_the_links_sent_to_the_old_one(
    core: Core, merchant_id: int, paola: int
) -> None:
    reset = start_reset(core.db, merchant_id, "paola@example.com", timedelta(hours=1))
    assert reset is not None
    complete_email_change(core.db, merchant_id, email_change(core, merchant_id, paola))
    with core.db.read() as session:
        pending = session.scalars(
            select(PortalToken)
            .join(Card, Card.id == PortalToken.card_id)
            .where(Card.number == NUMBER, PortalToken.used_at.is_(None))
        ).all()
    assert pending == []


def test_the_export_holds_the_customers_data_and_nothing_of_others(
    core: Core, merchant_id: int, paola: int
) -> None:
    update_profile(core.db, merchant_id, NUMBER, paola, ProfileChanges(marketing_consent=True), HERE)
    data = export_customer_data(core.db, merchant_id, NUMBER, paola)
    assert data["customer"]["first_name"] == "Paola"
    assert data["customer"]["email"] == "paola@example.com"
    assert data["customer"]["marketing_consent"] is True
    [card] = data["cards"]
    assert card["number"] == NUMBER and card["balances"]["points"] == 300
    with core.db.read() as session:
        main = session.scalars(
            select(Store).where(Store.merchant_id == merchant_id, Store.code == "MAIN")
        ).one()
    assert [(op["kind"], op["points"], op["store"]) for op in card["operations"]] == [
        ("earn_points", 300, main.name)
    ]
    assert [(c["kind"], c["granted"], c["ip_address"]) for c in data["consents"]] == [
        ("marketing", True, "203.0.113.7")
    ]
    text = json.dumps(data)
    for other in ("7000100001", "anna@example.com", "Rossi", "marco@example.com", "Ingrid"):
        assert other not in text


@pytest.mark.both_backends  # foreign keys: what a delete keeps
def test_deleting_erases_the_person_keeps_the_ledger_and_ends_every_access(
    core: Core, merchant_id: int, paola: int
) -> None:
    with pytest.raises(Unauthorized):
        delete_account(core.db, core.passwords, merchant_id, NUMBER, paola, "wrong-password", HERE)
    assert customer(core).email == "paola@example.com"

    delete_account(core.db, core.passwords, merchant_id, NUMBER, paola, PASSWORD, HERE)
    gone = customer(core)
    assert (gone.first_name, gone.last_name, gone.email, gone.phone) == ("", "", None, None)
    assert gone.deleted_at is not None and gone.marketing_consent is False
    with core.db.read() as session:
        card = session.scalars(select(Card).where(Card.number == NUMBER)).one()
        operations = session.scalars(select(Operation).where(Operation.card_id == card.id)).all()
    assert card.password_hash is None and card.points == 300
    assert [operation.points for operation in operations] == [300]
    # Notifications by e-mail were on (the default): withdrawn, on the record.
    assert [(r.kind, r.granted, r.source) for r in records(core)] == [
        (ConsentKind.NOTIFY_EMAIL, False, "portal_profile")
    ]
    with pytest.raises(Unauthorized):
        authenticate(core.db, core.passwords, merchant_id, NUMBER, PASSWORD)
    assert start_reset(core.db, merchant_id, "paola@example.com", timedelta(hours=1)) is None


# The API


@pytest.fixture
def api(core_app: Flask, core: Core, demo: dict[str, Any]) -> Any:
    """Calls as the site does over HTTP: a site key, the merchant, the session's version."""
    key = create_api_key(core.db, None)
    client = core_app.test_client()

    def call(method: str, path: str, version: int | None = None, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {key}", "X-Merchant": "demo"}
        if version is not None:
            headers["X-Card-Version"] = str(version)
        return client.open(f"/api/v1/portal{path}", method=method, headers=headers, **kwargs)

    return call


def error(response: Any) -> tuple[int, str]:
    return response.status_code, response.json["error"]["code"]


def test_api_answers_with_clear_error_codes(
    api: Any, core_app: Flask, demo: dict[str, Any], paola: int
) -> None:
    card = f"/cards/{NUMBER}"
    merchant_key = {"Authorization": f"Bearer {demo['api_key']}"}
    assert error(core_app.test_client().get(f"/api/v1/portal{card}/profile", headers=merchant_key)) == (
        403,
        "site_only",
    )
    assert error(api("GET", f"{card}/profile")) == (401, "session_required")
    assert error(api("GET", f"{card}/profile", paola - 1)) == (401, "session_expired")
    assert api("GET", f"{card}/profile", paola).json["phone"] == "+39 333 1234567"
    wrong = {"current_password": "wrong-password", "new_password": "brand-new-pass"}
    assert error(api("POST", f"{card}/password", paola, json=wrong)) == (401, "wrong_password")
    short = {"current_password": PASSWORD, "new_password": "short"}
    assert error(api("POST", f"{card}/password", paola, json=short)) == (422, "password_too_short")
    same = {"password": PASSWORD, "new_email": "paola@example.com"}
    assert error(api("POST", f"{card}/email", paola, json=same)) == (422, "same_email")
    bad_ip = {"marketing_consent": True, "ip_address": "somewhere"}
    assert error(api("POST", f"{card}/profile", paola, json=bad_ip)) == (422, "invalid")
    assert error(api("POST", "/email-changes/complete", json={"token": "made-up"})) == (410, "token_invalid")
    assert error(api("POST", f"{card}/deletion", paola, json={"password": "nope"})) == (401, "wrong_password")
    assert api("GET", f"{card}/export", paola).json["cards"][0]["number"] == NUMBER
    assert api("POST", f"{card}/deletion", paola, json={"password": PASSWORD}).status_code == 204
    assert error(api("GET", f"{card}/profile", paola)) == (401, "session_expired")


def test_the_api_takes_the_customers_ip_from_the_body_only(api: Any, core: Core, paola: int) -> None:
    response = api(
        "POST",
        f"/cards/{NUMBER}/profile",
        paola,
        json={"marketing_consent": True, "ip_address": "2001:db8::7"},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert response.status_code == 200 and response.json["marketing_consent"] is True
    assert [record.ip_address for record in records(core)] == ["2001:db8::7"]


# The pages


def test_the_profile_needs_a_login_and_leads_back_to_the_card(
    client: FlaskClient, app: Flask, paola: int
) -> None:
    assert client.get(PROFILE).location.startswith("/p/demo/login")
    page = logged_in(app).get(PROFILE)
    assert page.status_code == 200
    assert 'value="Paola"' in page.text and "paola@example.com" in page.text
    assert 'href="/p/demo/">Back to my card' in page.text


def test_each_section_saves_alone_and_says_so(app: Flask, core: Core, paola: int) -> None:
    client = logged_in(app)
    saved = submit(
        client,
        PROFILE,
        {
            "details-first_name": "Paola Maria",
            "details-last_name": "Verdi",
            "details-phone": "",
            "details-submit": "1",
        },
    )
    assert saved.status_code == 302 and saved.location == "/p/demo/profile#details"
    assert "Your details are saved." in client.get(PROFILE).text
    assert (customer(core).first_name, customer(core).phone) == ("Paola Maria", None)


def test_a_bad_field_is_explained_and_changes_nothing(app: Flask, core: Core, paola: int) -> None:
    client = logged_in(app)
    refused = submit(
        client,
        PROFILE,
        {
            "details-first_name": " ",
            "details-last_name": "Bianchi",
            "details-phone": "12",
            "details-submit": "1",
        },
    )
    assert refused.status_code == 422
    assert "Enter your first name." in refused.text
    assert "Enter a phone number of 6 to 20 digits" in refused.text
    assert 'value="Bianchi"' in refused.text  # what was typed stays in the form
    assert "paola@example.com" in refused.text  # the other sections show what is on file
    assert (customer(core).first_name, customer(core).last_name) == ("Paola", "Verdi")


def test_forms_without_a_csrf_token_are_refused(app: Flask, core: Core, paola: int) -> None:
    client = logged_in(app)
    response = client.post(PROFILE, data={"details-first_name": "Mallory", "details-submit": "1"})
    assert response.status_code == 400
    assert customer(core).first_name == "Paola"


def test_the_language_is_saved_and_switches_the_session(app: Flask, core: Core, paola: int) -> None:
    client = logged_in(app)
    assert submit(client, PROFILE, {"language-locale": "it", "language-submit": "1"}).status_code == 302
    assert customer(core).locale == "it"
    assert '<html lang="it">' in client.get(PROFILE).text
    refused = submit(client, PROFILE, {"language-locale": "xx", "language-submit": "1"})
    assert refused.status_code == 422 and customer(core).locale == "it"


def test_consent_choices_are_recorded_with_the_customers_ip(app: Flask, core: Core, paola: int) -> None:
    client = logged_in(app)
    client.environ_base["REMOTE_ADDR"] = "198.51.100.23"
    choices = {"choices-notify_email": "y", "choices-marketing": "y", "choices-submit": "1"}
    assert submit(client, PROFILE, choices).status_code == 302
    assert submit(client, PROFILE, choices).status_code == 302  # the same again: nothing new
    [record] = records(core)
    assert (record.kind, record.granted, record.source) == (ConsentKind.MARKETING, True, "portal_profile")
    assert record.ip_address == "198.51.100.23"
    assert "Your choices are saved." in client.get(PROFILE).text


def test_changing_the_password_keeps_this_session_and_ends_the_others(app: Flask, paola: int) -> None:
    client, other = logged_in(app), logged_in(app)
    fields = {
        "password-password": "brand-new-pass",
        "password-confirm": "brand-new-pass",
        "password-submit": "1",
    }
    wrong = submit(client, PROFILE, {"password-current": "not-my-password", **fields})
    assert wrong.status_code == 401 and "This password is not right." in wrong.text
    mismatch = submit(
        client, PROFILE, {"password-current": PASSWORD, **fields, "password-confirm": "other-pass"}
    )
    assert "The two passwords are not the same." in mismatch.text

    assert submit(client, PROFILE, {"password-current": PASSWORD, **fields}).status_code == 302
    assert "Other devices have been logged out." in client.get(PROFILE).text
    assert other.get(PROFILE).location == "/p/demo/login"
    assert login(app.test_client(), NUMBER, PASSWORD).status_code == 401
    assert login(app.test_client(), NUMBER, "brand-new-pass").status_code == 302


def link_to(message: Any, inbox: Inbox, path: str) -> str:
    found = re.search(rf"http://localhost({re.escape(path)}[\w-]+)", inbox.text(message))
    assert found, inbox.text(message)
    return found.group(1)


def test_an_e_mail_change_is_confirmed_by_a_link_to_the_new_address(
    app: Flask, core_app: Flask, core: Core, inbox: Inbox, paola: int
) -> None:
    client = logged_in(app)
    asked = submit(
        client,
        PROFILE,
        {"email-email": "Paola@New.Example", "email-password": PASSWORD, "email-submit": "1"},
    )
    assert asked.status_code == 302
    assert "We sent a link to paola@new.example." in client.get(PROFILE).text
    assert customer(core).email == "paola@example.com"

    deliver_mail(core_app)
    by_recipient = {message["To"]: message for message in inbox.messages}
    assert set(by_recipient) == {"paola@new.example", "paola@example.com"}
    assert "paola@new.example" in inbox.text(by_recipient["paola@example.com"])  # the notice
    assert "/profile/email/" not in inbox.text(by_recipient["paola@example.com"])
    link = link_to(by_recipient["paola@new.example"], inbox, "/p/demo/profile/email/")

    other_device = app.test_client()  # no session needed
    asking = other_device.get(link)  # a mail scanner's fetch changes nothing
    assert asking.status_code == 200 and "paola@new.example" in asking.text
    assert customer(core).email == "paola@example.com"
    confirmed = submit(other_device, link, {})
    assert confirmed.status_code == 200 and "Your e-mail address is changed" in confirmed.text
    assert customer(core).email == "paola@new.example"
    again = client.get(link)
    assert again.status_code == 410 and 'href="/p/demo/profile"' in again.text


def test_an_e_mail_change_with_a_wrong_password_sends_nothing(
    app: Flask, core_app: Flask, core: Core, inbox: Inbox, paola: int
) -> None:
    client = logged_in(app)
    refused = submit(
        client,
        PROFILE,
        {"email-email": "paola@new.example", "email-password": "not-my-password", "email-submit": "1"},
    )
    assert refused.status_code == 401 and "This password is not right." in refused.text
    assert 'value="paola@new.example"' in refused.text
    deliver_mail(core_app)
    assert inbox.messages == []


def test_download_my_data(app: Flask, client: FlaskClient, paola: int) -> None:
    assert client.get(f"{PROFILE}/export").status_code == 302
    response = logged_in(app).get(f"{PROFILE}/export")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == f'attachment; filename="demo-{NUMBER}.json"'
    data = json.loads(response.data)
    assert data["customer"]["last_name"] == "Verdi"
    assert "anna@example.com" not in response.text


def test_deleting_the_account_logs_out_and_login_fails(app: Flask, core: Core, paola: int) -> None:
    client = logged_in(app)
    wrong = submit(client, PROFILE, {"delete-password": "not-my-password", "delete-submit": "1"})
    assert wrong.status_code == 401 and customer(core).deleted_at is None

    done = submit(client, PROFILE, {"delete-password": PASSWORD, "delete-submit": "1"})
    assert done.status_code == 302 and done.location == "/p/demo/profile/deleted"
    assert "Your account is deleted" in client.get(done.location).text
    assert client.get("/p/demo/").status_code == 302
    assert customer(core).deleted_at is not None
    assert login(app.test_client(), NUMBER, PASSWORD).status_code == 401


def test_a_post_without_a_known_section_changes_nothing(app: Flask, core: Core, paola: int) -> None:
    client = logged_in(app)
    token = csrf_token(client, PROFILE)
    response = client.post(PROFILE, data={"csrf_token": token, "details-first_name": "Mallory"})
    assert response.status_code == 302
    assert customer(core).first_name == "Paola"

"""Forgotten password: the e-mail address on file gets a one-time link per card; the page answers
the same whoever asks."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import composition
from admin_core.context import Core
from admin_core.errors import Gone
from admin_core.models import TokenPurpose
from admin_core.services import utcnow
from admin_core.services.cards import enroll_customer
from admin_core.services.merchants import create_api_key, get_merchant
from admin_core.services.portal_auth import check_link, complete_reset, set_password, start_reset

from .conftest import csrf_token, deliver_mail, login, make_config, submit
from .smtp import Inbox

ANNA = "7000100001"  # demo: activated, anna@example.com
MARCO = "7000100002"  # demo: not activated, marco@example.com
INGRID = "7000100003"  # demo: activated, ingrid@example.com, Norwegian
PASSWORD = "demo-password"
RESET = "/p/demo/reset"


@pytest.fixture
def merchant_id(core: Core, demo: dict[str, Any]) -> int:
    with core.db.read() as session:
        return get_merchant(session, "demo").id


def ask(client: FlaskClient, email: str) -> Any:
    return submit(client, RESET, {"email": email})


def links_in(inbox: Inbox, message: Any) -> list[str]:
    return re.findall(r"http://localhost(/p/demo/reset/[\w-]+)", inbox.text(message))


def choose(client: FlaskClient, link: str, password: str, confirm: str | None = None) -> Any:
    """Send the new-password form of `link` (with this session's CSRF token, which any page has:
    a dead link shows no form)."""
    data = {"password": password, "confirm": password if confirm is None else confirm}
    return client.post(link, data={"csrf_token": csrf_token(client, RESET), **data})


def test_the_login_page_leads_to_the_reset(client: FlaskClient, demo: dict[str, Any]) -> None:
    assert f'href="{RESET}">Forgot your password?' in client.get("/p/demo/login").text


def test_a_reset_by_e_mailed_link_sets_the_password_and_logs_in(
    app: Flask, client: FlaskClient, core_app: Flask, inbox: Inbox, demo: dict[str, Any]
) -> None:
    other_device = app.test_client()
    assert login(other_device, ANNA, PASSWORD).status_code == 302

    sent = ask(client, " Anna@Example.com ")
    assert sent.status_code == 200 and "Check your e-mail" in sent.text
    assert inbox.messages == []  # the worker delivers, not the page
    deliver_mail(core_app)
    [message] = inbox.messages
    assert message["To"] == "anna@example.com"
    assert message["Subject"] == "A new password for your Demo Café & Market card"
    assert "Hello Anna," in inbox.text(message)
    [link] = links_in(inbox, message)

    form = client.get(link)
    assert form.status_code == 200 and "Choose a new password" in form.text
    done = choose(client, link, "anna-new-secret")
    assert done.status_code == 302 and done.location == "/p/demo/"
    assert "Your new password is set." in client.get("/p/demo/").text

    assert client.get(link).status_code == 410  # once only
    assert choose(app.test_client(), link, "another-secret").status_code == 410
    assert other_device.get("/p/demo/").location == "/p/demo/login"  # other sessions end
    assert login(app.test_client(), ANNA, PASSWORD).status_code == 401
    assert login(app.test_client(), ANNA, "anna-new-secret").status_code == 302


def test_known_and_unknown_addresses_get_the_same_answer_and_only_the_known_one_mail(
    client: FlaskClient, core_app: Flask, inbox: Inbox, demo: dict[str, Any]
) -> None:
    known = ask(client, "anna@example.com")
    unknown = ask(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200

    def scrub(page: str) -> str:
        return re.sub(r'value="[^"]{40,}"|nonce="[^"]+"|\S+@example\.com', "", page)

    assert scrub(known.text) == scrub(unknown.text)
    deliver_mail(core_app)
    assert [message["To"] for message in inbox.messages] == ["anna@example.com"]


def test_a_card_without_a_password_gets_the_way_to_activate_instead(
    client: FlaskClient, core_app: Flask, inbox: Inbox, demo: dict[str, Any]
) -> None:
    assert "Check your e-mail" in ask(client, "marco@example.com").text
    deliver_mail(core_app)
    [message] = inbox.messages
    assert links_in(inbox, message) == []
    assert f"Card {MARCO} has no password yet." in inbox.text(message)
    assert "http://localhost/p/demo/activate" in inbox.text(message)


def test_one_address_on_several_cards_gets_one_e_mail_with_a_link_per_card(
    app: Flask, core: Core, core_app: Flask, inbox: Inbox, merchant_id: int
) -> None:
    for number, name in [("7000300001", "Luca"), ("7000300002", "Sara")]:
        enroll_customer(core.db, merchant_id, number, first_name=name, email="family@example.com")
        set_password(core.db, core.passwords, merchant_id, number, "family-secret")
    ask(app.test_client(), "family@example.com")
    deliver_mail(core_app)
    [message] = inbox.messages
    assert inbox.text(message).startswith("Hello,")
    first, second = links_in(inbox, message)
    assert choose(app.test_client(), second, "sara-own-secret").status_code == 302
    assert login(app.test_client(), "7000300002", "sara-own-secret").status_code == 302
    assert login(app.test_client(), "7000300001", "family-secret").status_code == 302  # Luca's is his
    assert app.test_client().get(first).status_code == 200


def test_the_e_mail_is_in_the_customers_language(
    client: FlaskClient, core_app: Flask, inbox: Inbox, demo: dict[str, Any]
) -> None:
    ask(client, "ingrid@example.com")
    deliver_mail(core_app)
    [message] = inbox.messages
    html = message.get_body(preferencelist=("html",))
    assert html is not None and '<html lang="nb">' in html.get_content()  # type: ignore[attr-defined]


def test_mismatched_or_short_passwords_change_nothing_and_keep_the_link(
    client: FlaskClient, core: Core, merchant_id: int
) -> None:
    ticket = start_reset(core.db, merchant_id, "anna@example.com", timedelta(hours=1))
    assert ticket is not None and ticket.cards[0].token is not None
    link = f"{RESET}/{ticket.cards[0].token}"
    mismatch = choose(client, link, "anna-new-secret", "anna-new-secreT")
    assert mismatch.status_code == 422 and "The two passwords are not the same." in mismatch.text
    short = choose(client, link, "short")
    assert short.status_code == 422 and "at least 8 characters" in short.text
    assert login(client, ANNA, PASSWORD).status_code == 302
    check_link(core.db, merchant_id, ticket.cards[0].token, TokenPurpose.RESET)  # still works


def test_expired_outdated_and_made_up_links_do_nothing(
    client: FlaskClient, core: Core, merchant_id: int
) -> None:
    expired = start_reset(
        core.db, merchant_id, "anna@example.com", timedelta(hours=1), utcnow() - timedelta(hours=2)
    )
    outdated = start_reset(core.db, merchant_id, "anna@example.com", timedelta(hours=1))
    assert expired is not None and outdated is not None
    set_password(core.db, core.passwords, merchant_id, ANNA, "changed-elsewhere")
    for token in [expired.cards[0].token, outdated.cards[0].token, "made-up", "x" * 300]:
        page = client.get(f"{RESET}/{token}")
        assert page.status_code == 410 and f'href="{RESET}"' in page.text, token
        assert choose(client, f"{RESET}/{token}", "anna-new-secret").status_code == 410
    assert login(client, ANNA, "changed-elsewhere").status_code == 302


def test_the_link_dies_when_the_password_changes(core: Core, merchant_id: int) -> None:
    ticket = start_reset(core.db, merchant_id, "anna@example.com", timedelta(hours=1))
    assert ticket is not None and ticket.cards[0].token is not None
    complete_reset(core.db, core.passwords, merchant_id, ticket.cards[0].token, "anna-new-secret")
    with pytest.raises(Gone):
        complete_reset(core.db, core.passwords, merchant_id, ticket.cards[0].token, "anna-newer-secret")


def test_forms_without_a_csrf_token_are_refused(
    client: FlaskClient, core_app: Flask, inbox: Inbox, demo: Any
) -> None:
    assert client.post(RESET, data={"email": "anna@example.com"}).status_code == 400
    deliver_mail(core_app)
    assert inbox.messages == []


def test_a_bad_address_is_explained(client: FlaskClient, demo: dict[str, Any]) -> None:
    assert "This is not a valid e-mail address." in ask(client, "not-an-address").text


def test_resets_are_throttled_per_address(core_app: Flask, inbox: Inbox, demo: dict[str, Any]) -> None:
    app = composition.create_app(
        make_config(inbox, RATELIMIT_FORMS_PER_CUSTOMER="2 per hour"), core_app=core_app
    )
    client = app.test_client()
    assert [ask(client, "anna@example.com").status_code for _ in range(3)] == [200, 200, 429]
    assert ask(client, "ingrid@example.com").status_code == 200


def test_the_api_answers_the_same_for_unknown_addresses(
    core_app: Flask, core: Core, demo: dict[str, Any]
) -> None:
    headers = {"Authorization": f"Bearer {create_api_key(core.db, None)}", "X-Merchant": "demo"}
    api = core_app.test_client()
    unknown = api.post("/api/v1/portal/resets", json={"email": "nobody@example.com"}, headers=headers)
    assert unknown.status_code == 202 and unknown.json["cards"] == []
    known = api.post("/api/v1/portal/resets", json={"email": "anna@example.com"}, headers=headers)
    assert known.status_code == 202 and known.json["cards"][0]["number"] == ANNA
    check = api.post(
        "/api/v1/portal/links/check", json={"token": "made-up", "purpose": "reset"}, headers=headers
    )
    assert (check.status_code, check.json["error"]["code"]) == (410, "token_invalid")
    short = api.post(
        "/api/v1/portal/resets/complete",
        json={"token": known.json["cards"][0]["token"], "password": "short"},
        headers=headers,
    )
    assert (short.status_code, short.json["error"]["code"]) == (422, "password_too_short")
    merchant_key = {"Authorization": f"Bearer {demo['api_key']}"}
    refused = api.post("/api/v1/portal/resets", json={"email": "anna@example.com"}, headers=merchant_key)
    assert refused.status_code == 403


def test_a_link_is_only_ever_sent_for_a_host_the_site_trusts(
    core_app: Flask, inbox: Inbox, demo: dict[str, Any]
) -> None:
    """A request naming another host, to have the mailed link point there, is refused before any
    mail is queued (TRUSTED_HOSTS, env FLASK_TRUSTED_HOSTS)."""
    site = composition.create_app(make_config(inbox, TRUSTED_HOSTS=["cards.example"]), core_app=core_app)
    client = site.test_client()
    token = csrf_token(client, "http://cards.example" + RESET)
    for host, status in (("http://attacker.example", 400), ("http://cards.example", 200)):
        answer = client.post(RESET, base_url=host, data={"csrf_token": token, "email": "anna@example.com"})
        assert answer.status_code == status
    deliver_mail(core_app)
    [message] = inbox.messages
    assert re.search(r"http://cards\.example/p/demo/reset/[\w-]+", inbox.text(message))

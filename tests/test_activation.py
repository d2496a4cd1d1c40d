"""First-time activation: card number + e-mail on file + a new password, then the e-mailed link."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from admin_core.context import Core
from admin_core.services import utcnow
from admin_core.services.merchants import get_merchant
from admin_core.services.portal_auth import ActivationTicket, set_password, start_activation

from .conftest import deliver_mail, login, submit
from .smtp import Inbox

MARCO = "7000100002"


def ask(
    client: FlaskClient,
    card: str = MARCO,
    email: str = "marco@example.com",
    password: str = "marco-secret-1",
    confirm: str | None = None,
) -> Any:
    return submit(
        client,
        "/p/demo/activate",
        {
            "card": card,
            "email": email,
            "password": password,
            "confirm": password if confirm is None else confirm,
        },
    )


def link_in(inbox: Inbox) -> str:
    [message] = inbox.messages
    found = re.search(r"http://localhost(/p/demo/activate/[\w-]+)", inbox.text(message))
    assert found
    return found.group(1)


def demo_id(core: Core) -> int:
    with core.db.read() as session:
        return get_merchant(session, "demo").id


def marco_ticket(core: Core, now: datetime | None = None) -> ActivationTicket:
    """An activation e-mail for Marco as if he had asked (at `now`) on the form."""
    ticket = start_activation(
        core.db,
        core.passwords,
        demo_id(core),
        MARCO,
        "marco@example.com",
        "marco-secret-1",
        timedelta(hours=24),
        now=now,
    )
    assert ticket is not None
    return ticket


def test_activation_by_e_mailed_link_logs_the_customer_in(
    client: FlaskClient, core_app: Flask, inbox: Inbox, demo: dict[str, Any]
) -> None:
    response = ask(client)
    assert response.status_code == 200
    assert "Check your e-mail" in response.text
    assert inbox.messages == []  # the page does not wait for SMTP: the worker delivers

    deliver_mail(core_app)
    [message] = inbox.messages
    assert message["To"] == "marco@example.com"
    assert message["Subject"] == "Activate your Demo Café & Market card"
    assert "Hello Marco," in inbox.text(message)
    html = message.get_body(preferencelist=("html",))
    assert html is not None and "Activate my card" in html.get_content()  # type: ignore[attr-defined]

    link = link_in(inbox)
    assert "Activate my card" in client.get(link).text
    landed = submit(client, link, {})
    assert landed.status_code == 302 and landed.location == "/p/demo/"
    dashboard = client.get("/p/demo/")
    assert "Hello, Marco" in dashboard.text and "Your card is active" in dashboard.text

    client.post("/p/demo/logout", data={"csrf_token": re.findall(r'value="([^"]{40,})"', dashboard.text)[0]})
    assert login(client, MARCO, "marco-secret-1").location == "/p/demo/"


def test_the_link_works_once(
    client: FlaskClient, core_app: Flask, inbox: Inbox, demo: dict[str, Any]
) -> None:
    ask(client)
    deliver_mail(core_app)
    link = link_in(inbox)
    assert submit(client, link, {}).status_code == 302
    again = client.get(link)
    assert again.status_code == 410
    assert "This link no longer works" in again.text


def test_an_expired_link_does_nothing(client: FlaskClient, core: Core, demo: dict[str, Any]) -> None:
    ticket = marco_ticket(core, now=utcnow() - timedelta(hours=25))
    assert client.get(f"/p/demo/activate/{ticket.token}").status_code == 410
    assert login(client, MARCO, "marco-secret-1").status_code == 401


def test_a_link_is_useless_after_the_password_changes(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    ticket = marco_ticket(core)
    set_password(core.db, core.passwords, demo_id(core), MARCO, "set-elsewhere-1")
    assert client.get(f"/p/demo/activate/{ticket.token}").status_code == 410
    assert login(client, MARCO, "set-elsewhere-1").status_code == 302


def test_tampered_or_made_up_tokens_are_refused(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    ticket = marco_ticket(core)
    for token in [ticket.token[:-1] + ("A" if ticket.token[-1] != "A" else "B"), "made-up", "x" * 500]:
        response = client.get(f"/p/demo/activate/{token}")
        assert response.status_code == 410, token
    assert client.get("/p/demo/").status_code == 302


def test_wrong_e_mail_or_unknown_card_answer_the_same_and_send_nothing(
    client: FlaskClient, core_app: Flask, inbox: Inbox, demo: dict[str, Any]
) -> None:
    pages = [
        ask(client, email="someone@example.com").text,
        ask(client, card="9999999999", email="someone@example.com").text,
        ask(client, card="7000100001", email="someone@example.com").text,
    ]
    assert all("Check your e-mail" in page for page in pages)
    scrub = [re.sub(r'value="[^"]{40,}"|nonce="[^"]+"|\d{10}', "", page) for page in pages]
    assert scrub[0] == scrub[1] == scrub[2]
    deliver_mail(core_app)
    assert inbox.messages == []


def test_the_e_mail_on_file_matches_whatever_its_case(
    client: FlaskClient, core_app: Flask, inbox: Inbox, demo: dict[str, Any]
) -> None:
    ask(client, email="  Marco@Example.COM ")
    deliver_mail(core_app)
    assert len(inbox.messages) == 1


def test_short_or_mismatched_passwords_are_explained_and_nothing_is_sent(
    client: FlaskClient, core_app: Flask, inbox: Inbox, demo: dict[str, Any]
) -> None:
    short = ask(client, password="short7!")
    assert "at least 8 characters" in short.text
    mismatch = ask(client, password="marco-secret-1", confirm="marco-secret-2")
    assert "The two passwords are not the same." in mismatch.text
    bad_email = ask(client, email="not-an-email")
    assert "This is not a valid e-mail address." in bad_email.text
    deliver_mail(core_app)
    assert inbox.messages == []


def test_the_e_mail_is_in_the_customers_language(
    client: FlaskClient, core_app: Flask, inbox: Inbox, demo: dict[str, Any]
) -> None:
    submit(
        client,
        "/p/demo/activate?lang=it",
        {
            "card": MARCO,
            "email": "marco@example.com",
            "password": "marco-secret-1",
            "confirm": "marco-secret-1",
        },
    )
    deliver_mail(core_app)
    [message] = inbox.messages
    assert "Demo Café & Market" in message["Subject"]
    assert message["Subject"] != "Activate your Demo Café & Market card"
    assert "Ciao Marco" in inbox.text(message)


def test_an_active_card_gets_no_activation_link_and_its_owner_hears_of_the_attempt(
    app: Flask, core_app: Flask, core: Core, inbox: Inbox, demo: dict[str, Any]
) -> None:
    """Card number (printed on the card) + e-mail on file must not be enough to set a password:
    the form answers as for anyone, the link never exists, the owner is told to use reset."""
    set_password(core.db, core.passwords, demo_id(core), MARCO, "first-password")
    attempt = ask(app.test_client(), password="attacker-password")
    assert "Check your e-mail" in attempt.text
    deliver_mail(core_app)
    [message] = inbox.messages
    assert message["To"] == "marco@example.com"
    assert message["Subject"] == "Someone tried to activate your Demo Café & Market card"
    text = inbox.text(message)
    assert "/activate/" not in text
    assert "http://localhost/p/demo/reset" in text
    assert login(app.test_client(), MARCO, "attacker-password").status_code == 401
    assert login(app.test_client(), MARCO, "first-password").status_code == 302


def test_an_active_card_answers_the_form_like_any_other(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    inactive = ask(client).text
    set_password(core.db, core.passwords, demo_id(core), MARCO, "first-password")
    active = ask(client, password="another-password").text
    scrub = [re.sub(r'value="[^"]{40,}"|nonce="[^"]+"', "", page) for page in (inactive, active)]
    assert scrub[0] == scrub[1]


def test_a_link_opened_by_a_mail_scanner_changes_nothing(
    app: Flask, core_app: Flask, inbox: Inbox, demo: dict[str, Any]
) -> None:
    """Scanners and previews fetch links: opening one only asks; the button in the page acts."""
    ask(app.test_client())
    deliver_mail(core_app)
    link = link_in(inbox)
    scanner = app.test_client()
    for _ in range(2):
        page = scanner.get(link)
        assert page.status_code == 200
        assert "Activate my card" in page.text
    assert scanner.get("/p/demo/").status_code == 302  # the scanner is not logged in
    assert login(app.test_client(), MARCO, "marco-secret-1").status_code == 401

    owner = app.test_client()
    assert owner.post(link).status_code == 400  # no CSRF token: refused, still unused
    assert submit(owner, link, {}).location == "/p/demo/"
    assert "Hello, Marco" in owner.get("/p/demo/").text


def test_an_activation_link_dies_when_the_card_gets_a_password_another_way(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    ticket = marco_ticket(core)
    set_password(core.db, core.passwords, demo_id(core), MARCO, "set-elsewhere-1")
    assert client.get(f"/p/demo/activate/{ticket.token}").status_code == 410
    assert client.post(f"/p/demo/activate/{ticket.token}").status_code in {400, 410}
    assert login(client, MARCO, "marco-secret-1").status_code == 401

"""Logging in with the card number, the dashboard, logging out."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from admin_core.context import Core
from admin_core.services.merchants import create_merchant
from admin_core.services.portal_auth import set_password

from .conftest import csrf_token, login, submit

ANNA = "7000100001"


def without_tokens(html: str) -> str:
    return re.sub(r'value="[^"]{40,}"|nonce="[^"]+"', "", html)


def test_anonymous_visitors_are_sent_to_login(client: FlaskClient, demo: dict[str, Any]) -> None:
    response = client.get("/p/demo/")
    assert response.status_code == 302
    assert response.location == "/p/demo/login?next=/p/demo/"


def test_login_shows_the_dashboard_with_balances(client: FlaskClient, demo: dict[str, Any]) -> None:
    response = login(client, "7000 1000 01", "demo-password")
    assert response.status_code == 302 and response.location == "/p/demo/"
    page = client.get("/p/demo/", headers={"Accept-Language": "en-US,en;q=0.8"}).text
    assert "Hello, Anna" in page
    assert "1,250" in page  # points
    assert "€15.50" in page  # prepaid credit, formatted for the locale
    assert "€8.30" in page  # accumulated discount
    assert ANNA in page


def test_money_follows_the_locale(client: FlaskClient, demo: dict[str, Any]) -> None:
    login(client, ANNA, "demo-password")
    page = client.get("/p/demo/", headers={"Accept-Language": "it-IT,it;q=0.9"}).text
    assert "15,50\xa0€" in page and "1.250" in page


def test_wrong_password_and_unknown_card_get_the_same_answer(
    client: FlaskClient, demo: dict[str, Any]
) -> None:
    wrong = login(client, ANNA, "not-the-password")
    unknown = login(client, "1234567890", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert "The card number or the password is wrong." in wrong.text
    assert without_tokens(wrong.text).replace(ANNA, "1234567890") == without_tokens(unknown.text)
    assert client.get("/p/demo/").status_code == 302


def test_a_card_not_yet_activated_cannot_log_in(client: FlaskClient, demo: dict[str, Any]) -> None:
    assert login(client, "7000100002", "anything-at-all").status_code == 401


def test_empty_form_gets_field_messages(client: FlaskClient, demo: dict[str, Any]) -> None:
    response = submit(client, "/p/demo/login", {"card": "", "password": ""})
    assert response.status_code == 200
    assert "Enter the number printed under the barcode." in response.text
    assert 'aria-invalid="true"' in response.text


def test_forms_without_csrf_token_are_refused(client: FlaskClient, demo: dict[str, Any]) -> None:
    response = client.post("/p/demo/login", data={"card": ANNA, "password": "demo-password"})
    assert response.status_code == 400
    assert "nothing was sent" in response.text
    assert client.get("/p/demo/").status_code == 302


def test_logout_needs_a_post_with_token(client: FlaskClient, demo: dict[str, Any]) -> None:
    login(client, ANNA, "demo-password")
    assert client.get("/p/demo/logout").status_code == 405
    assert client.post("/p/demo/logout").status_code == 400
    token = csrf_token(client, "/p/demo/")
    assert client.post("/p/demo/logout", data={"csrf_token": token}).location == "/p/demo/login"
    assert client.get("/p/demo/").status_code == 302


def test_next_only_leads_back_into_the_portal(app: Flask, demo: dict[str, Any]) -> None:
    for target, expected in [
        ("/p/demo/", "/p/demo/"),
        ("https://evil.example/", "/p/demo/"),
        ("//evil.example/p/demo/", "/p/demo/"),
        ("/p/other/", "/p/demo/"),
        ("/p/demo/history", "/p/demo/history"),
        # Line breaks would end the Location header and start another one.
        ("/p/demo/%0D%0ASet-Cookie:%20planted=1", "/p/demo/"),
        ("/p/demo/history%0A", "/p/demo/"),
        ("/p/demo/%09history", "/p/demo/"),
    ]:
        client = app.test_client()
        url = f"/p/demo/login?next={target}"
        response = client.post(
            url, data={"csrf_token": csrf_token(client, url), "card": ANNA, "password": "demo-password"}
        )
        assert response.status_code == 302
        assert response.location == expected
        assert not any("planted" in cookie for cookie in response.headers.getlist("Set-Cookie"))


def test_changing_the_password_ends_other_sessions(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    login(client, ANNA, "demo-password")
    assert client.get("/p/demo/").status_code == 200
    with core.db.read() as session:
        from admin_core.services.merchants import get_merchant

        merchant_id = get_merchant(session, "demo").id
    set_password(core.db, core.passwords, merchant_id, ANNA, "a-brand-new-password")
    response = client.get("/p/demo/")
    assert response.status_code == 302 and response.location == "/p/demo/login"
    assert client.get("/p/demo/login").text.count("Your password has changed") == 1


def test_unknown_or_disabled_portals_are_404(client: FlaskClient, core: Core, demo: dict[str, Any]) -> None:
    create_merchant(core.db, "quiet", "Quiet Shop")  # portal off by default
    for url in ["/p/nobody/", "/p/nobody/login", "/p/quiet/", "/p/quiet/login", "/p/Bad%20Slug/login"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Page not found" in response.text


def test_a_session_from_one_merchant_is_not_valid_at_another(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    create_merchant(core.db, "other", "Other Shop", portal_enabled=True)
    login(client, ANNA, "demo-password")
    assert client.get("/p/other/").location == "/p/other/login?next=/p/other/"


def test_session_cookie_flags(client: FlaskClient, app: Flask, demo: dict[str, Any]) -> None:
    response = login(client, ANNA, "demo-password")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_the_core_being_down_is_a_clear_page(app: Flask, demo: dict[str, Any]) -> None:
    from admin_api_client import CoreClient
    from portal.core import CLIENT_EXTENSION

    from .smtp import free_port

    app.extensions[CLIENT_EXTENSION] = CoreClient(f"http://127.0.0.1:{free_port()}", "key", timeout=1.0)
    response = app.test_client().get("/p/demo/login")
    assert response.status_code == 503
    assert "Nothing was changed" in response.text

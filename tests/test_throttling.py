"""Throttling: login, activation (and, through the same decorators, reset and join) refuse further
sends for a while, per address and per card or e-mail, and say so in the customer's language."""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from limits.storage import MemoryStorage, RedisStorage

import composition
from loyalty_common.deployment import MissingSetting
from portal.limits import EXTENSION, limit_by_email_and_ip

from .conftest import csrf_token, login, make_config, submit
from .smtp import Inbox, free_port

ANNA = "7000100001"
MARCO = "7000100002"  # not activated: logging in answers 401 like a wrong password
INGRID = "7000100003"
PASSWORD = "demo-password"
REDIS = "redis://127.0.0.1:6379/15"


def site(core_app: Flask, inbox: Inbox, **settings: Any) -> Flask:
    return composition.create_app(make_config(inbox, **settings), core_app=core_app)


def client_at(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def fail_logins(client: FlaskClient, number: str, times: int) -> None:
    for _ in range(times):
        assert login(client, number, "not-the-password").status_code == 401


def activate(client: FlaskClient, card: str = MARCO, email: str = "marco@example.com") -> Any:
    password = "marco-secret-1"
    return submit(
        client,
        "/p/demo/activate",
        {"card": card, "email": email, "password": password, "confirm": password},
    )


def assert_refused(response: Any, window: int = 15 * 60) -> None:
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= window
    assert "Too many attempts" in response.text


def test_ten_failed_logins_lock_the_card_even_with_the_right_password(
    client: FlaskClient, demo: dict[str, Any]
) -> None:
    fail_logins(client, ANNA, 4)
    fail_logins(client, "7000 1000 01", 3)  # typed differently, still the same card
    fail_logins(client, "7000-1000-01", 3)
    response = login(client, ANNA, PASSWORD)
    assert_refused(response)
    assert "Please wait and try again in 15 minutes." in response.text
    assert client.get("/p/demo/").status_code == 302  # not logged in
    assert login(client, INGRID, PASSWORD).status_code == 302  # another card still works
    assert client.get("/p/demo/").status_code == 200


def test_only_failed_logins_count(core_app: Flask, inbox: Inbox, demo: dict[str, Any]) -> None:
    app = site(core_app, inbox, RATELIMIT_LOGIN_FAILURES_PER_CARD="2 per hour")
    for _ in range(3):
        assert login(app.test_client(), ANNA, PASSWORD).status_code == 302
    fail_logins(app.test_client(), ANNA, 2)
    assert_refused(login(app.test_client(), ANNA, PASSWORD), window=3600)


def test_redis_being_down_falls_back_to_counting_in_memory(
    core_app: Flask, inbox: Inbox, demo: dict[str, Any]
) -> None:
    down = f"redis://127.0.0.1:{free_port()}/0"
    app = site(core_app, inbox, RATELIMIT_STORAGE_URI=down, RATELIMIT_LOGIN_FAILURES_PER_CARD="2 per hour")
    fail_logins(app.test_client(), ANNA, 2)
    assert_refused(login(app.test_client(), ANNA, PASSWORD), window=3600)
    assert login(app.test_client(), INGRID, PASSWORD).status_code == 302


def test_other_addresses_do_not_get_round_the_card_lock(app: Flask, demo: dict[str, Any]) -> None:
    for n in range(10):
        fail_logins(client_at(app, f"198.51.100.{n}"), ANNA, 1)
    assert_refused(login(client_at(app, "203.0.113.7"), ANNA, PASSWORD))


def test_the_refusal_speaks_the_customers_language(app: Flask, demo: dict[str, Any]) -> None:
    client = app.test_client()
    fail_logins(client, ANNA, 10)
    url = "/p/demo/login"
    response = client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "card": ANNA, "password": PASSWORD},
        headers={"Accept-Language": "it-IT,it;q=0.9"},
    )
    assert response.status_code == 429
    assert '<html lang="it">' in response.text
    with app.test_request_context(), force_locale("it"):
        title = gettext("Too many attempts")
    assert f"<h1>{title}</h1>" in response.text


def test_too_many_logins_from_one_address(core_app: Flask, inbox: Inbox, demo: dict[str, Any]) -> None:
    app = site(core_app, inbox, RATELIMIT_LOGIN_PER_IP="3 per minute")
    busy = client_at(app, "198.51.100.1")
    fail_logins(busy, "1234567890", 2)
    assert login(busy, ANNA, PASSWORD).status_code == 302
    assert_refused(login(client_at(app, "198.51.100.1"), INGRID, PASSWORD), window=60)
    assert login(client_at(app, "198.51.100.2"), INGRID, PASSWORD).status_code == 302


def test_activation_per_address(core_app: Flask, inbox: Inbox, demo: dict[str, Any]) -> None:
    app = site(core_app, inbox, RATELIMIT_FORMS_PER_IP="2 per hour")
    busy = client_at(app, "198.51.100.1")
    assert activate(busy).status_code == 200
    assert activate(busy, card="1234567890", email="someone@example.com").status_code == 200
    assert_refused(activate(busy, card="1234567899", email="else@example.com"), window=3600)
    assert busy.get("/p/demo/activate").status_code == 200  # the form itself still shows
    assert activate(client_at(app, "198.51.100.2")).status_code == 200


def test_activation_per_card(core_app: Flask, inbox: Inbox, demo: dict[str, Any]) -> None:
    app = site(core_app, inbox, RATELIMIT_FORMS_PER_CUSTOMER="2 per hour")
    assert activate(client_at(app, "198.51.100.1")).status_code == 200
    assert activate(client_at(app, "198.51.100.2"), email="guess@example.com").status_code == 200
    assert_refused(activate(client_at(app, "198.51.100.3"), card="7000 1000 02"), window=3600)
    assert activate(client_at(app, "198.51.100.3"), card=ANNA).status_code == 200


def test_showing_a_form_is_never_limited(core_app: Flask, inbox: Inbox, demo: dict[str, Any]) -> None:
    app = site(
        core_app,
        inbox,
        RATELIMIT_LOGIN_PER_IP="1 per hour",
        RATELIMIT_FORMS_PER_IP="1 per hour",
    )
    client = app.test_client()
    fail_logins(client, ANNA, 1)
    assert_refused(login(client, ANNA, PASSWORD), window=3600)
    activate(client)
    assert_refused(activate(client), window=3600)
    for _ in range(5):
        assert client.get("/p/demo/login").status_code == 200
        assert client.get("/p/demo/activate").status_code == 200


@pytest.mark.sqlite_only  # a test of the clock, not of the database: its 1-second window wants the quickest
def test_the_lock_ends_with_its_window(core_app: Flask, inbox: Inbox, demo: dict[str, Any]) -> None:
    app = site(core_app, inbox, RATELIMIT_LOGIN_FAILURES_PER_CARD="2 per 1 second")
    client = app.test_client()
    fail_logins(client, ANNA, 2)
    # The window opened at the first failure, which is over by now: a second from now it has
    # ended, however long the password checks took.
    failed = time.monotonic()
    assert_refused(login(client, ANNA, PASSWORD), window=1)
    time.sleep(max(0.0, failed + 1.05 - time.monotonic()))
    assert login(client, ANNA, PASSWORD).status_code == 302


def test_memory_counters_belong_to_one_process(core_app: Flask, inbox: Inbox, demo: dict[str, Any]) -> None:
    """Without Redis each process counts alone (the reason to set FLASK_RATELIMIT_STORAGE_URI)."""
    first, second = site(core_app, inbox), site(core_app, inbox)
    fail_logins(first.test_client(), ANNA, 10)
    assert_refused(login(first.test_client(), ANNA, PASSWORD))
    assert login(second.test_client(), ANNA, PASSWORD).status_code == 302


def test_limits_are_checked_at_start(core_app: Flask, inbox: Inbox) -> None:
    with pytest.raises(MissingSetting, match="FLASK_RATELIMIT_LOGIN_PER_IP"):
        site(core_app, inbox, RATELIMIT_LOGIN_PER_IP="lots")


def test_settings_come_from_the_environment(
    core_app: Flask, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert isinstance(site(core_app, inbox).extensions[EXTENSION].storage, MemoryStorage)
    monkeypatch.setenv("FLASK_RATELIMIT_STORAGE_URI", f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setenv("FLASK_RATELIMIT_LOGIN_PER_IP", "3 per minute")
    app = site(core_app, inbox)
    assert isinstance(app.extensions[EXTENSION].storage, RedisStorage)  # not connected yet
    assert app.config["RATELIMIT_LOGIN_PER_IP"] == "3 per minute"


def test_the_decorator_for_reset_and_join(core_app: Flask, inbox: Inbox) -> None:
    """Reset and join do not exist yet; a stand-in view shows what their decorator will do."""
    app = site(core_app, inbox, WTF_CSRF_ENABLED=False, RATELIMIT_FORMS_PER_CUSTOMER="2 per hour")

    @limit_by_email_and_ip
    def send_link() -> str:
        return "sent"

    app.add_url_rule("/send-link", view_func=send_link, methods=["GET", "POST"])
    for n, email in enumerate(["Anna@Example.com", " anna@example.com"]):
        assert client_at(app, f"198.51.100.{n}").post("/send-link", data={"email": email}).text == "sent"
    assert_refused(
        client_at(app, "198.51.100.9").post("/send-link", data={"email": "ANNA@example.com"}), 3600
    )
    assert app.test_client().post("/send-link", data={"email": "marco@example.com"}).text == "sent"
    assert app.test_client().get("/send-link").text == "sent"


@pytest.fixture
def redis_settings() -> Iterator[dict[str, str]]:
    """Counters in the real Redis under a prefix of this test's own, removed afterwards."""
    server = redis.Redis.from_url(REDIS, socket_connect_timeout=1)
    try:
        server.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis does not answer at {REDIS}: {error}")
    prefix = f"test-{uuid.uuid4().hex}"
    try:
        yield {"RATELIMIT_STORAGE_URI": REDIS, "RATELIMIT_KEY_PREFIX": prefix}
    finally:
        for key in server.scan_iter(match=f"*{prefix}*"):
            server.delete(key)
        server.close()


def test_a_card_locked_through_one_process_is_locked_in_all(
    core_app: Flask, inbox: Inbox, demo: dict[str, Any], redis_settings: dict[str, str]
) -> None:
    first, second = site(core_app, inbox, **redis_settings), site(core_app, inbox, **redis_settings)
    fail_logins(client_at(first, "198.51.100.1"), ANNA, 5)
    fail_logins(client_at(second, "198.51.100.2"), ANNA, 5)
    assert_refused(login(client_at(first, "203.0.113.7"), ANNA, PASSWORD))
    assert_refused(login(client_at(second, "203.0.113.8"), ANNA, PASSWORD))
    assert login(client_at(second, "203.0.113.8"), INGRID, PASSWORD).status_code == 302
    with redis.Redis.from_url(REDIS) as server:
        keys = server.keys(f"*{redis_settings['RATELIMIT_KEY_PREFIX']}*")
    card = f"card:demo:{hashlib.sha256(ANNA.encode()).hexdigest()[:32]}".encode()
    assert any(card in key for key in keys)  # per merchant and card, whichever process counted
    assert not any(ANNA.encode() in key for key in keys)  # a digest: no card numbers in Redis

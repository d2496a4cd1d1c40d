"""Settings: production refuses a missing secret; the embedded core mounts at /core."""

from __future__ import annotations

from datetime import timedelta

import pytest

import admin_core
import composition
import portal
from admin_core.cli_context import CORE_APP_EXTENSION
from admin_core.context import current_core
from captive.settings import wifi_settings
from loyalty_common.deployment import MissingSetting
from portal.settings import site_settings

REMOTE = {"ADMIN_CORE_URL": "http://127.0.0.1:9", "ADMIN_CORE_API_KEY": "the-site-key"}


def test_a_remote_core_without_the_sites_key_stops_the_site() -> None:
    with pytest.raises(MissingSetting, match="ADMIN_CORE_API_KEY") as stopped:
        composition.create_app({"ADMIN_CORE_URL": "http://127.0.0.1:9", "SECRET_KEY": "x", "DEBUG": True})
    assert "\n" not in str(stopped.value)


def test_production_refuses_to_start_without_a_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    with pytest.raises(portal.MissingSecretKey, match="FLASK_SECRET_KEY"):
        composition.create_app({**REMOTE, "SECRET_KEY": None})


def test_settings_come_from_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("FLASK_ADMIN_CORE_TIMEOUT", "2.5")
    monkeypatch.setenv("FLASK_SITE_URL", "https://cards.example.com/")
    monkeypatch.setenv("FLASK_TRUSTED_HOSTS", '["cards.example.com"]')
    app = composition.create_app({**REMOTE})
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["ADMIN_CORE_TIMEOUT"] == 2.5
    assert app.config["SITE_URL"] == "https://cards.example.com"
    assert app.config["TRUSTED_HOSTS"] == ["cards.example.com"]
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert "core" not in app.cli.list_commands(None)  # type: ignore[arg-type]  # remote core: no local commands


def test_debug_serves_cookies_without_secure() -> None:
    app = composition.create_app({**REMOTE, "DEBUG": True, "SECRET_KEY": "x"})
    assert app.config["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("FLASK_ADMIN_CORE_TIMEOUT", "soon", "FLASK_ADMIN_CORE_TIMEOUT must be a number of seconds"),
        ("FLASK_PORTAL_SESSION_LIFETIME", "0", "FLASK_PORTAL_SESSION_LIFETIME must be a whole number"),
        ("FLASK_WIFI_ONLINE_DELAY", "-1", "FLASK_WIFI_ONLINE_DELAY must be a whole number"),
        ("FLASK_WIFI_REPLAY_GRACE", "two minutes", "FLASK_WIFI_REPLAY_GRACE must be a whole number"),
        ("FLASK_PROXIES", "yes", "FLASK_PROXIES must be a whole number"),
        ("FLASK_PORTAL_MERCHANT_CACHE_SECONDS", "-1", "FLASK_PORTAL_MERCHANT_CACHE_SECONDS must be a number"),
        ("FLASK_RATELIMIT_LOGIN_PER_IP", "lots", "FLASK_RATELIMIT_LOGIN_PER_IP"),
        ("FLASK_WIFI_CONTROLLER_NETWORKS", "10.0.0.0/33", "FLASK_WIFI_CONTROLLER_NETWORKS"),
    ],
)
def test_a_bad_value_stops_the_site_with_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, said: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(MissingSetting, match=said) as stopped:
        composition.create_app({**REMOTE, "SECRET_KEY": "x", "DEBUG": True})
    assert "\n" not in str(stopped.value)


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("FLASK_RESET_MAX_AGE", "an hour", "FLASK_RESET_MAX_AGE must be a whole number of seconds"),
        ("FLASK_ACTIVATION_MAX_AGE", "0", "FLASK_ACTIVATION_MAX_AGE must be a whole number"),
        ("FLASK_STAFF_SESSION_LIFETIME", "-3600", "FLASK_STAFF_SESSION_LIFETIME must be a whole number"),
        ("FLASK_MAIL_TIMEOUT", "never", "FLASK_MAIL_TIMEOUT must be a number of seconds"),
        ("FLASK_PASSWORD_HASH_FAST", "maybe", "FLASK_PASSWORD_HASH_FAST must be true or false"),
        ("FLASK_WALLET_APNS_URL", "api.push.apple.com", "FLASK_WALLET_APNS_URL must be an http"),
    ],
)
def test_a_bad_value_stops_the_core_with_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, said: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(MissingSetting, match=said) as stopped:
        admin_core.create_app({"SECRET_KEY": "x", "DEBUG": True, "DATABASE_URL": "sqlite://"})
    assert "\n" not in str(stopped.value)


def test_the_staff_ui_keeps_its_own_cookie_when_the_site_renames_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLASK_SESSION_COOKIE_NAME", "cards_session")
    monkeypatch.setenv("FLASK_MAX_CONTENT_LENGTH", "1000")
    site = composition.create_app({"SECRET_KEY": "x", "DEBUG": True, "DATABASE_URL": "sqlite://"})
    core = site.extensions[CORE_APP_EXTENSION]
    assert site.config["SESSION_COOKIE_NAME"] == "cards_session"
    assert core.config["SESSION_COOKIE_NAME"] == "loyalty_staff"  # the site's keys are the site's
    assert core.config["MAX_CONTENT_LENGTH"] > 1000
    monkeypatch.setenv("FLASK_STAFF_SESSION_COOKIE_NAME", "till_session")
    alone = admin_core.create_app({"SECRET_KEY": "x", "DEBUG": True, "DATABASE_URL": "sqlite://"})
    assert alone.config["SESSION_COOKIE_NAME"] == "till_session"


def test_settings_are_read_once_into_typed_objects(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_RESET_MAX_AGE", "600")
    monkeypatch.setenv("FLASK_WIFI_ONLINE_DELAY", "2")
    site = composition.create_app({"SECRET_KEY": "x", "DEBUG": True, "DATABASE_URL": "sqlite://"})
    core = site.extensions[CORE_APP_EXTENSION]
    with core.app_context():
        assert current_core().settings.reset_max_age == timedelta(seconds=600)
    assert wifi_settings(site).online_delay == 2
    assert site_settings(site).core_timeout == 5.0

"""Settings: production refuses a missing secret; the embedded core mounts at /core."""

from __future__ import annotations

import pytest

import composition
import portal


def test_production_refuses_to_start_without_a_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    with pytest.raises(portal.MissingSecretKey, match="FLASK_SECRET_KEY"):
        composition.create_app({"ADMIN_CORE_URL": "http://127.0.0.1:9", "SECRET_KEY": None})


def test_settings_come_from_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("FLASK_ADMIN_CORE_TIMEOUT", "2.5")
    monkeypatch.setenv("FLASK_SITE_URL", "https://cards.example.com/")
    monkeypatch.setenv("FLASK_TRUSTED_HOSTS", '["cards.example.com"]')
    app = composition.create_app({"ADMIN_CORE_URL": "http://127.0.0.1:9"})
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["ADMIN_CORE_TIMEOUT"] == 2.5
    assert app.config["SITE_URL"] == "https://cards.example.com"
    assert app.config["TRUSTED_HOSTS"] == ["cards.example.com"]
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert "core" not in app.cli.list_commands(None)  # type: ignore[arg-type]  # remote core: no local commands


def test_debug_serves_cookies_without_secure() -> None:
    app = composition.create_app({"ADMIN_CORE_URL": "http://127.0.0.1:9", "DEBUG": True, "SECRET_KEY": "x"})
    assert app.config["SESSION_COOKIE_SECURE"] is False

"""The site keeps each merchant's settings a few seconds per process (`PORTAL_MERCHANT_CACHE_SECONDS`)
instead of asking the core on every page: a portal switched off, or restyled, shows on the site
after that long at most. Each test starts with nothing kept."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from admin_core.context import Core
from admin_core.services.merchants import get_merchant
from admin_core.services.portal_settings import PortalSettings, update_portal_settings
from portal.merchants import MERCHANTS_EXTENSION, MerchantCache
from portal.settings import EXTENSION as SITE_SETTINGS
from portal.settings import site_settings

from .test_statements import count_statements


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Clock:
    ticking = Clock()
    monkeypatch.setattr(app.extensions[MERCHANTS_EXTENSION], "clock", ticking)
    return ticking


def _switch(core: Core, **changes: Any) -> None:
    with core.db.read() as session:
        merchant_id = get_merchant(session, "demo").id
    update_portal_settings(core.db, merchant_id, PortalSettings(**changes))


def test_a_switched_off_portal_is_gone_once_its_settings_are_older_than_the_setting(
    app: Flask, client: FlaskClient, core: Core, demo: dict[str, Any], clock: Clock
) -> None:
    assert site_settings(app).merchant_cache_seconds == 5
    assert client.get("/p/demo/login").status_code == 200
    _switch(core, portal_enabled=False)
    clock.now += 4.9
    assert client.get("/p/demo/login").status_code == 200  # the settings kept 5 s
    clock.now += 0.2
    assert client.get("/p/demo/login").status_code == 404
    _switch(core, portal_enabled=True)
    assert client.get("/p/demo/login").status_code == 404  # the disabled portal is kept as well
    app.extensions[MERCHANTS_EXTENSION].clear()
    assert client.get("/p/demo/login").status_code == 200


def test_a_new_look_shows_at_once_when_nothing_is_kept(
    app: Flask, client: FlaskClient, core: Core, demo: dict[str, Any], clock: Clock
) -> None:
    app.extensions[SITE_SETTINGS] = replace(site_settings(app), merchant_cache_seconds=0)  # lent puts it back
    assert "Fresh bread" not in client.get("/p/demo/login").text
    _switch(core, header_text="Fresh bread every morning")
    assert "Fresh bread every morning" in client.get("/p/demo/login").text


def test_pages_within_the_setting_ask_the_core_nothing_about_the_merchant(
    client: FlaskClient, core: Core, demo: dict[str, Any], clock: Clock
) -> None:
    with count_statements(core) as first:
        assert client.get("/p/demo/login").status_code == 200
    with count_statements(core) as again:
        assert client.get("/p/demo/login").status_code == 200
    assert len(first) == 2 and "FROM merchants" in first[0], first  # and the wallets it offers
    assert again == []


def test_an_unknown_merchant_is_asked_again_and_not_kept(
    app: Flask, client: FlaskClient, core: Core, demo: dict[str, Any], clock: Clock
) -> None:
    for _ in range(2):
        with count_statements(core) as asked:
            assert client.get("/p/nowhere/login").status_code == 404
        assert len(asked) == 1
    cache: MerchantCache = app.extensions[MERCHANTS_EXTENSION]
    assert cache.slugs() == set()


def test_each_test_starts_with_nothing_kept(app: Flask, client: FlaskClient, demo: dict[str, Any]) -> None:
    assert app.extensions[MERCHANTS_EXTENSION].slugs() == set()
    assert client.get("/p/demo/login").status_code == 200
    assert app.extensions[MERCHANTS_EXTENSION].slugs() == {"demo"}


def test_and_the_next_one_too(app: Flask, demo: dict[str, Any]) -> None:
    assert app.extensions[MERCHANTS_EXTENSION].slugs() == set()

"""The client's merchant-key calls (settings, logo, hotspots) against a real core: what a
merchant's own integration would do with the typed client."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from admin_api_client import CoreClient, Invalid, NotFound

from .test_portal_settings import png


@pytest.fixture
def merchant(core_app: Flask, demo: dict[str, Any]) -> CoreClient:
    return CoreClient.in_process(core_app, api_key=demo["api_key"])


def test_settings_and_the_logo_through_the_client(merchant: CoreClient) -> None:
    changed = merchant.settings.update(header_text="Welcome to the club")
    assert changed.header_text == "Welcome to the club" == merchant.settings.get().header_text
    with pytest.raises(Invalid) as refused:
        merchant.settings.update(accent_color="#ffffff", accent_text_color="#ffffff")
    assert refused.value.code == "low_contrast"
    with_logo = merchant.settings.set_logo(png())
    assert with_logo.logo_digest
    with pytest.raises(Invalid) as not_an_image:
        merchant.settings.set_logo(b"GIF89a not a logo")
    assert not_an_image.value.code == "invalid_logo"
    assert merchant.settings.remove_logo().logo_digest is None


def test_hotspots_through_the_client(merchant: CoreClient, demo: dict[str, Any]) -> None:
    before = {hotspot.id for hotspot in merchant.wifi.list_hotspots()}
    assert before == {hotspot["id"] for hotspot in demo["hotspots"]}
    made = merchant.wifi.create_hotspot("MAIN", "meraki", {"mode": "click-through"}, id="bar-terrace")
    assert (made.id, made.store, made.kind) == ("bar-terrace", "MAIN", "meraki")
    moved = merchant.wifi.update_hotspot("bar-terrace", store="STATION", session_minutes=30)
    assert (moved.store, moved.options["session_minutes"]) == ("STATION", 30)
    assert {hotspot.id for hotspot in merchant.wifi.list_hotspots()} == before | {"bar-terrace"}
    with pytest.raises(Invalid):
        merchant.wifi.create_hotspot("NOWHERE", "meraki", {"mode": "click-through"})
    with pytest.raises(NotFound):
        merchant.wifi.update_hotspot("no-such-hotspot", session_minutes=30)

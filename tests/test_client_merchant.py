"""The client's merchant-key calls (settings, logo, hotspots) against a real core: what a
merchant's own integration would do with the typed client."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask

from admin_api_client import Conflict, CoreClient, Gone, Invalid, NotFound

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


def test_customers_through_the_client(merchant: CoreClient, demo: dict[str, Any]) -> None:
    anna = demo["cards"][0]["number"]
    page = merchant.customers.search("anna", limit=5)
    assert [row.number for row in page.customers] == [anna]
    silent = merchant.customers.search(marketing=False, limit=100).customers
    assert anna in {row.number for row in silent} and not any(row.marketing_consent for row in silent)
    assert merchant.customers.search(marketing=True).customers == []  # the demo asked nobody
    with pytest.raises(Invalid) as nowhere:
        merchant.customers.search(store="NOWHERE")
    assert nowhere.value.code == "unknown_store"
    card = merchant.customers.get(anna)
    assert (card.customer.number, card.blocked) == (anna, False) and card.operations
    renamed = merchant.customers.change(anna, first_name="Annie", birth_date=date(1990, 5, 17))
    assert renamed.first_name == "Annie" and merchant.customers.get(anna).birth_date == date(1990, 5, 17)
    with pytest.raises(Invalid) as bad_email:
        merchant.customers.change(anna, email="not an address")
    assert bad_email.value.code == "invalid_email"
    first = merchant.customers.adjust(anna, "Goodwill", points=50, idempotency_key="goodwill-1")
    again = merchant.customers.adjust(anna, "Goodwill", points=50, idempotency_key="goodwill-1")
    assert first == again and merchant.customers.get(anna).customer.points == card.customer.points + 50
    with pytest.raises(Conflict) as too_much:
        merchant.customers.adjust(anna, "Oops", points=-(10**6))
    assert too_much.value.code == "insufficient_points"
    assert merchant.customers.set_blocked(anna, True) is True
    assert merchant.customers.get(anna).blocked is True
    assert merchant.customers.set_blocked(anna, False) is False
    new_number = merchant.customers.replace(anna, idempotency_key="lost-1")
    assert merchant.customers.get(new_number).earlier_numbers == [anna]
    with pytest.raises(Gone) as replaced:
        merchant.customers.get(anna)
    assert replaced.value.code == "card_replaced"
    with pytest.raises(NotFound):
        merchant.customers.get("0000000000")

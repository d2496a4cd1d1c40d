"""A guest signs up on the venue's Wi-Fi with a phone, in Debian's Chromium: the splash passes
axe-core with no serious or critical issue, needs no script, asks nothing of another origin, and is
small; the gateway lets the phone online; next time one tap is enough."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from admin_core.models import HotspotKind

from .simulators import DEVICE_HEADER, OpenNDS
from .wifi_venue import MAC, Venue

pytestmark = pytest.mark.browser

AXE = Axe()
BLOCKING = ("serious", "critical")
BUDGET = 15_000  # bytes: the splash and its stylesheet, for a captive-network assistant


def blocking_issues(page: Any) -> list[str]:
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}"
        for violation in AXE.run(page).response["violations"]
        if violation["impact"] in BLOCKING
    ]


@pytest.fixture
def gateway(venue: Venue) -> Iterator[OpenNDS]:
    """The café's openNDS gateway (FAS level 2), and its hotspot."""
    with OpenNDS("gatewayKey2026", 2, venue.splash("cafe")) as gateway:
        settings = {"fas_level": 2, "faskey": "gatewayKey2026", "gateway_address": gateway.address}
        venue.hotspot("cafe", HotspotKind.OPENNDS, settings)
        yield gateway


def test_a_guest_signs_up_on_a_phone_and_returns_in_one_tap(
    venue: Venue, gateway: OpenNDS, new_phone: Any
) -> None:
    from playwright.sync_api import expect

    page = new_phone()
    page.context.set_extra_http_headers({DEVICE_HEADER: MAC})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    heading = page.get_by_role("heading", level=1)

    splash = page.goto(gateway.arrive(MAC, "10.1.0.23"))
    assert splash is not None
    expect(heading).to_have_text("Free Wi-Fi at Via Roma 1 — main shop")
    assert blocking_issues(page) == []
    weight = len(splash.body()) + len(page.request.get(f"{venue.base_url}/static/css/portal.css").body())
    assert weight <= BUDGET, weight
    assert [url for url in requests if not url.startswith(venue.base_url)] == []

    page.get_by_role("button", name="Connect").tap()  # nothing filled in: the form says what is missing
    expect(page.get_by_text("Enter your first name.")).to_be_visible()
    assert blocking_issues(page) == []
    page.get_by_label("First name").fill("Lena")
    page.get_by_label("E-mail").fill("lena@example.com")
    page.get_by_label("I accept the Wi-Fi terms of use and the rules of the loyalty program").check()
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Connect").tap()

    expect(heading).to_have_text("You are online")
    assert gateway.is_online(MAC)
    expect(page.locator(".number")).to_have_text(re.compile(r"^9\d{12}$"))
    assert blocking_issues(page) == []

    gateway.revoke(MAC)  # the session ended; the phone comes back another day
    page.goto(gateway.arrive(MAC, "10.1.0.23"))
    page.get_by_role("button", name="Welcome back — connect").tap()
    expect(heading).to_have_text("You are online")
    expect(page.get_by_text("Welcome back.")).to_be_visible()
    assert gateway.is_online(MAC)


def test_the_splash_works_without_scripts_in_another_language(gateway: OpenNDS, chromium: Any) -> None:
    from playwright.sync_api import expect

    context = chromium.new_context(java_script_enabled=False, viewport={"width": 320, "height": 568})
    try:
        context.set_extra_http_headers({DEVICE_HEADER: MAC})
        page = context.new_page()
        page.goto(gateway.arrive(MAC, "10.1.0.23"))
        page.get_by_role("button", name="Italiano").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Wi-Fi gratuito presso Via Roma 1 — main shop"
        )
        page.get_by_label("Nome").fill("Lena")
        page.get_by_label("E-mail").fill("lena@example.com")
        page.locator("#terms").check()
        page.locator("#privacy").check()
        page.get_by_role("button", name="Connettiti").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Sei online")
        assert gateway.is_online(MAC)
    finally:
        context.close()


def test_at_level_3_the_phone_waits_for_its_gateway_and_goes_on_by_itself(
    venue: Venue, new_phone: Any
) -> None:
    """openNDS level 3: "Connecting…" (accessible, no blocked script) until the gateway's authmon
    fetches the grant; the page then moves on to "you are online" by itself."""
    from playwright.sync_api import expect

    with OpenNDS("gatewayKey2026", 3, venue.splash("cafe")) as gateway:
        settings = {"fas_level": 3, "faskey": "gatewayKey2026", "gateway_address": gateway.address}
        venue.hotspot("cafe", HotspotKind.OPENNDS, settings)
        gateway.authmon(rounds=0)  # the gateway boots
        page = new_phone()
        page.context.set_extra_http_headers({DEVICE_HEADER: MAC})
        heading = page.get_by_role("heading", level=1)
        page.goto(gateway.arrive(MAC, "10.1.0.23"))
        page.get_by_label("First name").fill("Lena")
        page.get_by_label("E-mail").fill("lena@example.com")
        page.get_by_label("I accept the Wi-Fi terms of use and the rules of the loyalty program").check()
        page.get_by_label("I have read the privacy notice").check()
        page.get_by_role("button", name="Connect").tap()

        expect(heading).to_have_text("Connecting…")
        assert blocking_issues(page) == [] and not gateway.is_online(MAC)
        gateway.authmon(rounds=1)
        expect(heading).to_have_text("You are online", timeout=10_000)
        assert gateway.is_online(MAC) and gateway.refusals == []
        expect(page.locator(".number")).to_have_text(re.compile(r"^9\d{12}$"))

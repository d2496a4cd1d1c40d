"""The admin's store, store group and hotspot pages on a phone (390 px) and on a desktop, in
Debian's Chromium: axe-core finds nothing, and nothing is wider than the screen."""

from __future__ import annotations

from typing import Any

import pytest

from .test_reward_browser import admin_logs_in, fits, violations

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [390, 1280])
def test_the_admin_sets_up_a_store_a_group_and_a_hotspot(
    live: tuple[str, Any], phone: Any, width: int
) -> None:
    base, _ = live
    page, expect = phone
    page.set_viewport_size({"width": width, "height": 844})
    heading = page.get_by_role("heading", level=1)
    admin_logs_in(page, base)
    menu = page.get_by_role("navigation", name="Staff menu")
    menu.get_by_role("link", name="Stores").click()
    expect(heading).to_have_text("Stores")
    issues = violations(page, "stores")
    assert fits(page)
    page.get_by_role("link", name="New store").click()
    expect(heading).to_have_text("New store")
    page.get_by_label("Code (letters, digits, - or _; it never changes)").fill("MILAN-1")
    page.get_by_label("Name").fill("Milan Duomo")
    page.get_by_label("Monday").fill("9-13, 15-25")
    page.get_by_label("Latitude (optional, e.g. 45.4642)").fill("45.4642")
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#hours_mon-error")).to_contain_text("Write times as hours and minutes")
    expect(page.locator("#longitude-error")).to_have_text(
        "Give both the latitude and the longitude, or neither."
    )
    issues += violations(page, "new store, refused")
    assert fits(page)
    page.get_by_label("Monday").fill("9-13, 15-19:30")
    page.get_by_label("Longitude (optional, e.g. 9.1900)").fill("9.19")
    page.get_by_role("button", name="Create").click()
    expect(heading).to_have_text("Stores")
    page.get_by_role("link", name="Milan Duomo").click()
    expect(page.get_by_label("Monday")).to_have_value("09:00-13:00, 15:00-19:30")
    issues += violations(page, "edit store")
    assert fits(page)
    page.get_by_role("link", name="Back to the stores").click()
    page.get_by_role("link", name="Store groups").click()
    expect(heading).to_have_text("Store groups")
    page.get_by_label("Name (e.g. Milan shops)").fill("Milan shops")
    page.get_by_label("Its stores").select_option("MILAN-1")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("link", name="Milan shops")).to_be_visible()
    issues += violations(page, "store groups")
    assert fits(page)
    menu.get_by_role("link", name="Hotspots").click()
    expect(heading).to_have_text("Hotspots")
    issues += violations(page, "hotspots")
    assert fits(page)
    page.get_by_role("link", name="New hotspot").click()
    page.get_by_role("link", name="MikroTik").click()
    expect(heading).to_contain_text("New hotspot")
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#setting_router_address-error")).to_be_visible()
    issues += violations(page, "new hotspot, refused")
    assert fits(page)
    page.goto(f"{base}/core/hotspots/demo-unifi/edit")
    expect(page.get_by_label("Paste it into the controller", exact=False)).to_have_value(
        f"{base}/guest/s/demo-unifi/"
    )
    issues += violations(page, "hotspot")
    assert fits(page)
    assert issues == []

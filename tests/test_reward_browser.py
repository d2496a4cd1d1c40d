"""The admin's reward pages on a phone (390 px) and on a desktop, in Debian's Chromium: axe-core
finds nothing, and nothing is wider than the screen."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

AXE = Axe()


def violations(page: Any, name: str) -> list[str]:
    return [
        f"{name}: {each['id']} ({each['impact']}) {each['help']}"
        for each in AXE.run(page).response["violations"]
    ]


def admin_logs_in(page: Any, base: str) -> None:
    page.goto(f"{base}/core/login?merchant=demo")
    page.get_by_label("E-mail").fill("admin@demo.example")
    page.get_by_label("Password").fill("demo-staff-password")
    page.get_by_role("button", name="Log in").click()


def fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("width", [390, 1280])
def test_the_admin_defines_a_reward_on_a_phone_and_a_desktop(
    live: tuple[str, Any], phone: Any, width: int
) -> None:
    base, _ = live
    page, expect = phone
    page.set_viewport_size({"width": width, "height": 844})
    heading = page.get_by_role("heading", level=1)
    admin_logs_in(page, base)
    page.get_by_role("navigation", name="Staff menu").get_by_role("link", name="Rewards").click()
    expect(heading).to_have_text("Rewards")
    issues = violations(page, "list")
    assert fits(page)
    page.get_by_role("link", name="New reward").click()
    expect(heading).to_have_text("New reward")
    page.get_by_role("button", name="Create").click()  # nothing filled in
    expect(page.locator("#name-error")).to_have_text("Give the reward a name.")
    issues += violations(page, "new, refused")
    page.get_by_label("Name").fill("Mug")
    page.get_by_label("Points it costs").fill("300")
    page.get_by_label("How many there are (empty: unlimited)").fill("5")
    page.get_by_label("Collected at (none chosen: every store)").select_option("MAIN")
    page.get_by_role("button", name="Create").click()
    expect(heading).to_have_text("Mug")
    issues += violations(page, "edit")
    assert fits(page)
    assert issues == []

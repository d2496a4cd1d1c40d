"""Stamp cards on a phone (390 px), in Debian's Chromium: the admin defines one, the till taps
"+1 stamp", the customer sees the grid; axe-core finds nothing and nothing is wider than the
screen."""

from __future__ import annotations

from typing import Any

import pytest

from .test_reward_browser import admin_logs_in, fits, violations

pytestmark = pytest.mark.browser


def test_a_stamp_card_from_its_definition_to_the_customer_s_grid(live: tuple[str, Any], phone: Any) -> None:
    base, _ = live
    page, expect = phone
    heading = page.get_by_role("heading", level=1)
    admin_logs_in(page, base)
    page.get_by_role("navigation", name="Staff menu").get_by_role("link", name="Stamp cards").click()
    expect(heading).to_have_text("Stamp cards")
    issues = violations(page, "list")
    page.get_by_role("link", name="New stamp card").click()
    page.get_by_label("What earns a stamp").fill("")
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#name-error")).to_have_text("Say what earns a stamp, like “coffee”.")
    issues += violations(page, "new, refused")
    page.get_by_label("What earns a stamp").fill("coffee")
    page.get_by_label("Stamps that fill the card").fill("3")
    page.get_by_role("button", name="Create").click()
    expect(heading).to_have_text("Stamp cards")
    assert fits(page)
    page.goto(f"{base}/core/cards/7000100001")
    page.get_by_label("Store", exact=True).first.select_option("MAIN")
    page.locator("button", has_text="+1 stamp").click()
    expect(page.get_by_text("1 of 3 coffee")).to_be_visible()
    issues += violations(page, "till")
    assert fits(page)
    page.goto(f"{base}/p/demo/login")
    page.get_by_label("Card number").fill("7000100001")
    page.get_by_label("Password").fill("demo-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="1 of 3 coffee")).to_be_visible()
    issues += violations(page, "dashboard")
    assert fits(page)
    assert issues == []

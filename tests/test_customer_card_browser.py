"""The admin changes a customer card on a phone, in Debian's Chromium: the page and its refusals
pass axe-core, nothing runs off the side of the screen, an adjustment and a replacement work."""

from __future__ import annotations

from typing import Any

import pytest

from .test_staff_browser import blocking_issues

pytestmark = pytest.mark.browser


def test_the_admin_adjusts_and_replaces_a_card_on_a_phone(live: tuple[str, Any], phone: Any) -> None:
    base, _ = live
    page, expect = phone
    heading = page.get_by_role("heading", level=1)
    page.goto(f"{base}/core/login?merchant=demo")
    page.get_by_label("E-mail").fill("admin@demo.example")
    page.get_by_label("Password").fill("demo-staff-password")
    page.get_by_role("button", name="Log in").tap()
    expect(heading).to_have_text("Till")
    page.goto(f"{base}/core/customers/7000100003")
    expect(heading).to_have_text("Customer card 7000100003")
    issues = blocking_issues(page, "customer card")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.get_by_label("Points to add (a minus takes them)").fill("-100000")
    page.get_by_label("Reason", exact=True).fill("Too many")
    page.get_by_role("button", name="Record the adjustment").tap()
    expect(page.locator("#points-error")).to_have_text("The card does not have enough points.")
    issues += blocking_issues(page, "refused adjustment")
    page.get_by_label("Points to add (a minus takes them)").fill("15")
    page.get_by_label("Reason", exact=True).fill("Birthday gift")
    page.get_by_role("button", name="Record the adjustment").tap()
    expect(page.get_by_role("status")).to_have_text("Done: the card is updated.")
    expect(page.locator(".balances dd").first).to_have_text("105")

    page.get_by_label("The new card's number (empty: make one)").fill("7000100077")
    page.get_by_role("button", name="Replace the lost card").tap()
    expect(heading).to_have_text("Customer card 7000100077")
    expect(page.get_by_text("It replaced the lost cards 7000100003.")).to_be_visible()
    issues += blocking_issues(page, "replaced card")
    assert issues == []

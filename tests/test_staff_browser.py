# ruff: noqa: RUF001  (the calculations as staff read them, with the multiplication sign)
"""Staff at a till, on a phone, in Debian's Chromium: every page of the staff UI passes axe-core
with no serious or critical issue; a purchase is recorded by typing (or scanning) the card."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image

from .conftest import deliver_mail
from .smtp import Inbox

pytestmark = pytest.mark.browser

AXE = Axe()
BLOCKING = ("serious", "critical")


def blocking_issues(page: Any, name: str) -> list[str]:
    return [
        f"{name}: {violation['id']} ({violation['impact']}) {violation['help']}"
        for violation in AXE.run(page).response["violations"]
        if violation["impact"] in BLOCKING
    ]


def test_a_manager_works_the_till_and_every_page_is_accessible(live: tuple[str, Any], phone: Any) -> None:
    base, _ = live
    page, expect = phone
    heading = page.get_by_role("heading", level=1)
    issues: list[str] = []

    page.goto(f"{base}/core/login?merchant=demo")
    expect(heading).to_have_text("Staff login")
    issues += blocking_issues(page, "login")
    page.get_by_label("E-mail").fill("manager@demo.example")
    page.get_by_label("Password").fill("demo-staff-password")
    page.get_by_role("button", name="Log in").tap()

    expect(heading).to_have_text("Till")
    issues += blocking_issues(page, "till")
    page.get_by_label("Card number or scan").fill("7000100001")
    page.keyboard.press("Enter")  # as a barcode scanner ends what it types
    expect(heading).to_have_text("Card 7000100001")
    issues += blocking_issues(page, "card")
    points = int(page.locator(".balances dd").first.inner_text())
    expect(page.get_by_text("Points for a purchase:")).to_be_visible()
    page.get_by_label("Points, or amount of money").fill("12.50")
    page.get_by_role("button", name="Record").tap()
    expect(page.get_by_role("status")).to_have_text(
        "Purchase recorded: €12.50 × 1 pt/EUR × 1.25 (Silver) × 2 (Double points week) = 31 points."
    )
    expect(page.locator(".balances dd").first).to_have_text(str(points + 31))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("link", name=re.compile(r"^Void: Purchase of €12\.50")).tap()
    expect(heading).to_have_text("Void an operation")
    issues += blocking_issues(page, "void")
    page.get_by_role("button", name="Void it").tap()
    expect(page.get_by_role("status")).to_contain_text("Voided: Purchase of €12.50.")
    expect(page.locator(".balances dd").first).to_have_text(str(points))

    menu = page.get_by_role("navigation", name="Staff menu")
    for link, title in [
        ("Coupons", "Coupons"),
        ("Figures", "Figures"),
        ("Staff", "Staff"),
        ("My account", "My account"),
    ]:
        menu.get_by_role("link", name=link).tap()
        expect(heading).to_have_text(title)
        issues += blocking_issues(page, link)
    page.get_by_role("link", name="Set it up").tap()
    expect(heading).to_have_text("Set up two-factor login")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    issues += blocking_issues(page, "two-factor")
    assert issues == []


def test_the_till_finds_a_customer_on_a_phone(live: tuple[str, Any], phone: Any) -> None:
    base, _ = live
    page, expect = phone
    log_in(page, base, "till@demo.example")
    page.get_by_role("navigation", name="Staff menu").get_by_role("link", name="Customers").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Customers")
    page.get_by_label("Name, e-mail, phone or card number").fill("ROSSI ann")
    page.keyboard.press("Enter")
    link = page.get_by_role("link", name="7000100001")
    expect(link).to_be_visible()
    assert blocking_issues(page, "customers") == []
    # On a phone the table's columns stack: nothing runs off the side of the screen.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    link.tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Card 7000100001")


def test_the_admin_s_settings_page_is_accessible(live: tuple[str, Any], phone: Any) -> None:
    base, _ = live
    page, expect = phone
    log_in(page, base, "admin@demo.example")
    page.get_by_role("navigation", name="Staff menu").get_by_role("link", name="Portal settings").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Portal settings")
    assert blocking_issues(page, "settings") == []
    assert re.search(r"\d", page.get_by_label("Points per currency unit spent").input_value())
    page.get_by_role("navigation", name="Staff menu").get_by_role("link", name="Staff").tap()
    page.get_by_role("link", name="Edit Sara Neri").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sara Neri")
    expect(page.get_by_label("Store")).to_have_value("STATION")
    assert blocking_issues(page, "staff member") == []


def test_the_admin_sets_up_the_program_on_a_phone(live: tuple[str, Any], phone: Any) -> None:
    base, _ = live
    page, expect = phone
    heading = page.get_by_role("heading", level=1)
    log_in(page, base, "admin@demo.example")
    menu = page.get_by_role("navigation", name="Staff menu")
    issues: list[str] = []
    menu.get_by_role("link", name="Tiers").tap()
    expect(heading).to_have_text("Tiers")
    issues += blocking_issues(page, "tiers")
    page.get_by_role("link", name="New tier").tap()
    page.get_by_label("Name").fill("Platinum")
    page.get_by_label("Points earned in the tier period to reach it").fill("5000")
    page.get_by_label("Purchase points multiplier (1 to 10, like 1.5)").fill("0.5")
    page.get_by_role("button", name="Create").tap()
    expect(page.locator("#multiplier-error")).to_contain_text("Enter a multiplier from 1 to 10")
    issues += blocking_issues(page, "tier refused")
    page.get_by_label("Purchase points multiplier (1 to 10, like 1.5)").fill("2")
    page.get_by_role("button", name="Create").tap()
    expect(page.get_by_role("status")).to_have_text("Saved: Platinum.")
    page.get_by_role("link", name="Delete: Platinum").tap()
    expect(page.get_by_text("Cards at Platinum move to Gold at once")).to_be_visible()
    issues += blocking_issues(page, "tier delete")
    page.get_by_role("button", name="Delete Platinum").tap()
    expect(page.get_by_role("status")).to_have_text("Tier Platinum deleted.")
    menu.get_by_role("link", name="Campaigns").tap()
    expect(heading).to_have_text("Campaigns")
    issues += blocking_issues(page, "campaigns")
    page.get_by_role("link", name="Double points week").tap()
    expect(
        page.get_by_label("Purchase points multiplier (1 to 10, like 2; empty: points as usual)")
    ).to_have_value("2")
    issues += blocking_issues(page, "campaign")
    menu.get_by_role("link", name="Points rates").tap()
    expect(heading).to_have_text("Points rates")
    issues += blocking_issues(page, "rates")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert issues == []


def test_a_forgotten_password_is_replaced_on_a_phone(live: tuple[str, Any], phone: Any, inbox: Inbox) -> None:
    base, core_app = live
    page, expect = phone
    heading = page.get_by_role("heading", level=1)
    page.goto(f"{base}/core/login?merchant=demo")
    page.get_by_role("link", name="Forgot your password?").tap()
    expect(heading).to_have_text("Forgot your password?")
    issues = blocking_issues(page, "forgot")
    page.get_by_label("E-mail").fill("till@demo.example")
    page.get_by_role("button", name="Send the link").tap()
    expect(page.get_by_role("status")).to_contain_text("a link to choose a new password is on its way")

    deliver_mail(core_app)
    [message] = inbox.messages
    link = re.search(r"http://\S+/core/login/reset/\S+", inbox.text(message))
    assert link, inbox.text(message)
    page.goto(link.group(0))
    expect(heading).to_have_text("Choose a new password")
    issues += blocking_issues(page, "reset")
    page.get_by_label("New password").fill("a-brand-new-password")
    page.get_by_role("button", name="Save the password").tap()
    expect(page.get_by_role("status")).to_have_text("Your password is changed. Log in with it.")
    page.get_by_label("E-mail").fill("till@demo.example")
    page.get_by_label("Password").fill("a-brand-new-password")
    page.get_by_role("button", name="Log in").tap()
    expect(heading).to_have_text("Till")
    assert issues == []


def log_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/core/login?merchant=demo")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill("demo-staff-password")
    page.get_by_role("button", name="Log in").tap()
    page.get_by_role("heading", level=1, name="Till").wait_for()


def test_the_two_factor_qr_code_is_whole_on_a_phone_and_scans(live: tuple[str, Any], phone: Any) -> None:
    import zxingcpp  # a decoder as an authenticator app's camera reads the code

    base, _ = live
    page, expect = phone
    log_in(page, base, "manager@demo.example")
    page.goto(f"{base}/core/two-factor")
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box and box["width"] == box["height"] == 12 * 16  # the CSS's 12rem, square: drawn whole
    secret = page.locator("code.secret").inner_text()
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))
    assert found.format == zxingcpp.BarcodeFormat.QRCode
    assert found.text.startswith("otpauth://totp/") and f"secret={secret}" in found.text


def test_the_till_s_card_page_fits_a_phone(live: tuple[str, Any], phone: Any) -> None:
    base, _ = live
    page, expect = phone
    log_in(page, base, "manager@demo.example")
    page.get_by_label("Card number or scan").fill("7000100001")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Card 7000100001")
    expect(page.get_by_role("heading", name="Latest operations")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("link", name="Another card").tap()
    page.get_by_label("Card number or scan").fill("7000/100001")
    page.keyboard.press("Enter")
    expect(page.get_by_text("No card has this number.")).to_be_visible()
    expect(page.get_by_label("Card number or scan")).to_have_value("7000/100001")
    assert blocking_issues(page, "no such card") == []


def test_an_invited_person_joins_on_a_phone(live: tuple[str, Any], phone: Any, inbox: Inbox) -> None:
    base, core_app = live
    page, expect = phone
    heading = page.get_by_role("heading", level=1)
    log_in(page, base, "admin@demo.example")
    page.get_by_role("navigation", name="Staff menu").get_by_role("link", name="Staff").tap()
    expect(heading).to_have_text("Staff")
    expect(page.get_by_label("Password")).to_have_count(0)
    page.get_by_label("First name").fill("Pia")
    page.get_by_label("Last name").fill("Sala")
    page.get_by_label("E-mail (their login)").fill("pia@demo.example")
    page.get_by_role("button", name="Send the invitation").tap()
    expect(page.get_by_role("status")).to_contain_text("Pia Sala is invited")
    expect(page.get_by_text("Pia Sala (invited, not yet joined)")).to_be_visible()
    issues = blocking_issues(page, "team with an invitation")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    deliver_mail(core_app)
    [message] = inbox.messages
    link = re.search(r"http://\S+/core/join/\S+", inbox.text(message))
    assert link, inbox.text(message)
    page.context.clear_cookies()  # the newcomer's own phone
    page.goto(link.group(0))
    expect(heading).to_have_text("Join the staff of Demo Café & Market")
    issues += blocking_issues(page, "join")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label("New password").fill("pia-own-password-1")
    page.get_by_role("button", name="Save the password and log in").tap()
    expect(heading).to_have_text("Till")
    page.goto(link.group(0))
    expect(heading).to_have_text("This invitation does not work any more")
    issues += blocking_issues(page, "join used")
    assert issues == []

"""A customer on a phone, in Debian's Chromium driven by Playwright, against a live server."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import deliver_mail
from .smtp import Inbox

pytestmark = pytest.mark.browser


def test_customer_logs_in_and_sees_points(live: tuple[str, Any], phone: Any) -> None:
    base, _ = live
    phone, expect = phone
    phone.goto(f"{base}/p/demo/")
    assert phone.url.endswith("/p/demo/login?next=/p/demo/")
    phone.get_by_label("Card number").fill("7000 1000 01")
    phone.get_by_label("Password").fill("demo-password")
    phone.get_by_role("button", name="Log in").tap()
    phone.wait_for_url(f"{base}/p/demo/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hello, Anna")
    assert phone.locator(".points dd").inner_text() == "1,250"
    assert "€15.50" in phone.locator(".balances").inner_text()
    # Phone-first: nothing overflows sideways, touch targets are big enough.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert phone.get_by_role("button", name="Log out").bounding_box()["height"] >= 44


def test_activation_from_form_to_e_mailed_link(live: tuple[str, Any], phone: Any, inbox: Inbox) -> None:
    base, core_app = live
    phone, expect = phone
    phone.goto(f"{base}/p/demo/login")
    phone.get_by_role("link", name="First time here? Get your password").tap()
    phone.get_by_label("Card number").fill("7000100002")
    phone.get_by_label("E-mail you gave the shop").fill("marco@example.com")
    phone.get_by_label("New password", exact=True).fill("marco-secret-1")
    phone.get_by_label("New password again").fill("marco-secret-1")
    phone.get_by_role("button", name="Send me the link").tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Check your e-mail")

    deliver_mail(core_app)
    link = re.search(r"http://\S+/p/demo/activate/[\w-]+", inbox.text(inbox.messages[0]))
    assert link
    phone.goto(link.group(0))
    phone.get_by_role("button", name="Activate my card").tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hello, Marco")
    assert "Your card is active" in phone.locator("main").inner_text()


def test_the_card_works_offline_once_seen_and_goes_at_logout(live: tuple[str, Any], phone: Any) -> None:
    base, _ = live
    phone, expect = phone
    phone.goto(f"{base}/p/demo/card")
    phone.get_by_label("Card number").fill("7000100001")
    phone.get_by_label("Password").fill("demo-password")
    phone.get_by_role("button", name="Log in").tap()
    phone.wait_for_url(f"{base}/p/demo/card")
    expect(phone.get_by_role("img", name="Barcode of card 7000100001")).to_be_visible()
    assert phone.locator(".scan svg.barcode").bounding_box()["width"] >= 330  # about 3 px a module
    assert phone.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)") == f"{base}/p/demo/"

    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(phone).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []

    phone.context.set_offline(True)
    phone.reload()
    expect(phone.locator(".digits")).to_have_text("7000 1000 01")
    phone.goto(f"{base}/p/demo/")  # any portal page, offline: the card rather than an error
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your card")

    phone.context.set_offline(False)
    phone.goto(f"{base}/p/demo/")
    phone.get_by_role("button", name="Log out").tap()
    phone.wait_for_url(f"{base}/p/demo/login")
    assert phone.evaluate("caches.keys()") == ["static-v1"]

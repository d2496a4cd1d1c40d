"""The wallet buttons on the card page, on a phone: both shown, big enough to tap, in the
and with no accessibility issue axe-core calls serious."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from admin_core.context import EXTENSION

from .wallet_fixtures import set_up_google_wallet, set_up_wallet

pytestmark = pytest.mark.browser


def test_the_card_page_offers_both_wallets(live: tuple[str, Any], phone: Any) -> None:
    base, core_app = live
    core = core_app.extensions[EXTENSION]
    set_up_wallet(core)
    set_up_google_wallet(core)
    phone, expect = phone
    phone.goto(f"{base}/p/demo/login")
    phone.get_by_label("Card number").fill("7000100001")
    phone.get_by_label("Password").fill("demo-password")
    phone.get_by_role("button", name="Log in").tap()
    phone.wait_for_url(f"{base}/p/demo/")
    phone.goto(f"{base}/p/demo/card")
    apple = phone.get_by_role("link", name="Add to Apple Wallet")
    google = phone.get_by_role("link", name="Save to Google Wallet")
    expect(apple).to_be_visible()
    expect(google).to_be_visible()
    assert google.get_attribute("href") == "/p/demo/card/wallet/google"
    for button in (apple, google):
        assert button.bounding_box()["height"] >= 44
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    serious = [
        each["id"]
        for each in Axe().run(phone).response["violations"]
        if each["impact"] in ("serious", "critical")
    ]
    assert serious == []

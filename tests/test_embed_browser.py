"""The portal inside a merchant's website, in Debian's Chromium: the shop's page on one loopback
origin pastes the widget snippet, the portal comes from another origin, the customer logs in inside
the frame, and the frame grows with the page. An origin the merchant did not list gets no portal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from werkzeug.wrappers import Request, Response

from admin_core.context import EXTENSION, Core
from admin_core.services.merchants import get_merchant
from admin_core.services.portal_settings import PortalSettings, update_portal_settings

from .conftest import served

pytestmark = pytest.mark.browser

INITIAL_HEIGHT = 480  # widget.js's height for the frame until the portal says its own
SHOP_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Our shop</title></head>
<body><h1>Our shop</h1>
<div data-loyalty-portal="{portal}"><a href="{portal}">Demo Café loyalty card</a></div>
<script src="{site}/core/widget.js" async></script>
</body></html>"""


@contextmanager
def shop(host: str, site: str) -> Iterator[str]:
    """A merchant's website on `host` (another loopback address: another origin, another site),
    with the portal pasted in: its origin."""
    html = SHOP_PAGE.format(portal=f"{site}/p/demo/", site=site)

    @Request.application
    def page(_request: Request) -> Response:
        return Response(html, mimetype="text/html")

    with served(page, host) as origin:
        yield origin


def allow_framing(core_app: Any, *origins: str) -> None:
    core: Core = core_app.extensions[EXTENSION]
    with core.db.read() as session:
        merchant_id = get_merchant(session, "demo").id
    update_portal_settings(core.db, merchant_id, PortalSettings(embed_origins=list(origins)))


def frame_height(page: Any) -> float:
    return float(page.evaluate("document.querySelector('iframe').getBoundingClientRect().height"))


def test_a_customer_logs_in_inside_the_merchants_website(
    live: tuple[str, Any], new_phone: Callable[..., Any]
) -> None:
    from playwright.sync_api import expect

    site, core_app = live
    with shop("127.0.0.2", site) as origin:
        allow_framing(core_app, origin)
        page = new_phone()
        page.goto(origin)
        portal = page.frame_locator("iframe[title='Demo Café loyalty card']")
        expect(portal.get_by_role("heading", level=1)).to_have_text("Your loyalty card")
        expect(portal.get_by_role("link", name="Open in a new window")).to_have_attribute("target", "_blank")

        portal.get_by_label("Card number").fill("7000100001")
        portal.get_by_label("Password").fill("demo-password")
        portal.get_by_role("button", name="Log in").tap()
        expect(portal.get_by_role("heading", level=1)).to_have_text("Hello, Anna")

        # The frame follows its content: the dashboard is taller than the frame was at first, and
        # the frame ends where the dashboard does (no inner scroll bar, no gap).
        page.wait_for_function(
            f"document.querySelector('iframe').getBoundingClientRect().height > {INITIAL_HEIGHT}"
        )
        content = portal.locator("html").evaluate("html => Math.ceil(html.getBoundingClientRect().height)")
        page.wait_for_function(
            f"Math.abs(document.querySelector('iframe').getBoundingClientRect().height - {content}) < 1"
        )

        cookies = [cookie for cookie in page.context.cookies() if cookie["name"] == "loyalty_session"]
        assert len(cookies) == 1, cookies
        session = cookies[0]
        assert session["sameSite"] == "None" and session["secure"]
        assert session.get("partitionKey"), "the session cookie is partitioned under the shop's site"

        # Opened on its own, the portal does not see the frame's session: that one belongs to the shop.
        alone = page.context.new_page()
        alone.goto(f"{site}/p/demo/")
        expect(alone.get_by_role("heading", level=1)).to_have_text("Your loyalty card")
        alone.close()

        # Later pages of the framed visit (through the service worker by now) keep the frame's
        # cookie: logging out, which rewrites it, works.
        portal.get_by_role("navigation", name="My card").get_by_role("link", name="Rewards").tap()
        expect(portal.get_by_role("heading", level=1)).to_have_text("Rewards")
        portal.get_by_role("navigation", name="My card").get_by_role("link", name="Home").tap()
        portal.get_by_role("button", name="Log out").tap()
        expect(portal.get_by_role("status")).to_have_text("You have logged out.")
        expect(portal.get_by_role("heading", level=1)).to_have_text("Your loyalty card")


def test_an_origin_not_on_the_list_gets_no_portal(
    live: tuple[str, Any], new_phone: Callable[..., Any]
) -> None:
    site, core_app = live
    with shop("127.0.0.2", site) as allowed, shop("127.0.0.3", site) as other:
        allow_framing(core_app, allowed)
        page = new_phone()
        refusals: list[str] = []
        page.on("console", lambda message: refusals.append(message.text))
        with page.expect_event(
            "framenavigated", predicate=lambda frame: frame.url.startswith("chrome-error:")
        ):
            page.goto(other)
        assert page.locator("iframe").count() == 1  # the widget did its part; the browser refused
        assert page.frame_locator("iframe").get_by_label("Card number").count() == 0
        assert any("frame-ancestors" in text for text in refusals), refusals


def test_without_scripts_the_shop_keeps_a_link(live: tuple[str, Any], chromium: Any) -> None:
    from playwright.sync_api import expect

    site, core_app = live
    with shop("127.0.0.2", site) as origin:
        allow_framing(core_app, origin)
        context = chromium.new_context(java_script_enabled=False)
        try:
            page = context.new_page()
            page.goto(origin)
            expect(page.get_by_role("link", name="Demo Café loyalty card")).to_have_attribute(
                "href", f"{site}/p/demo/"
            )
            assert page.locator("iframe").count() == 0
        finally:
            context.close()

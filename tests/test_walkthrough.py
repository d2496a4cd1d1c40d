"""A customer's visits on a phone, by taps on links and buttons, in English and once in Italian.
Every page visited passes axe-core with no serious or critical violation, asks nothing of another
origin, and stays small: its HTML + CSS + JS, uncompressed, within BUDGET bytes."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from babel.support import Translations

from .conftest import deliver_mail
from .smtp import Inbox

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 30_000  # bytes per page: the document and the stylesheets and scripts it loads
BLOCKING = ("serious", "critical")
ASSETS_JS = """[...document.querySelectorAll("link[rel=stylesheet][href], script[src]")]
    .map((element) => element.href || element.src)"""
AXE = Axe()
Weights = dict[str, tuple[int, int]]  # page → (document bytes, CSS + JS bytes), largest seen


@pytest.fixture(scope="module")
def weights() -> Iterator[Weights]:
    """Every page's weight, the largest over the module's walks in either language, printed as a
    table at the end (pytest -s)."""
    found: Weights = {}
    yield found
    print(f"\n{'page':<24}{'HTML':>8}{'CSS+JS':>8}{'total':>8}")
    for name, (document, assets) in sorted(found.items(), key=lambda item: -sum(item[1])):
        print(f"{name:<24}{document:>8}{assets:>8}{document + assets:>8}")


class Visit:
    """One phone's pages: each checked with axe and weighed, every request of the context kept."""

    def __init__(self, page: Any, base: str, weights: Weights) -> None:
        self.page, self.base, self.weights = page, base, weights
        self.requests: list[str] = []
        self.blocking: list[str] = []
        self.document: Any = None
        self.asset_sizes: dict[str, int] = {}
        self.heavy: dict[str, int] = {}
        # On the context, so that the service worker's own fetches are seen too.
        page.context.on("request", lambda request: self.requests.append(request.url))
        page.on("response", self._response)

    def _response(self, response: Any) -> None:
        request = response.request
        main = request.is_navigation_request() and request.frame == self.page.main_frame
        if main and not 300 <= response.status < 400:  # a redirect has no body; its target follows
            self.document = response

    def check(self, name: str) -> None:
        """The page now shown: axe's findings (serious and critical ones fail the test at the end;
        the others are printed) and its weight."""
        self.page.wait_for_load_state("load")
        for violation in AXE.run(self.page).response["violations"]:
            nodes = [" ".join(node["target"]) for node in violation["nodes"]]
            line = f"{name}: {violation['id']} ({violation['impact']}) {violation['help']} at {nodes}"
            if violation["impact"] in BLOCKING:
                self.blocking.append(line)
            else:
                print(f"\naxe, for information: {line}")
        assert self.document is not None and self.document.url.split("#")[0] == self.page.url.split("#")[0]
        document = len(self.document.body())
        assets = sum(self._asset_size(url) for url in self.page.evaluate(ASSETS_JS))
        if document + assets > BUDGET:
            self.heavy[name] = document + assets
        self.weights[name] = max(self.weights.get(name, (0, 0)), (document, assets), key=sum)

    def _asset_size(self, url: str) -> int:
        if url not in self.asset_sizes:
            response = self.page.request.get(url)
            assert response.ok, url
            self.asset_sizes[url] = len(response.body())
        return self.asset_sizes[url]

    def assert_clean(self) -> None:
        assert self.blocking == [], "\n".join(self.blocking)
        elsewhere = [url for url in self.requests if not url.startswith(self.base + "/")]
        assert elsewhere == [], f"requests to other origins: {elsewhere}"
        assert self.heavy == {}, f"pages over {BUDGET} bytes of HTML + CSS + JS: {self.heavy}"


def starting(message: str) -> re.Pattern[str]:
    """An accessible name that begins as `message` does, up to its first placeholder."""
    return re.compile("^" + re.escape(message.split("%(")[0]))


def test_a_customer_uses_every_page_of_the_card(live: tuple[str, Any], phone: Any, weights: Weights) -> None:
    base, _ = live
    page, expect = phone
    visit = Visit(page, base, weights)
    heading = page.get_by_role("heading", level=1)
    status = page.get_by_role("status")
    tabs = page.get_by_role("navigation", name="My card")

    page.goto(f"{base}/p/demo/")
    expect(heading).to_have_text("Your loyalty card")
    visit.check("login")
    page.get_by_label("Card number").fill("7000100001")
    page.get_by_label("Password").fill("demo-password")
    page.get_by_role("button", name="Log in").tap()
    expect(heading).to_have_text("Hello, Anna")
    visit.check("dashboard")

    tabs.get_by_role("link", name="Rewards").tap()
    expect(heading).to_have_text("Rewards")
    visit.check("rewards")
    # The reward's name is in the button's name for screen readers, after a visually hidden colon.
    page.get_by_role("button", name=re.compile(r"^Take it\s*: Espresso$")).tap()
    expect(heading).to_have_text("Espresso")
    expect(status).to_have_text("Done! Show this voucher at the till.")
    expect(page.get_by_role("img", name=re.compile(r"^QR code of voucher "))).to_be_visible()
    code = page.locator(".digits").inner_text()
    visit.check("voucher")

    page.get_by_role("link", name="All my vouchers").tap()
    expect(heading).to_have_text("My vouchers")
    visit.check("vouchers")
    page.get_by_role("link", name=re.compile(re.escape(code))).tap()
    page.get_by_role("button", name="Cancel the voucher and get 200 points back").tap()
    expect(status).to_have_text("Voucher cancelled: 200 points are back on your card.")
    expect(page.get_by_text("You have no vouchers waiting.")).to_be_visible()
    visit.check("vouchers")

    tabs.get_by_role("link", name="Offers").tap()
    expect(heading).to_have_text("Coupons and passes")
    expect(page.get_by_role("heading", name="10 swims")).to_be_visible()
    visit.check("offers")

    tabs.get_by_role("link", name="History").tap()
    expect(heading).to_have_text("History")
    expect(page.get_by_text("Reward refund: Espresso").first).to_be_visible()
    visit.check("history")
    older = page.get_by_role("link", name="Older")
    assert older.count() == 1, "the demo card has more than a page of history"
    older.tap()
    expect(page.get_by_role("link", name="Newer")).to_be_visible()
    visit.check("history, older")

    tabs.get_by_role("link", name="Card").tap()
    expect(heading).to_have_text("Your card")
    expect(page.get_by_role("img", name="Barcode of card 7000100001")).to_be_visible()
    visit.check("card")

    page.get_by_role("banner").get_by_role("link", name="Profile").tap()
    expect(heading).to_have_text("My profile")
    visit.check("profile")
    page.get_by_label("Phone (optional)").fill("+39 333 123 4567")
    page.get_by_role("button", name="Save my details").tap()
    expect(status).to_have_text("Your details are saved.")
    expect(page.get_by_label("Phone (optional)")).to_have_value("+39 333 123 4567")
    visit.check("profile")

    tabs.get_by_role("link", name="Home").tap()
    page.get_by_role("button", name="Log out").tap()
    expect(status).to_have_text("You have logged out.")
    expect(heading).to_have_text("Your loyalty card")
    visit.check("login")
    visit.assert_clean()


def test_a_newcomer_finds_the_way_in(
    live: tuple[str, Any], phone: Any, weights: Weights, inbox: Inbox
) -> None:
    base, core_app = live
    page, expect = phone
    visit = Visit(page, base, weights)
    heading = page.get_by_role("heading", level=1)
    back = page.get_by_role("link", name="Back to log in")

    page.goto(f"{base}/p/demo/login")
    visit.check("login")
    page.get_by_role("link", name="Forgot your password?").tap()
    expect(heading).to_have_text("Forgot your password?")
    visit.check("reset")
    page.get_by_label("Your e-mail address").fill("anna@example.com")
    page.get_by_role("button", name="Send me the link").tap()
    expect(heading).to_have_text("Check your e-mail")
    visit.check("reset sent")

    back.tap()
    page.get_by_role("link", name="First time here? Get your password").tap()
    expect(heading).to_have_text("Get your password")
    visit.check("activate")
    page.get_by_role("link", name="I have a password: log in").tap()

    page.get_by_role("link", name="New customer? Get a card").tap()
    expect(heading).to_have_text("Get a card")
    visit.check("join")
    page.get_by_role("button", name="Get my card").tap()  # nothing filled in: every mistake shown
    expect(page.get_by_text("Enter your first name.")).to_be_visible()
    expect(page.get_by_label("First name")).to_have_attribute("aria-invalid", "true")
    visit.check("join, with mistakes")
    page.get_by_label("First name").fill("Giulia")
    page.get_by_label("Last name").fill("Verdi")
    page.get_by_label("E-mail").fill("giulia@example.com")
    page.get_by_label("Gender (optional)").select_option("female")
    page.get_by_label("New password", exact=True).fill("giulia-secret-1")
    page.get_by_label("New password again").fill("giulia-secret-1")
    page.get_by_label("I accept the rules of the loyalty program").check()
    page.get_by_label("I have read how my details are used").check()
    page.get_by_role("button", name="Get my card").tap()
    expect(heading).to_have_text("Check your e-mail")
    expect(page.get_by_role("main")).to_contain_text("giulia@example.com")
    visit.check("join sent")
    deliver_mail(core_app)
    assert any("giulia@example.com" in message["To"] for message in inbox.messages)

    page.goto(f"{base}/p/demo/no-such-page")
    expect(heading).to_have_text("Page not found")
    visit.check("not found")
    page.goto(f"{base}/nowhere")
    expect(heading).to_have_text("Page not found")
    visit.check("not found, no shop")
    visit.assert_clean()


def test_an_italian_phone_gets_the_portal_in_italian(
    live: tuple[str, Any], new_phone: Callable[..., Any], weights: Weights
) -> None:
    base, _ = live
    # The same catalogue as the site's: names still untranslated stay English in both.
    catalogue = Translations.load(str(ROOT / "translations"), ["it"])
    it: Callable[[str], str] = catalogue.gettext
    page = new_phone("it-IT")
    from playwright.sync_api import expect

    visit = Visit(page, base, weights)
    heading = page.get_by_role("heading", level=1)
    tabs = page.get_by_role("navigation", name=it("My card"))

    page.goto(f"{base}/p/demo/")
    assert page.locator("html").get_attribute("lang") == "it"
    visit.check("login")
    page.get_by_label(it("Card number")).fill("7000100001")
    page.get_by_label(it("Password")).fill("demo-password")
    page.get_by_role("button", name=it("Log in")).tap()
    expect(heading).to_have_text(it("Hello, %(name)s") % {"name": "Anna"})
    visit.check("dashboard")

    tabs.get_by_role("link", name=it("Rewards")).tap()
    expect(heading).to_have_text(it("Rewards"))
    visit.check("rewards")
    page.get_by_role("button", name=starting(it("Take it"))).first.tap()
    expect(heading).to_have_text("Espresso")
    expect(page.get_by_role("img", name=starting(it("QR code of voucher %(code)s")))).to_be_visible()
    visit.check("voucher")
    page.get_by_role(
        "button",
        name=starting(
            catalogue.ngettext(
                "Cancel the voucher and get %(points)s point back",
                "Cancel the voucher and get %(points)s points back",
                200,
            )
        ),
    ).tap()
    expect(heading).to_have_text(it("My vouchers"))
    visit.check("vouchers")

    tabs.get_by_role("link", name=it("History")).tap()
    expect(heading).to_have_text(it("History"))
    visit.check("history")
    page.get_by_role("banner").get_by_role("link", name=it("Profile")).tap()
    expect(heading).to_have_text(it("My profile"))
    visit.check("profile")

    tabs.get_by_role("link", name=it("Home")).tap()
    page.get_by_role("button", name=it("Log out")).tap()
    expect(page.get_by_role("status")).to_have_text(it("You have logged out."))
    visit.check("login")
    visit.assert_clean()

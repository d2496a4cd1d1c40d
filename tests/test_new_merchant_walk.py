# ruff: noqa: RUF001  (the calculation as the till shows it, with the multiplication sign)
"""A brand-new merchant, Bottega, run from phones in Debian's Chromium: its admin sets the program
up through the staff UI only, a till user it invited sells a pass and records a purchase in a
double-points week, and a customer sees it all on the portal in Italian. Every page visited passes
axe-core with no serious or critical violation and is no wider than the phone."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from babel.dates import format_date
from babel.support import Translations
from PIL import Image
from playwright.sync_api import expect

from admin_core.context import EXTENSION, Core
from admin_core.models import StaffLevel
from admin_core.services import utcnow
from admin_core.services.cards import enroll_customer
from admin_core.services.merchants import create_merchant, find_store, get_merchant
from admin_core.services.portal_auth import set_password
from admin_core.services.portal_settings import PortalSettings, update_portal_settings
from admin_core.services.staff import NewStaff, StaffScope, create_staff

from .conftest import deliver_mail
from .smtp import Inbox
from .test_staff_browser import blocking_issues

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ADMIN, ADMIN_PASSWORD = "bea@bottega.example", "bottega-admin-pass-1"
TILL, TILL_PASSWORD = "luca@bottega.example", "luca-own-password-1"
CARD, CARD_PASSWORD = "8800000001", "giulia-secret-1"


class Walk:
    """One phone's pages: each checked with axe and for its width as it is shown."""

    def __init__(self, page: Any, base: str) -> None:
        self.page, self.base = page, base
        self.heading = page.get_by_role("heading", level=1)
        self.status = page.get_by_role("status")
        self.menu = page.get_by_role("navigation", name="Staff menu")
        self.issues: list[str] = []

    def check(self, name: str) -> None:
        self.page.wait_for_load_state("load")
        self.issues += blocking_issues(self.page, name)
        if not self.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
            self.issues.append(f"{name}: wider than the phone")


def open_bottega(core: Core) -> None:
    """The merchant and its first admin, as the operator creates them (no demo data of theirs)."""
    merchant = create_merchant(core.db, "bottega", "Bottega", portal_enabled=True, default_locale="it")
    update_portal_settings(core.db, merchant.id, PortalSettings(offered_locales=["it", "en"]))
    scope = StaffScope(merchant_id=merchant.id, staff_id=None, level=StaffLevel.ADMIN, store_id=None)
    create_staff(
        core.db,
        core.passwords,
        scope,
        NewStaff("Bea", "Conti", ADMIN, ADMIN_PASSWORD, StaffLevel.ADMIN, None),
    )


def italian(it: Callable[[str], str], message: str) -> str:
    """The catalogue's Italian for `message`, which must have one."""
    translated = it(message)
    assert translated != message, f"no Italian for {message!r}"
    return translated


def small_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 120, 40)).save(out, format="PNG")
    return out.getvalue()


def staff_logs_in(page: Any, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/core/login?merchant=bottega")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").tap()
    page.get_by_role("heading", level=1, name="Till").wait_for()


def test_a_new_merchant_runs_its_program_from_phones(
    live: tuple[str, Any], new_phone: Callable[..., Any], inbox: Inbox
) -> None:
    base, core_app = live
    core: Core = core_app.extensions[EXTENSION]
    open_bottega(core)
    today = utcnow().date()
    admin = Walk(new_phone(), base)
    staff_logs_in(admin.page, base, ADMIN, ADMIN_PASSWORD)
    admin_finds_every_page_empty(admin)
    admin_sets_up_the_program(admin, today)
    admin_invites_the_till_user(admin)
    enroll_the_customer(core)
    till = Walk(new_phone(), base)
    till_user_joins_and_works(till, invitation(core_app, inbox))
    admin_reads_the_customer_card(admin)
    customer = Walk(new_phone("it-IT"), base)
    customer_reads_it_all_in_italian(customer, today)
    assert admin.issues + till.issues + customer.issues == []


def admin_finds_every_page_empty(walk: Walk) -> None:
    """Every page of the menu, before there is anything: none errors, each fits the phone."""
    page, heading, menu = walk.page, walk.heading, walk.menu
    walk.check("admin's till")
    expect(page.get_by_text("No stores yet.")).to_be_visible()
    links = menu.get_by_role("link")
    names = [links.nth(index).inner_text() for index in range(links.count())]
    assert len(names) > 15, names
    for name in names:
        menu.get_by_role("link", name=name, exact=True).tap()
        page.wait_for_load_state("load")
        expect(heading).not_to_have_text(re.compile("not found|went wrong|error", re.IGNORECASE))
        walk.check(f"empty {name}")


def admin_sets_up_the_program(walk: Walk, today: date) -> None:
    """A store, a tier, a double-points campaign, a reward with a picture, a pass, a hotspot."""
    page, heading, status, menu, base = walk.page, walk.heading, walk.status, walk.menu, walk.base
    menu.get_by_role("link", name="Stores").tap()
    expect(heading).to_have_text("Stores")
    walk.check("stores")
    page.get_by_role("link", name="New store").tap()
    page.get_by_label("Code (letters, digits, - or _; it never changes)").fill("CENTRO")
    page.get_by_label("Name").fill("Bottega Centro")
    walk.check("new store")
    page.get_by_role("button", name="Create").tap()
    expect(page.get_by_role("link", name="Bottega Centro")).to_be_visible()
    walk.check("stores, one")

    menu.get_by_role("link", name="Tiers").tap()
    expect(heading).to_have_text("Tiers")
    walk.check("tiers")
    page.get_by_role("link", name="New tier").tap()
    page.get_by_label("Name").fill("Amici")
    page.get_by_label("Points earned in the tier period to reach it").fill("0")
    page.get_by_label("Benefits (optional)").fill("Un caffè in omaggio al mese")
    walk.check("new tier")
    page.get_by_role("button", name="Create").tap()
    expect(status).to_have_text("Saved: Amici.")
    walk.check("tiers, one")

    menu.get_by_role("link", name="Campaigns").tap()
    expect(heading).to_have_text("Campaigns")
    walk.check("campaigns")
    page.get_by_role("link", name="New campaign").tap()
    page.get_by_label("Name").fill("Punti doppi")
    page.get_by_label("First day").fill((today - timedelta(days=1)).isoformat())
    page.get_by_label("Last day (included)").fill((today + timedelta(days=7)).isoformat())
    page.get_by_label("Purchase points multiplier (1 to 10, like 2; empty: points as usual)").fill("2")
    page.get_by_label("At (none chosen: every store)").select_option("CENTRO")
    walk.check("new campaign")
    page.get_by_role("button", name="Create").tap()
    expect(page.get_by_role("link", name="Punti doppi")).to_be_visible()
    walk.check("campaigns, one")

    menu.get_by_role("link", name="Rewards").tap()
    expect(heading).to_have_text("Rewards")
    walk.check("rewards")
    page.get_by_role("link", name="New reward").tap()
    page.get_by_label("Name").fill("Cornetto")
    page.get_by_label("Points it costs").fill("20")
    walk.check("new reward")
    page.get_by_role("button", name="Create").tap()
    expect(heading).to_have_text("Cornetto")
    page.get_by_label("PNG, JPEG or SVG, up to 256 KB").set_input_files(
        {"name": "cornetto.png", "mimeType": "image/png", "buffer": small_png()}
    )
    page.get_by_role("button", name="Upload").tap()
    expect(page.get_by_role("img", name="The picture of Cornetto")).to_be_visible()
    walk.check("reward with its picture")

    menu.get_by_role("link", name="Passes").tap()
    expect(heading).to_have_text("Passes")
    walk.check("passes")
    page.get_by_label("Name").fill("10 ingressi")
    page.get_by_label("Entries (empty: unlimited within the validity)").fill("10")
    page.get_by_label("Valid for (days from the sale)").fill("90")
    page.get_by_label("Price").fill("50.00")
    page.get_by_role("button", name="Put on sale").tap()
    expect(page.get_by_role("link", name="10 ingressi")).to_be_visible()
    walk.check("passes, one")

    menu.get_by_role("link", name="Hotspots").tap()
    expect(heading).to_have_text("Hotspots")
    walk.check("hotspots")
    page.get_by_role("link", name="New hotspot").tap()
    page.get_by_role("link", name="Cisco Meraki").tap()
    expect(heading).to_contain_text("New hotspot")
    page.get_by_label("Splash mode").select_option("click-through")
    walk.check("new hotspot")
    page.get_by_role("button", name="Create").tap()
    expect(page.get_by_label("Paste it into the controller", exact=False)).to_have_value(
        re.compile(rf"^{re.escape(base)}/")
    )
    walk.check("hotspot")


def admin_invites_the_till_user(walk: Walk) -> None:
    page, heading, status, menu = walk.page, walk.heading, walk.status, walk.menu
    menu.get_by_role("link", name="Staff").tap()
    expect(heading).to_have_text("Staff")
    page.get_by_label("First name").fill("Luca")
    page.get_by_label("Last name").fill("Bassi")
    page.get_by_label("E-mail (their login)").fill(TILL)
    page.get_by_label("Store").select_option("CENTRO")
    walk.check("staff")
    page.get_by_role("button", name="Send the invitation").tap()
    expect(status).to_contain_text("Luca Bassi is invited")
    walk.check("staff, one invited")


def enroll_the_customer(core: Core) -> None:
    """Giulia's card at the store, by the service: the staff UI has no page for a new customer."""
    with core.db.read() as session:
        merchant_id = get_merchant(session, "bottega").id
        store = find_store(session, merchant_id, "CENTRO")
        assert store is not None
        store_id = store.id
    enroll_customer(core.db, merchant_id, CARD, first_name="Giulia", last_name="Verdi", store_id=store_id)
    set_password(core.db, core.passwords, merchant_id, CARD, CARD_PASSWORD)


def invitation(core_app: Any, inbox: Inbox) -> str:
    """The link in the e-mail the till user was sent."""
    deliver_mail(core_app)
    [message] = [each for each in inbox.messages if TILL in each["To"]]
    link = re.search(r"http://\S+/core/join/\S+", inbox.text(message))
    assert link, inbox.text(message)
    return link.group(0)


def till_user_joins_and_works(walk: Walk, link: str) -> None:
    """On their own phone: a password of their own, then a pass sold, an entry, a purchase."""
    till, heading, status = walk.page, walk.heading, walk.status
    till.goto(link)
    expect(heading).to_have_text("Join the staff of Bottega")
    walk.check("join")
    till.get_by_label("New password").fill(TILL_PASSWORD)
    till.get_by_role("button", name="Save the password and log in").tap()
    expect(heading).to_have_text("Till")
    walk.check("till")
    till.get_by_label("Card number or scan").fill(CARD)
    till.keyboard.press("Enter")
    expect(heading).to_have_text(f"Card {CARD}")
    walk.check("card")

    till.get_by_role("link", name="Passes: sell one, record an entry").tap()
    expect(heading).to_have_text(f"Passes of card {CARD}")
    walk.check("card's passes")
    expect(till.get_by_label("Pass").locator("option")).to_have_text(["10 ingressi · €50.00"])
    till.get_by_role("button", name="Sell").tap()
    expect(till.get_by_text("10 of 10 entries left")).to_be_visible()
    walk.check("card's passes, one sold")
    # The pass's name is in the button's name for screen readers, after a visually hidden colon.
    till.get_by_role("button", name=re.compile(r"^Record an entry\s*: 10 ingressi$")).tap()
    expect(till.get_by_text("9 of 10 entries left")).to_be_visible()
    walk.check("card's passes, one entry")

    till.get_by_role("link", name="Back to the card").tap()
    till.get_by_label("Points, or amount of money").fill("12.50")
    till.get_by_role("button", name="Record").tap()
    expect(status).to_have_text("Purchase recorded: €12.50 × 1 pt/EUR × 2 (Punti doppi) = 25 points.")
    expect(till.locator(".balances dd").first).to_have_text("25")
    walk.check("card, after the purchase")


def admin_reads_the_customer_card(walk: Walk) -> None:
    """The till's work, with amounts and who recorded it."""
    page, heading, menu = walk.page, walk.heading, walk.menu
    menu.get_by_role("link", name="Customers", exact=True).tap()
    page.get_by_label("Name, e-mail, phone or card number").fill("verdi")
    page.keyboard.press("Enter")
    found = page.get_by_role("link", name=re.compile(r"^Giulia Verdi\s*· customer card$"))
    expect(found).to_be_visible()
    walk.check("customers, found")
    found.tap()
    expect(heading).to_have_text(f"Customer card {CARD}")
    expect(page.locator(".balances")).to_contain_text("Amici")
    purchase_row = page.get_by_role("row").filter(has_text="Purchase of €12.50")
    expect(purchase_row).to_contain_text("Luca Bassi")
    expect(purchase_row).to_contain_text("Bottega Centro")
    expect(page.get_by_text("9/10")).to_be_visible()
    walk.check("customer card")


def customer_reads_it_all_in_italian(walk: Walk, today: date) -> None:
    """Points, tier, the reward with its picture, the pass, the history: in the catalogue's Italian."""
    phone, heading, base = walk.page, walk.heading, walk.base
    catalogue = Translations.load(str(ROOT / "translations"), ["it"])
    it: Callable[[str], str] = catalogue.gettext
    tabs = phone.get_by_role("navigation", name=it("My card"))
    phone.goto(f"{base}/p/bottega/login")
    assert phone.locator("html").get_attribute("lang") == "it"
    walk.check("portal login")
    phone.get_by_label(it("Card number")).fill(CARD)
    phone.get_by_label(it("Password")).fill(CARD_PASSWORD)
    phone.get_by_role("button", name=it("Log in")).tap()
    expect(heading).to_have_text(it("Hello, %(name)s") % {"name": "Giulia"})
    main = phone.get_by_role("main")
    expect(main.locator("dt", has_text=italian(it, "Points")).locator("+ dd")).to_have_text("25")
    expect(main).to_contain_text(italian(it, "Your level"))
    expect(main).to_contain_text("Amici")
    walk.check("portal dashboard")

    tabs.get_by_role("link", name=it("Rewards")).tap()
    expect(heading).to_have_text(it("Rewards"))
    expect(main).to_contain_text("Cornetto")
    last_day = format_date(today + timedelta(days=7), "medium", locale="it")
    notice = it("%(name)s: take your rewards until %(date)s.") % {"name": "Punti doppi", "date": last_day}
    expect(main.locator(".notice")).to_have_text(notice)
    picture = phone.locator("img[src*='/rewards/']")
    expect(picture).to_be_visible()
    assert phone.evaluate("(image) => image.naturalWidth", picture.element_handle()) == 64
    walk.check("portal rewards")

    tabs.get_by_role("link", name=it("Offers")).tap()
    expect(phone.get_by_role("heading", name="10 ingressi")).to_be_visible()
    left = catalogue.ngettext("%(left)s of %(num)s entry left", "%(left)s of %(num)s entries left", 10)
    expect(main).to_contain_text(left % {"left": 9, "num": 10})
    expect(main).to_contain_text("9 su 10 ingressi disponibili")  # the catalogue's Italian, as read
    walk.check("portal offers")

    tabs.get_by_role("link", name=it("History")).tap()
    expect(heading).to_have_text(italian(it, "History"))
    entries = phone.locator(".history .entry")
    expect(entries).to_have_count(3)  # newest first: the purchase, the entry, the sale
    purchase = italian(it, "Purchase of %(amount)s") % {"amount": "12,50\xa0€"}
    expect(entries.nth(0).locator(".what")).to_have_text(purchase)
    expect(entries.nth(0).locator(".amounts")).to_have_text(
        catalogue.ngettext("%(num)s point", "%(num)s points", 25) % {"num": "+25"}
    )
    for index, message in [(1, "Pass entry: %(name)s"), (2, "Pass bought: %(name)s")]:
        line = italian(it, message) % {"name": "10 ingressi"}
        expect(entries.nth(index).locator(".what")).to_have_text(line)
    walk.check("portal history")

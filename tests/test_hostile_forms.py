"""Every form of the site and of the staff UI, filled with what a hostile or broken client sends:
very long text, NUL, bytes that are not UTF-8, emoji, markup, control characters, a field sent
twice. Each field in turn gets each value, the others keep sensible ones, and the form goes with a
valid CSRF token, so that the value gets past the token into the form and the services behind it.
No answer may be a server error or show a traceback.

The forms are found on the pages, not listed here: a form added to a page is filled too. The
table names the pages, who looks at them, and the values that make the rest of a form valid."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import admin_core
import composition
from admin_core.context import EXTENSION
from admin_core.database import Database
from admin_core.models import Card, StaffLevel, TokenPurpose
from admin_core.services import utcnow
from admin_core.services.links import issue_link
from admin_core.services.merchants import get_merchant
from admin_core.services.staff import NewStaff, StaffScope, add_account
from admin_core.services.staff_invitations import invitation_kind
from admin_core.services.staff_reset import account_to_reset, reset_token

from .conftest import make_config
from .smtp import Inbox
from .test_captive import arrival, cafe  # noqa: F401  (the fixture)

# Once, on PostgreSQL: the stricter of the two (lengths, integer ranges); a control character
# never reaches either database (inputs.py refuses it at the edge).

Value = str | bytes
FormKey = tuple[str, str, int]  # method, action, which of the page's forms with both
HOSTILE: dict[str, Value] = {
    "long": "x" * 10_000,
    "NUL": "a\x00b",
    "invalid UTF-8": b"\xff\xfe\xc3(",
    "emoji": "😀👍🏽",
    "markup": '<script>alert(1)</script>"><b>',
    "control characters": "a\x07\x1b[2Jb",
}
DUPLICATED = "duplicated"
# The token stays valid: the values must reach the form. Two-factor stays optional: a send that
# saved it as required would send the admin to set it up instead of to the next form.
NOT_FILLED = {"csrf_token", "staff_2fa_required"}
STAFF_PASSWORD = "demo-staff-password"


@dataclass
class Form:
    method: str
    action: str
    multipart: bool
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (name, type, value)


class FormParser(HTMLParser):
    """The forms of a page with the values a browser would send for them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._select: str | None = None
        self._selected: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(
                Form(
                    attr.get("method", "get").lower(),
                    attr.get("action", ""),
                    "multipart" in attr.get("enctype", ""),
                )
            )
        elif tag == "option" and self._select is not None:
            if self._selected is None or "selected" in attr:
                self._selected = attr.get("value", "")
        elif not self.forms or "name" not in attr:
            return
        elif tag in ("input", "button"):
            kind = attr.get("type", "text" if tag == "input" else "submit").lower()
            if kind not in ("checkbox", "radio") or "checked" in attr:
                self.forms[-1].fields.append((attr["name"], kind, attr.get("value", "")))
            elif kind in ("checkbox", "radio"):
                self.forms[-1].fields.append((attr["name"], kind, ""))
        elif tag == "select":
            self._select, self._selected = attr["name"], None
        elif tag == "textarea":
            self._textarea, self._text = attr["name"], ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            self.forms[-1].fields.append((self._select, "select", self._selected or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the newline that follows <textarea>.
            text = self._text[2:] if self._text.startswith("\r\n") else self._text.removeprefix("\n")
            self.forms[-1].fields.append((self._textarea, "textarea", text))
            self._textarea = None


def forms_on(page: str) -> dict[FormKey, Form]:
    parser = FormParser()
    parser.feed(page)
    forms: dict[FormKey, Form] = {}
    for form in parser.forms:
        if not form.action.endswith("/logout"):
            seen = sum(1 for method, action, _ in forms if (method, action) == (form.method, form.action))
            forms[(form.method, form.action, seen)] = form
    return forms


def multipart(pairs: list[tuple[str, Value]], files: set[str]) -> tuple[bytes, str]:
    boundary = b"hostile-form-boundary"
    body = b""
    for name, value in pairs:
        disposition = f'form-data; name="{name}"' + ('; filename="hostile.csv"' if name in files else "")
        content = value.encode() if isinstance(value, str) else value
        body += b"--%s\r\nContent-Disposition: %s\r\n\r\n%s\r\n" % (boundary, disposition.encode(), content)
    return body + b"--%s--\r\n" % boundary, f"multipart/form-data; boundary={boundary.decode()}"


def filled(
    form: Form, valid: dict[str, str], target: str = "", hostile: Value | None = ""
) -> list[tuple[str, Value]]:
    """The form as a browser sends it, `target` holding the hostile value (None: sent twice)."""
    pairs: list[tuple[str, Value]] = []
    for name, kind, value in form.fields:
        sensible = valid.get(name, value)
        if name == target:
            pairs += [(name, sensible or "y"), (name, "duplicate")] if hostile is None else [(name, hostile)]
        elif sensible or kind not in ("checkbox", "radio"):
            pairs.append((name, sensible))
    return pairs


def send(client: FlaskClient, page_url: str, form: Form, pairs: list[tuple[str, Value]]) -> Any:
    url = urljoin(page_url, form.action or page_url)
    path = urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else "")
    if form.method == "get":
        return client.get(f"{urlsplit(url).path}?{urlencode(pairs)}")
    if form.multipart:
        files = {name for name, kind, _ in form.fields if kind == "file"}
        body, content_type = multipart(pairs, files)
        return client.post(path, data=body, content_type=content_type)
    return client.post(path, data=urlencode(pairs), content_type="application/x-www-form-urlencoded")


@dataclass(frozen=True)
class Page:
    app: str  # "site" or "staff"
    who: str | None  # a card number or a staff e-mail address, logged in first; None: nobody
    url: str
    valid: dict[str, str] = field(default_factory=dict)  # what makes the rest of its forms valid


ANNA, MARCO = "7000100001", "7000100002"
ADMIN = "admin@demo.example"
NEW_PASSWORD = {"password": "a-new-password-1", "confirm": "a-new-password-1"}
PAGES = [
    Page("site", None, "/p/demo/login", {"card": ANNA, "password": "demo-password"}),
    Page("site", None, "/p/demo/activate", {"card": MARCO, "email": "marco@example.com", **NEW_PASSWORD}),
    Page("site", None, "/p/demo/reset", {"email": "anna@example.com"}),
    Page("site", None, "reset-link", NEW_PASSWORD),
    Page(
        "site",
        None,
        "/p/demo/join",
        {
            "first_name": "Lena",
            "last_name": "Rossi",
            "email": "lena@example.com",
            "terms": "y",
            "privacy": "y",
        },
    ),
    Page(
        "site",
        ANNA,
        "/p/demo/profile",
        {
            "password-current": "demo-password",
            "email-password": "demo-password",
            "email-email": "a@example.com",
        },
    ),
    Page("site", ANNA, "/p/demo/rewards"),
    Page(
        "site",
        None,
        "wifi",
        {"first_name": "Lena", "email": "lena@example.com", "terms": "y", "privacy": "y"},
    ),
    Page("staff", None, "/login", {"email": ADMIN, "password": STAFF_PASSWORD}),
    Page("staff", None, "/login/forgot", {"email": ADMIN}),
    Page("staff", None, "staff-reset-link", {"new": "another-staff-password-1"}),
    Page("staff", None, "staff-join-link", {"new": "a-newcomer-s-password-1"}),
    Page("staff", ADMIN, "/two-factor"),
    Page("staff", ADMIN, "/", {"number": ANNA}),
    Page("staff", ADMIN, "/customers/new", {"first_name": "Walk", "email": "walk-in@example.com"}),
    Page("staff", ADMIN, f"/cards/{ANNA}", {"amount": "12.50"}),
    # The replacement's sensible number is refused, so that the card keeps its number for each send.
    Page("staff", ADMIN, f"/customers/{MARCO}", {"points": "5", "reason": "Hostile", "new_number": "x"}),
    Page(
        "staff",
        ADMIN,
        "/coupons",
        {"title": "Coffee", "valid_from": "2026-01-01", "valid_until": "2026-12-31"},
    ),
    Page("staff", ADMIN, "/team", {"first_name": "Tina", "last_name": "Till", "email": "tina@demo.example"}),
    Page("staff", ADMIN, "team-member"),
    Page("staff", ADMIN, "/settings", {"staff_2fa_required": ""}),
    Page("staff", ADMIN, "/imports"),
    Page("staff", ADMIN, "/rewards/new", {"name": "Cappuccino", "points": "150", "voucher_valid_days": "30"}),
    Page(
        "staff",
        ADMIN,
        "/stamp-cards/new",
        {"name": "coffee", "stamps_needed": "10", "voucher_valid_days": "30"},
    ),
    Page("staff", ADMIN, "/account", {"current": STAFF_PASSWORD}),
]


@pytest.fixture
def apps(db: Database, inbox: Inbox, demo: dict[str, Any]) -> tuple[Flask, Flask]:
    """The staff UI and the site, unthrottled: hundreds of sends from one address are the point."""
    config = make_config(inbox, RATELIMIT_ENABLED=False)
    core_app = admin_core.create_app(config, database=db)
    return core_app, composition.create_app(config, core_app=core_app)


def logged_in(app: Flask, who: str | None, login_url: str, password: str, key: str) -> FlaskClient:
    client = app.test_client()
    if who is not None:
        forms = [form for form in forms_on(client.get(login_url).text).values() if form.method == "post"]
        answer = send(client, login_url, forms[0], filled(forms[0], {key: who, "password": password}))
        assert answer.status_code in (302, 303), answer.text
    return client


def cases(forms: dict[FormKey, Form]) -> Iterator[tuple[FormKey, str, str, Value | None]]:
    """(form, field, label, value): each field of each form with each hostile value in turn."""
    for key, form in forms.items():
        for name in dict.fromkeys(name for name, _, _ in form.fields if name not in NOT_FILLED):
            for label, value in [*HOSTILE.items(), (DUPLICATED, None)]:
                yield key, name, label, value


def portal_reset_token(db: Database) -> str:
    with db.write() as session:
        card = session.scalars(select(Card).where(Card.number == ANNA)).one()
        return issue_link(session, card, TokenPurpose.RESET, utcnow() + timedelta(hours=1), utcnow())


def staff_reset_token(db: Database, secret_key: str) -> str:
    staff = account_to_reset(db, "demo", ADMIN)
    assert staff is not None
    return reset_token(secret_key, staff)


def staff_join_token(db: Database, secret_key: str, lifetime: timedelta) -> str:
    """A newly invited account's link (a send that works makes the account join)."""
    with db.write() as session:
        demo = StaffScope.merchant(get_merchant(session, "demo").id)
        email = f"newcomer-{secrets.token_hex(4)}@demo.example"
        staff = add_account(session, demo, NewStaff("Nia", "New", email, None, StaffLevel.USER, "MAIN"), None)
        return reset_token(secret_key, staff, invitation_kind(lifetime))


def address(page: Page, client: FlaskClient, core_app: Flask, hotspot: str) -> Callable[[], str]:
    """The page's address; the splash gets a fresh redirect of its controller each time, the
    pages of e-mailed links a link that works."""
    db = core_app.extensions[EXTENSION].db
    if page.url == "wifi":
        return lambda: f"/wifi/{hotspot}?{arrival()[0]}"
    if page.url == "reset-link":  # a new link each time: a send that works uses one up
        return lambda: f"/p/demo/reset/{portal_reset_token(db)}"
    if page.url == "staff-reset-link":
        return lambda: f"/login/reset/{staff_reset_token(db, core_app.config['SECRET_KEY'])}"
    if page.url == "staff-join-link":
        lifetime = core_app.extensions[EXTENSION].settings.staff_invitation_max_age
        return lambda: f"/join/{staff_join_token(db, core_app.config['SECRET_KEY'], lifetime)}"
    if page.url == "team-member":
        found = re.search(r'href="(/team/\d+)"', client.get("/team").text)
        assert found
        return lambda: found.group(1)
    return lambda: page.url


@pytest.mark.parametrize("page", PAGES, ids=lambda page: f"{page.app}:{page.url}")
def test_hostile_input_in_any_field_of_a_form_is_answered_without_a_server_error(
    apps: tuple[Flask, Flask],
    cafe: str,  # noqa: F811  (the fixture imported above)
    page: Page,
) -> None:
    core_app, site = apps

    def visitor() -> FlaskClient:
        if page.app == "staff":
            return logged_in(core_app, page.who, "/login?merchant=demo", STAFF_PASSWORD, "email")
        return logged_in(site, page.who, "/p/demo/login", "demo-password", "card")

    client = visitor()
    url = address(page, client, core_app, cafe)
    forms = forms_on(client.get(url()).text)
    assert forms, f"no form on {page.url}"
    failures, sent = [], 0
    for key, name, label, value in cases(forms):
        # The page again for each send: a fresh token and state, and the values on file now; a
        # visitor whom a send logged in starts again as nobody.
        if page.who is None:
            client = visitor()
        current = url()
        shown = client.get(current)
        assert shown.status_code == 200, f"{current} answers {shown.status_code} after {sent} sends"
        form = forms_on(shown.text).get(key)
        if form is None:  # a send used it up (a reward taken with the points left)
            continue
        try:
            answer = send(client, current, form, filled(form, page.valid, name, value))
            if answer.status_code >= 500 or "Traceback" in answer.text:
                failures.append(f"{form.action or current} {name}={label}: {answer.status_code}")
        except Exception as error:  # the test apps let a server error through as it is raised
            failures.append(f"{form.action or current} {name}={label}: {type(error).__name__}: {error}")
        sent += 1
    assert sent, f"nothing sent on {page.url}"
    assert not failures, "\n".join(failures)

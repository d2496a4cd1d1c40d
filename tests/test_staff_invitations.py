"""Staff invited by e-mail: the admin names the person and never chooses or sees a password; the
invited person follows the mailed link, chooses one and is in. The link works once, for its
lifetime, only while it is the latest one sent, and not for a switched-off account. The admin also
sends an active member a reset link."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select, update

import admin_core
from admin_core.context import EXTENSION, Core
from admin_core.database import Database
from admin_core.demo import load_demo
from admin_core.models import Merchant, OutboundMail, Staff
from admin_core.services import staff_invitations, staff_reset, utcnow
from loyalty_common.rules import MIN_PASSWORD

from .conftest import SECRET, deliver_mail, make_config
from .smtp import Inbox
from .test_staff import ADMIN, MANAGER, PASSWORD, log_in, post

PIA = {
    "first_name": "Pia",
    "last_name": "Sala",
    "email": "pia@demo.example",
    "level": "USER",
    "store": "MAIN",
}
CHOSEN = "pia-own-password-1"


@pytest.fixture
def admin(core_app: Flask, demo: dict[str, Any]) -> FlaskClient:
    client = core_app.test_client()
    assert log_in(client, ADMIN).status_code == 302
    return client


def invite(admin: FlaskClient, person: dict[str, str] = PIA) -> Any:
    return post(admin, "/team", person, admin.get("/team").text)


def join_link(text: str, host: str = "http://localhost") -> str:
    found = re.search(re.escape(host) + r"(/join/\S+)", text)
    assert found, text
    return found.group(1)


def mailed(core_app: Flask, inbox: Inbox) -> list[Any]:
    deliver_mail(core_app)
    messages = list(inbox.messages)
    inbox.clear()
    return messages


def member_id(core: Core, email: str = "pia@demo.example") -> int:
    with core.db.read() as session:
        found = session.scalar(select(Staff.id).where(Staff.email == email))
        assert found is not None
        return found


def test_an_invited_person_chooses_their_password_through_the_mailed_link_and_is_in(
    admin: FlaskClient, core_app: Flask, core: Core, inbox: Inbox
) -> None:
    page = admin.get("/team").text
    assert 'name="password"' not in page and "Send the invitation" in page
    made = invite(admin)
    assert made.status_code == 302
    team = admin.get("/team").text
    assert "Pia Sala is invited: a link to choose their password is on its way to pia@demo.example." in team
    assert "Pia Sala (invited, not yet joined)" in team and "Resend the invitation" in team
    with core.db.read() as session:
        pia = session.scalars(select(Staff).where(Staff.email == "pia@demo.example")).one()
        assert pia.password_hash is None and pia.invited

    [message] = mailed(core_app, inbox)
    assert message["To"] == "pia@demo.example"
    assert message["Subject"] == "You are invited to Demo Café & Market's staff"
    text = inbox.text(message)
    assert "Hello Pia," in text and "works once, for 7 days" in text and "ask your admin" in text
    link = join_link(text)

    newcomer = core_app.test_client()
    assert log_in(newcomer, "pia@demo.example", "").status_code == 200  # no password: the form asks one
    assert log_in(newcomer, "pia@demo.example", "anything-at-all").status_code == 401
    opened = newcomer.get(link)
    assert opened.status_code == 200
    assert "Join the staff of Demo Café &amp; Market" in opened.text and "pia@demo.example" in opened.text
    short = post(newcomer, link, {"new": "short"}, opened.text)
    assert short.status_code == 422 and f"At least {MIN_PASSWORD} characters." in short.text
    joined = post(newcomer, link, {"new": CHOSEN}, opened.text)
    assert joined.status_code == 302 and joined.headers["Location"] == "/"
    assert newcomer.get("/").status_code == 200  # in
    assert log_in(core_app.test_client(), "pia@demo.example", CHOSEN).status_code == 302
    assert "(invited, not yet joined)" not in admin.get("/team").text

    used = core_app.test_client().get(link)
    assert used.status_code == 410 and "It was used already" in used.text
    other = core_app.test_client()
    again = post(other, link, {"new": "another-password-1"}, other.get("/login").text)
    assert again.status_code == 410
    assert log_in(core_app.test_client(), "pia@demo.example", "another-password-1").status_code == 401


def test_inviting_an_address_already_on_the_team_is_said_at_the_e_mail_field(
    admin: FlaskClient, core_app: Flask, core: Core, inbox: Inbox
) -> None:
    for email in (MANAGER, " Manager@Demo.Example "):
        refused = invite(admin, PIA | {"email": email})
        assert refused.status_code == 422
        assert (
            '<p class="error" id="email-error">An account with this e-mail address exists already.</p>'
            in (refused.text)
        )
    assert mailed(core_app, inbox) == []
    with core.db.read() as session:
        assert session.scalar(select(Staff).where(Staff.first_name == "Pia")) is None


def test_resending_the_invitation_makes_the_earlier_link_stop_working(
    admin: FlaskClient, core_app: Flask, core: Core, inbox: Inbox
) -> None:
    invite(admin)
    [first] = mailed(core_app, inbox)
    pia = member_id(core)
    resent = post(admin, f"/team/{pia}/resend-invitation", {}, admin.get("/team").text)
    assert resent.status_code == 302
    assert "A new invitation is on its way to pia@demo.example; the earlier link no longer works." in (
        admin.get("/team").text
    )
    [second] = mailed(core_app, inbox)
    old, new = join_link(inbox.text(first)), join_link(inbox.text(second))
    assert old != new
    stale = core_app.test_client().get(old)
    assert stale.status_code == 410 and "a newer invitation was sent since" in stale.text
    newcomer = core_app.test_client()
    assert post(newcomer, new, {"new": CHOSEN}, newcomer.get(new).text).status_code == 302

    # Joined: no more invitations, and the admin is told why.
    refused = post(admin, f"/team/{pia}/resend-invitation", {}, admin.get("/team").text)
    assert refused.status_code == 302
    assert "has joined already: send a reset link instead" in admin.get("/team").text
    assert mailed(core_app, inbox) == []


def test_an_expired_or_tampered_link_is_refused_with_what_to_do(
    admin: FlaskClient, core_app: Flask, core: Core, inbox: Inbox
) -> None:
    invite(admin)
    [message] = mailed(core_app, inbox)
    good = join_link(inbox.text(message)).removeprefix("/join/")
    lifetime = core.settings.staff_invitation_max_age.total_seconds()

    class LongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - lifetime) - 1

    with core.db.read() as session:
        pia = session.scalars(select(Staff).where(Staff.email == "pia@demo.example")).one()
        expired = URLSafeTimedSerializer(SECRET, salt=staff_invitations.SALT, signer=LongAgo).dumps(
            [pia.id, pia.credentials_version]
        )
        reset_kind = staff_reset.reset_token(SECRET, pia)  # a reset link is no invitation
    answer = core_app.test_client().get(f"/join/{expired}")
    assert answer.status_code == 410
    assert "It has expired." in answer.text and "Ask your admin to send the invitation again." in answer.text
    for forged in (good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB"), reset_kind, "x", "%00"):
        refused = core_app.test_client().get(f"/join/{forged}")
        assert refused.status_code in (400, 410) and "Pia" not in refused.text
    refused = core_app.test_client().get(f"/join/{reset_kind}")
    assert "not one we sent" in refused.text
    assert core_app.test_client().get(f"/join/{good}").status_code == 200


def test_a_switched_off_account_s_link_is_refused(
    admin: FlaskClient, core_app: Flask, core: Core, inbox: Inbox
) -> None:
    invite(admin)
    [message] = mailed(core_app, inbox)
    link = join_link(inbox.text(message))
    with core.db.write() as session:
        session.execute(update(Staff).where(Staff.email == "pia@demo.example").values(disabled_at=utcnow()))
    newcomer = core_app.test_client()
    page = newcomer.get(link)
    assert page.status_code == 410 and "switched off" in page.text
    pia = member_id(core)
    post(admin, f"/team/{pia}/resend-invitation", {}, admin.get("/team").text)
    assert "This account is switched off: switch it on first." in admin.get("/team").text
    assert mailed(core_app, inbox) == []


def test_the_invitation_is_in_the_merchant_s_language(
    admin: FlaskClient, core_app: Flask, core: Core, inbox: Inbox
) -> None:
    with core.db.write() as session:
        session.execute(update(Merchant).where(Merchant.slug == "demo").values(default_locale="it"))
    invite(admin)
    [message] = mailed(core_app, inbox)
    assert inbox.text(message).startswith("Ciao Pia,")  # the admin's browser asks for English
    html = message.get_body(preferencelist=("html",))
    assert html is not None and '<html lang="it">' in str(html.get_content())  # type: ignore[attr-defined]


def test_the_admin_sends_an_active_member_a_reset_link(
    admin: FlaskClient, core_app: Flask, core: Core, inbox: Inbox
) -> None:
    manager = member_id(core, MANAGER)
    page = admin.get(f"/team/{manager}").text
    assert "Send a reset link" in page
    sent = post(admin, f"/team/{manager}/send-reset-link", {}, page)
    assert sent.status_code == 302
    assert "A link to choose a new password is on its way to manager@demo.example." in admin.get("/team").text
    [message] = mailed(core_app, inbox)
    assert message["To"] == MANAGER
    assert message["Subject"] == "A new password for your staff account at Demo Café & Market"
    found = re.search(r"http://localhost(/login/reset/\S+)", inbox.text(message))
    assert found
    assert log_in(core_app.test_client(), MANAGER).status_code == 302  # theirs works until they choose
    them = core_app.test_client()
    assert post(them, found.group(1), {"new": "manager-new-password"}).status_code == 302
    assert log_in(core_app.test_client(), MANAGER, "manager-new-password").status_code == 302

    invite(admin)
    mailed(core_app, inbox)
    pia = member_id(core)
    assert "Send a reset link" not in admin.get(f"/team/{pia}").text
    post(admin, f"/team/{pia}/send-reset-link", {}, admin.get("/team").text)
    assert "has not joined yet: send the invitation again instead" in admin.get("/team").text
    assert mailed(core_app, inbox) == []


def test_the_link_is_built_on_the_host_the_core_trusts_and_lasts_as_configured(
    committed_db: Database, inbox: Inbox
) -> None:
    core_app = admin_core.create_app(
        make_config(
            inbox,
            TRUSTED_HOSTS=["till.example"],
            SITE_URL="https://till.example",
            STAFF_INVITATION_MAX_AGE=2 * 24 * 3600,
        ),
        database=committed_db,
    )
    load_demo(core_app.extensions[EXTENSION], SECRET)
    client = core_app.test_client()
    base = "http://till.example"
    assert post_to(client, base, "/login", {"merchant": "demo", "email": ADMIN, "password": PASSWORD})
    assert post_to(client, base, "/team", PIA)
    deliver_mail(core_app)
    [message] = inbox.messages
    assert join_link(inbox.text(message), "https://till.example")
    assert "The link works once, for 2 days." in inbox.text(message)  # FLASK_STAFF_INVITATION_MAX_AGE


def post_to(client: FlaskClient, base: str, url: str, data: dict[str, str]) -> bool:
    page = client.get(url, base_url=base).text
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found, page
    answer = client.post(url, base_url=base, data={"csrf_token": found.group(1), **data})
    return answer.status_code == 302


@pytest.mark.both_backends  # the account's row lock (BEGIN IMMEDIATE on SQLite) decides the winner
def test_two_joins_with_one_link_at_once_set_one_password(committed_db: Database, inbox: Inbox) -> None:
    core_app = admin_core.create_app(make_config(inbox), database=committed_db)
    load_demo(core_app.extensions[EXTENSION], SECRET)
    admin = core_app.test_client()
    log_in(admin, ADMIN)
    assert invite(admin).status_code == 302
    deliver_mail(core_app)
    link = join_link(inbox.text(inbox.messages[-1]))
    parallel = 4
    clients = [core_app.test_client() for _ in range(parallel)]
    pages = [client.get(link).text for client in clients]
    start = Barrier(parallel)

    def join(attempt: int) -> int:
        start.wait(timeout=30)
        return int(
            post(clients[attempt], link, {"new": f"password-number-{attempt}"}, pages[attempt]).status_code
        )

    with ThreadPoolExecutor(parallel) as pool:
        results = list(pool.map(join, range(parallel)))
    assert sorted(results) == [302] + [410] * (parallel - 1)
    winner = results.index(302)
    assert log_in(core_app.test_client(), "pia@demo.example", f"password-number-{winner}").status_code == 302
    with committed_db.read() as session:
        assert session.query(OutboundMail).count() >= 1

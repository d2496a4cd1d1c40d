"""A staff member who forgot their password: a link by e-mail, a new password, and nothing
learnt by anyone who types someone else's address."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import update

import admin_core
from admin_core.context import EXTENSION, Core
from admin_core.database import Database
from admin_core.demo import load_demo
from admin_core.models import Staff
from admin_core.services import staff_reset, utcnow

from .conftest import SECRET, deliver_mail, make_config
from .smtp import Inbox
from .test_staff import ADMIN, MANAGER, USER, log_in, post, token

NEW = "a-brand-new-password"


@pytest.fixture
def staff(core_app: Flask, demo: dict[str, Any]) -> FlaskClient:
    return core_app.test_client()


def ask_for_link(client: FlaskClient, email: str, merchant: str = "demo") -> Any:
    return post(client, "/login/forgot", {"merchant": merchant, "email": email})


def link_in(text: str, host: str = "http://localhost") -> str:
    found = re.search(re.escape(host) + r"(/login/reset/\S+)", text)
    assert found, text
    return found.group(1)


def mailed_link(core_app: Flask, inbox: Inbox) -> str:
    return link_in(mailed_text(core_app, inbox))


def mailed_text(core_app: Flask, inbox: Inbox) -> str:
    deliver_mail(core_app)
    [message] = inbox.messages
    return inbox.text(message)


def test_a_forgotten_password_is_replaced_through_the_mailed_link(
    staff: FlaskClient, core_app: Flask, inbox: Inbox
) -> None:
    assert 'href="/login/forgot"' in staff.get("/login").text
    answer = ask_for_link(staff, " Manager@Demo.Example ")
    assert answer.status_code == 302 and answer.headers["Location"] == "/login?merchant=demo"
    assert "a link to choose a new password is on its way" in staff.get("/login").text
    deliver_mail(core_app)
    [message] = inbox.messages
    assert message["To"] == MANAGER
    assert message["Subject"] == "A new password for your staff account at Demo Café & Market"
    assert (
        "Hello Luca," in inbox.text(message)
        and "at Demo Café & Market." in inbox.text(message)
        and "works once, for 1 hour" in inbox.text(message)
    )
    link = link_in(inbox.text(message))

    assert staff.get(link).status_code == 200
    assert post(staff, link, {"new": "short"}).status_code == 422
    chosen = post(staff, link, {"new": NEW})
    assert chosen.status_code == 302 and chosen.headers["Location"] == "/login?merchant=demo"
    assert "Your password is changed" in staff.get("/login").text

    assert log_in(core_app.test_client(), MANAGER).status_code == 401
    assert log_in(core_app.test_client(), MANAGER, NEW).status_code == 302
    used = staff.get(link)
    assert used.status_code == 410 and "It was used already" in used.text
    assert (
        post(staff, link, {"new": "another-new-password"}, staff.get("/login/forgot").text).status_code == 410
    )
    assert log_in(core_app.test_client(), MANAGER, "another-new-password").status_code == 401


def test_an_unknown_or_switched_off_address_gets_the_same_answer_and_no_mail(
    staff: FlaskClient, core_app: Flask, core: Core, inbox: Inbox
) -> None:
    with core.db.write() as session:
        session.execute(update(Staff).where(Staff.email == USER).values(disabled_at=utcnow()))
    for email in ("nobody@demo.example", USER):
        answer = ask_for_link(staff, email)
        assert answer.status_code == 302 and answer.headers["Location"] == "/login?merchant=demo"
        assert f"If an account logs in with {email}" in staff.get("/login").text
    deliver_mail(core_app)
    assert inbox.messages == []


def test_a_new_password_ends_every_session_of_the_account(
    staff: FlaskClient, core_app: Flask, inbox: Inbox
) -> None:
    logged_in = core_app.test_client()
    log_in(logged_in, ADMIN)
    assert logged_in.get("/team").status_code == 200
    ask_for_link(staff, ADMIN)
    post(staff, mailed_link(core_app, inbox), {"new": NEW})
    assert logged_in.get("/team").status_code == 302


def test_a_link_works_for_one_hour(staff: FlaskClient, core: Core) -> None:
    class AnHourAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - staff_reset.LINK_LIFETIME - 1

    with core.db.read() as session:
        manager = session.query(Staff).filter_by(email=MANAGER).one()
        old = URLSafeTimedSerializer(SECRET, salt=staff_reset.SALT, signer=AnHourAgo)
        stale = old.dumps([manager.id, manager.credentials_version])
        fresh = staff_reset.reset_token(SECRET, manager)
    expired = staff.get(f"/login/reset/{stale}")
    assert expired.status_code == 410 and "that hour is over" in expired.text
    assert staff.get(f"/login/reset/{fresh}").status_code == 200
    for forged in (fresh[:-3] + "AAA", staff_reset.reset_token("another-secret", manager), "x"):
        refused = staff.get(f"/login/reset/{forged}")
        assert refused.status_code == 410 and "not one we sent" in refused.text


def test_asking_for_links_is_paused_per_account(staff: FlaskClient, core_app: Flask, inbox: Inbox) -> None:
    for _ in range(3):
        assert ask_for_link(staff, MANAGER).status_code == 302
    paused = ask_for_link(staff, MANAGER)
    assert paused.status_code == 429 and "Too many attempts" in paused.text
    assert ask_for_link(staff, ADMIN).status_code == 302
    assert log_in(staff, MANAGER).status_code == 302  # asking for links does not lock the login
    deliver_mail(core_app)
    assert sorted(message["To"] for message in inbox.messages) == [ADMIN] + [MANAGER] * 3


def test_a_link_is_only_ever_sent_for_a_host_the_core_trusts(committed_db: Database, inbox: Inbox) -> None:
    """A request naming another host, to have the mailed link point there, is refused before any
    mail is queued (TRUSTED_HOSTS, env FLASK_TRUSTED_HOSTS)."""
    core_app = admin_core.create_app(
        make_config(inbox, TRUSTED_HOSTS=["till.example"]), database=committed_db
    )
    load_demo(core_app.extensions[EXTENSION], SECRET)
    client = core_app.test_client()
    page = client.get("/login/forgot", base_url="http://till.example").text
    for host, status in (("http://attacker.example", 400), ("http://till.example", 302)):
        answer = client.post(
            "/login/forgot",
            base_url=host,
            data={"csrf_token": token(page), "merchant": "demo", "email": ADMIN},
        )
        assert answer.status_code == status
    assert link_in(mailed_text(core_app, inbox), "http://till.example")

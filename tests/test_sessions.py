"""Sessions end on the server: a copied session cookie stops working at logout (the card's or the
staff member's other devices carry on), and every session ends after its configured lifetime,
however long its cookie is kept."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login.utils import encode_cookie
from sqlalchemy import func, select

import admin_core
import composition
from admin_core.context import Core
from admin_core.database import Database
from admin_core.models import Card, EndedSession, Staff
from admin_core.services import utcnow
from admin_core.services.housekeeping import purge_records
from admin_core.services.merchants import create_api_key
from admin_core.services.sessions import end_session

from .conftest import csrf_token, login, make_config
from .smtp import Inbox
from .test_staff import USER, log_in, post

ANNA, PASSWORD = "7000100001", "demo-password"


class Clock:
    """Stands in for the `time` module of one module under test: seconds from now on."""

    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moved = Clock()
    monkeypatch.setattr("portal.customer.session.time", moved)
    monkeypatch.setattr("admin_core.staff.auth.time", moved)
    return moved


def copy_of(client: FlaskClient, app: Flask, name: str) -> FlaskClient:
    """Another browser holding the same cookie, as someone who copied it would."""
    cookie = client.get_cookie(name)
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(name, cookie.value)
    return thief


def log_out(client: FlaskClient) -> Any:
    """The dashboard's "Log out" button."""
    return client.post("/p/demo/logout", data={"csrf_token": csrf_token(client, "/p/demo/")})


def logged_in(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert login(client, ANNA, PASSWORD).status_code == 302
    return client


# The portal


def test_a_copied_session_cookie_stops_working_at_logout(app: Flask, demo: dict[str, Any]) -> None:
    client = logged_in(app)
    thief = copy_of(client, app, "loyalty_session")
    assert thief.get("/p/demo/").status_code == 200
    out = log_out(client)
    assert out.status_code == 302 and out.location == "/p/demo/login"
    assert thief.get("/p/demo/").location == "/p/demo/login"
    assert "Your session has ended. Please log in again." in thief.get("/p/demo/login").text
    assert thief.get("/p/demo/card").location.startswith("/p/demo/login")
    assert thief.get("/p/demo/profile").location.startswith("/p/demo/login")


def test_logging_out_ends_this_session_only(app: Flask, demo: dict[str, Any]) -> None:
    phone, laptop = logged_in(app), logged_in(app)
    log_out(phone)
    assert laptop.get("/p/demo/").status_code == 200
    assert phone.get("/p/demo/").status_code == 302


def test_a_portal_session_ends_after_its_lifetime(
    core_app: Flask, inbox: Inbox, demo: dict[str, Any], clock: Clock
) -> None:
    app = composition.create_app(make_config(inbox, PORTAL_SESSION_LIFETIME=3600), core_app=core_app)
    client = logged_in(app)
    clock.offset = 3500
    assert client.get("/p/demo/").status_code == 200  # used all along: still within its hour
    clock.offset = 3700
    assert client.get("/p/demo/").location.startswith("/p/demo/login")
    assert logged_in(app).get("/p/demo/").status_code == 200  # a new login starts a new hour


def test_the_api_refuses_an_ended_session(core_app: Flask, core: Core, demo: dict[str, Any]) -> None:
    end_session(core.db, "ended-session-id", utcnow() + timedelta(hours=1))
    key = create_api_key(core.db, None)
    with core.db.read() as session:
        version = session.scalar(select(Card.credentials_version).where(Card.number == ANNA))

    def dashboard(session_id: str) -> Any:
        headers = {
            "Authorization": f"Bearer {key}",
            "X-Merchant": "demo",
            "X-Card-Version": str(version),
            "X-Card-Session": session_id,
        }
        return core_app.test_client().get(f"/api/v1/portal/cards/{ANNA}/dashboard", headers=headers)

    ended = dashboard("ended-session-id")
    assert ended.status_code == 401 and ended.json["error"]["code"] == "session_ended"
    assert dashboard("another-session-id").status_code == 200


def test_ended_sessions_are_forgotten_once_they_would_have_expired(core: Core, demo: dict[str, Any]) -> None:
    now = utcnow()
    end_session(core.db, "ends-soon", now + timedelta(hours=1))
    end_session(core.db, "ends-soon", now + timedelta(hours=1))  # a double click on "log out"
    end_session(core.db, "ends-later", now + timedelta(days=100))
    assert purge_records(core.db, now=now + timedelta(days=40)).ended_sessions == 1
    with core.db.read() as session:
        assert session.scalar(select(func.count()).select_from(EndedSession)) == 1


# The staff UI


def staff_in(core_app: Flask) -> FlaskClient:
    client = core_app.test_client()
    assert log_in(client, USER).status_code == 302
    return client


def test_a_copied_staff_cookie_stops_working_at_logout(core_app: Flask, demo: dict[str, Any]) -> None:
    staff, other_device = staff_in(core_app), staff_in(core_app)
    thief = copy_of(staff, core_app, "loyalty_staff")
    assert thief.get("/").status_code == 200
    page = staff.get("/").text
    assert post(staff, "/logout", {}, page).status_code == 302
    assert thief.get("/").status_code == 302
    assert other_device.get("/").status_code == 200


def test_a_staff_session_ends_after_its_lifetime(
    db: Database, inbox: Inbox, demo: dict[str, Any], clock: Clock
) -> None:
    core_app = admin_core.create_app(make_config(inbox, STAFF_SESSION_LIFETIME=600), database=db)
    staff = staff_in(core_app)
    clock.offset = 590
    assert staff.get("/").status_code == 200
    clock.offset = 610
    assert staff.get("/").status_code == 302


def test_a_remember_me_cookie_logs_nobody_in(core_app: Flask, core: Core, demo: dict[str, Any]) -> None:
    answer = core_app.test_client()
    assert staff_in(core_app).get_cookie("remember_token") is None  # never set
    with core.db.read() as session:
        staff_id = session.scalar(select(Staff.id).where(Staff.email == USER))
    with core_app.test_request_context():
        forged = encode_cookie(str(staff_id))  # as valid as one Flask-Login would set
    answer.set_cookie("remember_token", forged)
    assert answer.get("/").status_code == 302

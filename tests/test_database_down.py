"""The database not answering: every part says "back in a moment" (503), the API as JSON and the
staff UI and the portal as a page; and what a database error says holds none of the values it was
given (addresses, names)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

import admin_core
import composition
from admin_core.database import Database

from .conftest import make_config
from .smtp import Inbox
from .test_staff import log_in

# Nothing listens on port 1; a file in a folder that does not exist cannot be opened.
DOWN = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:1/loyalty",
    "sqlite": "sqlite:////nonexistent/folder/loyalty.sqlite3",
}


@pytest.fixture(params=sorted(DOWN))
def down_core(request: pytest.FixtureRequest, inbox: Inbox) -> Iterator[Flask]:
    database = Database.from_url(DOWN[request.param])
    yield admin_core.create_app(make_config(inbox), database=database)
    database.dispose()


def test_the_api_answers_503_as_json(down_core: Flask) -> None:
    answer = down_core.test_client().get(
        "/api/v1/cards/7000100001", headers={"Authorization": "Bearer lpk_anything"}
    )
    assert answer.status_code == 503
    assert answer.json["error"]["code"] == "unavailable"
    assert answer.headers["Retry-After"]


def test_the_staff_ui_answers_a_503_page(down_core: Flask) -> None:
    answer = log_in(down_core.test_client(), "admin@demo.example")
    assert answer.status_code == 503
    assert answer.mimetype == "text/html"
    assert "Back in a moment" in answer.text


def test_a_logged_in_staff_member_gets_the_page_too(
    down_core: Flask, core_app: Flask, demo: dict[str, Any]
) -> None:
    """The usual layout looks up who is logged in: the page must not need the database."""
    working = core_app.test_client()
    log_in(working, "admin@demo.example")
    cookie = working.get_cookie("loyalty_staff")
    assert cookie is not None
    staff = down_core.test_client()
    staff.set_cookie("loyalty_staff", cookie.value)
    answer = staff.get("/")
    assert answer.status_code == 503 and "Back in a moment" in answer.text


def test_the_portal_answers_a_503_page(down_core: Flask, inbox: Inbox) -> None:
    site = composition.create_app(make_config(inbox), core_app=down_core)
    answer = site.test_client().get("/p/demo/login")
    assert answer.status_code == 503
    assert "Back in a moment" in answer.text


def test_a_database_error_names_no_values(db: Database) -> None:
    address = "marco.private@example.com"
    with pytest.raises(DBAPIError) as caught, db.read() as session:
        session.execute(text("SELECT nothing FROM outbound_mail WHERE recipient = :to"), {"to": address})
    assert address not in str(caught.value)
    assert "hidden" in str(caught.value)

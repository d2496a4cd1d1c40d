"""What goes wrong reaches the server's log: an error inside the embedded core (which the site
shows as "back in a moment"), and the switch to counting in memory when Redis stops answering."""

from __future__ import annotations

import io
import logging
import re
from typing import Any

import pytest
from flask import Flask
from flask.logging import default_handler

import admin_core
import composition
from admin_core.database import Database
from admin_core.services import portal_auth

from .conftest import login, make_config, submit
from .smtp import Inbox, free_port
from .test_staff import log_in

ANNA, PASSWORD = "7000100001", "demo-password"


def test_an_error_in_the_embedded_core_is_in_the_servers_log(
    db: Database,
    inbox: Inbox,
    demo: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    caplog: Any,
    request: pytest.FixtureRequest,
) -> None:
    # As deployed: errors are answered, not raised into the test.
    production = make_config(inbox, TESTING=False, SITE_URL="http://localhost", TRUSTED_HOSTS=["localhost"])
    core_app = admin_core.create_app(production, database=db)
    site = composition.create_app(production, core_app=core_app)

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("a bug in the core")

    monkeypatch.setattr(portal_auth, "authenticate", broken)
    # As under a server with no logging set up: Flask's own handler writes to the request's error
    # stream (here pytest's handler on the root logger stands in for a set-up, so Flask adds none).
    core_app.logger.addHandler(default_handler)
    request.addfinalizer(lambda: core_app.logger.removeHandler(default_handler))
    server_log = io.StringIO()  # what the WSGI server gives the app as its error stream
    answer = submit(
        site.test_client(), "/p/demo/login", {"card": ANNA, "password": PASSWORD}, errors_stream=server_log
    )
    assert answer.status_code == 503 and "Back in a moment" in answer.text
    assert "RuntimeError: a bug in the core" in server_log.getvalue()
    # The core's line names the site's request: one id across both logs, given to whoever reports it.
    assert f" {answer.headers['X-Request-Id']} admin_core: Exception on " in server_log.getvalue()
    assert any(
        record.name == site.logger.name and record.levelno == logging.ERROR for record in caplog.records
    ), "the site says the core failed"


def test_redis_stopping_is_logged_by_the_site(
    core_app: Flask, inbox: Inbox, demo: dict[str, Any], caplog: Any
) -> None:
    site = composition.create_app(
        make_config(inbox, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0"), core_app=core_app
    )
    with caplog.at_level(logging.WARNING):
        assert login(site.test_client(), ANNA, PASSWORD).status_code == 302
    assert [record.name for record in caplog.records if "in-memory" in record.getMessage()] == [
        site.logger.name
    ]


def test_redis_stopping_is_logged_by_the_staff_ui(
    inbox: Inbox, db: Database, demo: dict[str, Any], caplog: Any
) -> None:
    core_app = admin_core.create_app(
        make_config(inbox, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0"), database=db
    )
    with caplog.at_level(logging.WARNING):
        assert log_in(core_app.test_client(), "admin@demo.example").status_code == 302
    assert [record.name for record in caplog.records if "in-memory" in record.getMessage()] == [
        core_app.logger.name
    ]


def test_every_answer_names_its_request(app: Flask, core_app: Flask) -> None:
    site, core = app.test_client(), core_app.test_client()
    ids = {site.get("/p/demo/login").headers["X-Request-Id"], core.get("/login").headers["X-Request-Id"]}
    assert len(ids) == 2 and all(re.fullmatch(r"[0-9a-f]{32}", each) for each in ids)
    given = {"X-Request-Id": "proxy-1234abcd"}
    assert site.get("/p/demo/login", headers=given).headers["X-Request-Id"] == "proxy-1234abcd"
    forged = {"X-Request-Id": "evil\tline"}  # not an id: a line of its own in the log
    assert site.get("/p/demo/login", headers=forged).headers["X-Request-Id"] != "evil\tline"

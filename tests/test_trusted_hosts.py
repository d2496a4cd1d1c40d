"""E-mailed links and the hosts the apps answer to: links are built on the configured site URL,
never on the Host a request names; the documented trusted hosts do not break the embedded core;
production refuses to start without either."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

import admin_core
import composition
import portal
from admin_core.context import EXTENSION
from admin_core.database import Database
from admin_core.demo import load_demo

from .conftest import SECRET, csrf_token, deliver_mail, make_config
from .smtp import Inbox

SITE = "https://cards.example.com"
RESET = "/p/demo/reset"


def embedded(inbox: Inbox, database: Database, **settings: Any) -> tuple[Flask, Flask]:
    """The site and its core built from the same settings, as one deployment reads them."""
    config = make_config(inbox, **settings)
    core_app = admin_core.create_app(config, database=database)
    return composition.create_app(config, core_app=core_app), core_app


def ask_reset(site: Flask, host: str) -> Any:
    client = site.test_client()
    token = csrf_token(client, host + RESET)
    return client.post(
        RESET,
        base_url=host,
        data={"csrf_token": token, "email": "anna@example.com"},
        headers={"Referer": host + RESET},  # Flask-WTF wants it over https
    )


def test_the_site_and_its_core_work_with_the_documented_trusted_hosts(db: Database, inbox: Inbox) -> None:
    site, core_app = embedded(inbox, db, TRUSTED_HOSTS=["cards.example.com"], SITE_URL=SITE)
    load_demo(core_app.extensions[EXTENSION], SECRET)
    client = site.test_client()
    assert client.get("/p/demo/login", base_url=SITE).status_code == 200
    assert ask_reset(site, SITE).status_code == 200
    assert client.get("/wifi/demo-meraki", base_url=SITE).status_code < 500
    assert client.get("/p/demo/login", base_url="https://attacker.example").status_code == 400


def test_e_mailed_links_are_built_on_the_site_url_whatever_host_the_request_names(
    db: Database, inbox: Inbox
) -> None:
    site, core_app = embedded(inbox, db, SITE_URL=SITE)
    load_demo(core_app.extensions[EXTENSION], SECRET)
    assert ask_reset(site, "http://attacker.example").status_code == 200
    deliver_mail(core_app)
    [message] = inbox.messages
    text = inbox.text(message)
    assert "attacker.example" not in text
    assert re.search(r"https://cards\.example\.com/p/demo/reset/[\w-]+", text)


def test_staff_reset_links_are_built_on_the_site_url_under_the_core(db: Database, inbox: Inbox) -> None:
    site, core_app = embedded(inbox, db, SITE_URL=SITE)
    load_demo(core_app.extensions[EXTENSION], SECRET)
    client = site.test_client()
    page = client.get("/core/login/forgot", base_url="http://attacker.example").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token
    client.post(
        "/core/login/forgot",
        base_url="http://attacker.example",
        data={"csrf_token": token.group(1), "merchant": "demo", "email": "admin@demo.example"},
    )
    deliver_mail(core_app)
    [message] = inbox.messages
    assert "attacker.example" not in inbox.text(message)
    assert re.search(r"https://cards\.example\.com/core/login/reset/[\w.-]+", inbox.text(message))


def test_a_core_on_a_host_of_its_own_builds_staff_links_on_its_staff_url(db: Database, inbox: Inbox) -> None:
    core_app = admin_core.create_app(
        make_config(inbox, SITE_URL=SITE, STAFF_URL="https://till.example.com"), database=db
    )
    load_demo(core_app.extensions[EXTENSION], SECRET)
    client = core_app.test_client()
    page = client.get("/login/forgot", base_url="http://attacker.example").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token
    client.post(
        "/login/forgot",
        base_url="http://attacker.example",
        data={"csrf_token": token.group(1), "merchant": "demo", "email": "admin@demo.example"},
    )
    deliver_mail(core_app)
    [message] = inbox.messages
    assert re.search(r"https://till\.example\.com/login/reset/[\w.-]+", inbox.text(message))


PRODUCTION = {
    "SECRET_KEY": "a-real-secret",
    "ADMIN_CORE_URL": "http://127.0.0.1:9",
    "ADMIN_CORE_API_KEY": "the-site-key",
}


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({}, "FLASK_SITE_URL"),
        ({"SITE_URL": SITE}, "FLASK_TRUSTED_HOSTS"),
        ({"TRUSTED_HOSTS": ["cards.example.com"]}, "FLASK_SITE_URL"),
        ({"TRUSTED_HOSTS": ["cards.example.com"], "SITE_URL": "cards.example.com"}, "FLASK_SITE_URL"),
    ],
)
def test_production_refuses_to_start_without_trusted_hosts_and_a_site_url(
    settings: dict[str, Any], named: str, tmp_path: Any
) -> None:
    with pytest.raises(portal.MissingSetting, match=named):
        composition.create_app({**PRODUCTION, **settings})
    core_settings = {"SECRET_KEY": "a-real-secret", "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}
    with pytest.raises(admin_core.MissingSetting, match=named):
        admin_core.create_app({**core_settings, **settings})


def test_production_starts_with_both() -> None:
    app = composition.create_app({**PRODUCTION, "SITE_URL": SITE, "TRUSTED_HOSTS": ["cards.example.com"]})
    assert app.config["SITE_URL"] == SITE

"""Headers that keep a browser on the safe side: a Content-Security-Policy that runs the site's
own scripts and styles only, nosniff, HSTS where cookies are Secure, a Referrer-Policy that leaks
no one-time link, and no caching of pages that are someone's. The site and the staff UI alike."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import composition

from .conftest import login, make_config
from .smtp import Inbox
from .test_staff import ADMIN, log_in

ROOT = Path(__file__).resolve().parent.parent
ANNA, PASSWORD = "7000100001", "demo-password"
HSTS = "max-age=31536000"


def policy(response: Any) -> dict[str, str]:
    """The Content-Security-Policy as {directive: its sources}."""
    parts = (part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def assert_strict(found: dict[str, str]) -> None:
    assert found["default-src"] == "'self'"
    assert found["script-src"] == "'self'"
    assert found["object-src"] == "'none'"
    assert found["base-uri"] == "'self'"
    assert "unsafe-inline" not in " ".join(found.values())


def test_a_portal_page_runs_only_the_sites_scripts_and_its_one_inline_style(
    client: FlaskClient, demo: dict[str, Any]
) -> None:
    page = client.get("/p/demo/login")
    found = policy(page)
    assert_strict(found)
    assert found["form-action"] == "'self'" and found["frame-ancestors"] == "'none'"
    # The merchant's accent colours are the one inline style: it carries this response's nonce.
    nonce = re.search(r'<style nonce="([^"]+)">:root\{--accent', page.text)
    assert nonce and found["style-src"] == f"'self' 'nonce-{nonce.group(1)}'"
    assert nonce.group(1) not in client.get("/p/demo/login").headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert page.headers["Strict-Transport-Security"] == HSTS
    assert "no-store" not in page.headers.get("Cache-Control", "")  # no one's page yet


def test_no_hsts_where_cookies_are_not_secure(core_app: Flask, inbox: Inbox, demo: dict[str, Any]) -> None:
    site = composition.create_app(make_config(inbox, SESSION_COOKIE_SECURE=False), core_app=core_app)
    assert "Strict-Transport-Security" not in site.test_client().get("/p/demo/login").headers
    staff = core_app.test_client()
    core_app.config["SESSION_COOKIE_SECURE"] = False
    assert "Strict-Transport-Security" not in staff.get("/login").headers


def test_a_logged_in_customers_pages_are_not_kept(client: FlaskClient, demo: dict[str, Any]) -> None:
    assert login(client, ANNA, PASSWORD).status_code == 302
    for url in ("/p/demo/", "/p/demo/card", "/p/demo/history", "/p/demo/profile", "/p/demo/profile/export"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
    for url, own in [("/p/demo/sw.js", "no-cache"), ("/static/css/portal.css", "no-cache")]:
        with client.get(url) as response:
            assert response.headers["Cache-Control"] == own, url


@pytest.mark.parametrize("url", ["/p/demo/reset/not-a-real-token", "/p/demo/activate/not-a-real-token"])
def test_a_page_with_a_token_in_its_address_sends_no_referrer(
    client: FlaskClient, demo: dict[str, Any], url: str
) -> None:
    response = client.get(url)
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_the_splash_may_post_to_the_venues_controller(client: FlaskClient, demo: dict[str, Any]) -> None:
    hotspot = next(each["id"] for each in demo["hotspots"] if each["kind"] == "meraki")
    found = policy(client.get(f"/wifi/{hotspot}"))
    assert_strict(found)
    # Its forms post to the venue's controller, and it redirects them to grant addresses.
    assert "form-action" not in found


def test_the_staff_ui_has_the_same_headers(core_app: Flask, demo: dict[str, Any]) -> None:
    staff = core_app.test_client()
    login_page = staff.get("/login")
    found = policy(login_page)
    assert_strict(found)
    assert found["style-src"] == "'self'" and found["form-action"] == "'self'"
    assert found["frame-ancestors"] == "'none'"
    assert login_page.headers["X-Content-Type-Options"] == "nosniff"
    assert login_page.headers["Strict-Transport-Security"] == HSTS
    assert login_page.headers["Referrer-Policy"] == "same-origin"
    log_in(staff, ADMIN)
    for url in ("/", "/account", "/team", "/embed/demo"):
        response = staff.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
    token_page = core_app.test_client().get("/login/reset/not-a-real-token")
    assert token_page.headers["Referrer-Policy"] == "no-referrer"
    with core_app.test_client().get("/widget.js") as widget:
        assert widget.headers["Cache-Control"] == "public, max-age=3600"


def test_the_api_is_never_kept_nor_sniffed(core_app: Flask, demo: dict[str, Any]) -> None:
    answer = core_app.test_client().get(
        "/api/v1/cards/7000100001", headers={"Authorization": f"Bearer {demo['api_key']}"}
    )
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


TEMPLATES = sorted(
    path
    for folder in ("portal", "captive", "admin_core")
    for path in (ROOT / folder).rglob("*.html")
    if "/email/" not in path.as_posix()  # e-mail is read in mail clients, not under our policy
)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_template_has_what_the_policy_blocks(template: Path) -> None:
    source = template.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", source), "an inline script"
    assert not re.search(r"\son[a-z]+=", source), "an inline event handler"
    assert not re.search(r"\sstyle=", source), "a style attribute"
    assert not re.search(r"<style(?![^>]*\bnonce=)", source), "a <style> without the nonce"
    assert "javascript:" not in source

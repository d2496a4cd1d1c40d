"""The staff UI's hotspot pages: every controller kind set up with the schema the API checks,
secrets write-only (never on a page, never in an answer), the splash address to paste."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from admin_core.context import Core
from admin_core.models import Hotspot

from .test_staff import ADMIN, log_in, post

SECRET = "s3cret-guest-Password"
OPTIONS = {
    "store": "MAIN",
    "session_minutes": "90",
    "up_kbps": "",
    "down_kbps": "2000",
    "quota_mb": "",
    "landing_url": "",
    "contact": "email",
    "terms_version": "1",
    "terms_text": "Be nice.",
    "privacy_version": "1",
    "privacy_text": "We keep your e-mail.",
    "guest_retention_days": "365",
}
# A valid form per kind, each with SECRET where the kind has a secret.
NEW_BY_KIND = {
    "opennds": {
        "setting_fas_level": "2",
        "setting_faskey": "Abcdefgh1234",
        "setting_gateway_address": "10.1.1.1:2050",
    },
    "meraki": {"setting_mode": "sign-on", "setting_username": "guests", "setting_password": SECRET},
    "unifi": {
        "setting_controller_url": "https://unifi.example.com:8443",
        "setting_site": "default",
        "setting_username": "portal",
        "setting_password": SECRET,
        "setting_verify_tls": "y",
    },
    "mikrotik": {
        "setting_router_address": "10.5.50.1",
        "setting_credentials": "shared",
        "setting_username": "guest",
        "setting_password": SECRET,
    },
    "coova": {"setting_uamsecret": SECRET, "setting_username": "registered", "setting_password": SECRET},
}


@pytest.fixture
def admin(core_app: Flask, demo: dict[str, Any]) -> FlaskClient:
    client = core_app.test_client()
    log_in(client, ADMIN)
    return client


def hotspot_row(core: Core, public_id: str) -> Hotspot | None:
    with core.db.read() as session:
        return session.scalar(select(Hotspot).where(Hotspot.public_id == public_id))


def hotspot_count(core: Core) -> int:
    with core.db.read() as session:
        return session.scalar(select(func.count()).select_from(Hotspot)) or 0


def test_the_list_and_every_demo_hotspot_s_page_show_no_secret(
    admin: FlaskClient, demo: dict[str, Any]
) -> None:
    listing = admin.get("/hotspots").text
    assert 'href="/hotspots"' in admin.get("/").text  # in the menu
    for hotspot in demo["hotspots"]:
        assert hotspot["id"] in listing
        page = admin.get(f"/hotspots/{hotspot['id']}/edit")
        assert page.status_code == 200
        for name, value in hotspot["settings"].items():
            if name in ("faskey", "password", "uamsecret", "api_password"):
                assert str(value) not in page.text, (hotspot["id"], name)
    unifi = admin.get("/hotspots/demo-unifi/edit").text
    assert 'value="http://localhost/guest/s/demo-unifi/"' in unifi
    assert 'value="http://localhost/wifi/demo-opennds"' in admin.get("/hotspots/demo-opennds/edit").text


@pytest.mark.parametrize("kind", sorted(NEW_BY_KIND))
def test_a_hotspot_of_each_kind_is_created_and_its_secrets_never_come_back(
    admin: FlaskClient, core: Core, demo: dict[str, Any], kind: str
) -> None:
    form = admin.get(f"/hotspots/new?kind={kind}").text
    made = post(
        admin,
        f"/hotspots/new?kind={kind}",
        {**OPTIONS, "public_id": f"new-{kind}", **NEW_BY_KIND[kind]},
        form,
    )
    assert made.status_code == 302, made.text
    page = admin.get(made.location)
    assert f"/wifi/new-{kind}" in page.text or f"/guest/s/new-{kind}/" in page.text
    assert SECRET not in page.text
    api = admin.application.test_client().get(
        f"/api/v1/hotspots/new-{kind}", headers={"Authorization": f"Bearer {demo['api_key']}"}
    )
    assert api.status_code == 200 and SECRET not in api.text and "********" in api.text
    stored = hotspot_row(core, f"new-{kind}")
    assert stored is not None and (stored.session_minutes, stored.down_kbps, stored.up_kbps) == (
        90,
        2000,
        None,
    )


def test_an_empty_secret_on_an_edit_keeps_it_and_a_moved_address_asks_it_again(
    admin: FlaskClient, core: Core
) -> None:
    post(admin, "/hotspots/new?kind=coova", {**OPTIONS, "public_id": "lobby", **NEW_BY_KIND["coova"]})
    edit = admin.get("/hotspots/lobby/edit").text
    assert SECRET not in edit
    kept = post(
        admin,
        "/hotspots/lobby/edit",
        {
            **OPTIONS,
            "setting_username": "others",
            "setting_uamsecret": "",
            "setting_password": "",
            "up_kbps": "500",
        },
        edit,
    )
    assert kept.status_code == 302
    stored = hotspot_row(core, "lobby")
    assert stored is not None
    assert stored.settings == {"uamsecret": SECRET, "username": "others", "password": SECRET}
    assert stored.up_kbps == 500
    cleared = post(admin, "/hotspots/lobby/edit", {**OPTIONS, "setting_username": "others"})
    assert cleared.status_code == 302
    stored = hotspot_row(core, "lobby")
    assert stored is not None and stored.up_kbps is None
    moved = post(
        admin,
        "/hotspots/lobby/edit",
        {**OPTIONS, "setting_username": "others", "setting_uam_address": "10.1.0.1:3990"},
    )
    assert moved.status_code == 422
    assert re.search(r'id="setting_uamsecret-error">Enter it \(again after an address changed', moved.text)
    stored = hotspot_row(core, "lobby")
    assert (
        stored is not None and stored.settings["uamsecret"] == SECRET and "uam_address" not in stored.settings
    )


@pytest.mark.parametrize(
    ("kind", "change", "field", "message"),
    [
        ("opennds", {"setting_faskey": "short"}, "setting_faskey", "8 to 64 letters and digits"),
        ("opennds", {"setting_gateway_address": "10.1.1.1"}, "setting_gateway_address", "with its port"),
        ("meraki", {"setting_password": ""}, "setting_username", "Enter the username"),
        (
            "unifi",
            {"setting_controller_url": "https://10.0.0.5:8443"},
            "setting_controller_url",
            "the site may call",
        ),
        ("mikrotik", {"setting_credentials": "per_guest"}, "setting_api_url", "the site may call"),
        ("coova", {"session_minutes": "0"}, "session_minutes", "From 1 minute to 30 days"),
        ("coova", {"down_kbps": "99999999"}, "down_kbps", "From 1 to 10,000,000 kbit/s"),
        ("coova", {"landing_url": "ftp://x"}, "landing_url", "An http(s) address"),
        ("coova", {"public_id": "demo-coova"}, "public_id", "A hotspot with this id exists already."),
        ("coova", {"public_id": "Not An Id"}, "public_id", "A hotspot id is 1 to 64 lower-case"),
    ],
)
def test_bad_input_is_said_at_its_field_and_creates_nothing(
    admin: FlaskClient, core: Core, kind: str, change: dict[str, str], field: str, message: str
) -> None:
    before = hotspot_count(core)
    answer = post(
        admin, f"/hotspots/new?kind={kind}", {**OPTIONS, "public_id": "", **NEW_BY_KIND[kind], **change}
    )
    assert answer.status_code == 422
    said = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', answer.text)
    assert said and message in said.group(1), answer.text
    assert SECRET not in answer.text  # not even the one just typed
    assert hotspot_count(core) == before


def test_a_hotspot_is_switched_off_and_on(admin: FlaskClient, core: Core) -> None:
    listing = admin.get("/hotspots").text
    assert post(admin, "/hotspots/demo-meraki/switch-off", {}, listing).status_code == 302
    stored = hotspot_row(core, "demo-meraki")
    assert stored is not None and stored.enabled is False
    assert "This hotspot is switched off" in admin.get("/hotspots/demo-meraki/edit").text
    post(admin, "/hotspots/demo-meraki/switch-on", {}, listing)
    stored = hotspot_row(core, "demo-meraki")
    assert stored is not None and stored.enabled is True


def test_choosing_the_kind_comes_first(admin: FlaskClient) -> None:
    page = admin.get("/hotspots/new?kind=nonsense").text
    assert (
        'href="/hotspots/new?kind=mikrotik"' in page
        and "<form" not in page.split("<main", 1)[1].split("</main>")[0]
    )


def test_the_api_lists_hotspots_page_by_page_and_a_null_setting_removes_it(
    core_app: Flask, demo: dict[str, Any]
) -> None:
    api, key = core_app.test_client(), {"Authorization": f"Bearer {demo['api_key']}"}
    first = api.get("/api/v1/hotspots?limit=2", headers=key).json
    ids = [each["id"] for each in first["hotspots"]]
    cursor = first["next_cursor"]
    while cursor:
        page = api.get(f"/api/v1/hotspots?limit=2&cursor={cursor}", headers=key).json
        ids += [each["id"] for each in page["hotspots"]]
        cursor = page["next_cursor"]
    assert sorted(ids) == sorted(hotspot["id"] for hotspot in demo["hotspots"])
    added = api.patch(
        "/api/v1/hotspots/demo-coova",
        json={"settings": {"uam_address": "10.1.0.1:3990", "uamsecret": "x" * 12, "password": "y" * 12}},
        headers=key,
    )
    assert added.status_code == 200 and added.json["settings"]["uam_address"] == "10.1.0.1:3990"
    removed = api.patch(
        "/api/v1/hotspots/demo-coova",
        json={"settings": {"uam_address": None, "uamsecret": "x" * 12, "password": "y" * 12}},
        headers=key,
    )
    assert removed.status_code == 200 and "uam_address" not in removed.json["settings"]

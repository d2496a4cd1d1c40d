"""The splash page itself, whatever the controller: what a guest sees and may do, and every way a
redirect or a splash state that is not genuine is refused. The controllers' own protocols are
tested against their simulators in test_captive_controllers.py."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

import composition
from admin_core.context import Core
from admin_core.models import Customer, HotspotKind, OutboundMail, WifiVisit
from admin_core.services.hotspots import HotspotOptions, create_hotspot, update_hotspot
from admin_core.services.merchants import get_merchant
from captive.settings import EXTENSION as WIFI_SETTINGS
from captive.settings import wifi_settings
from loyalty_common.controller_addresses import parse_networks

from .conftest import deliver_mail, make_config
from .smtp import Inbox

FASKEY = "venueKey2026"
GATEWAY = "192.168.1.1:2050"
MAC = "aa:bb:cc:00:11:22"


@pytest.fixture
def cafe(core: Core, demo: dict[str, Any]) -> str:
    with core.db.read() as session:
        merchant_id = get_merchant(session, "demo").id
    create_hotspot(
        core.db,
        merchant_id,
        "MAIN",
        HotspotKind.OPENNDS,
        {"fas_level": 1, "faskey": FASKEY, "gateway_address": GATEWAY},
        HotspotOptions(landing_url="https://cafe.example/welcome", terms_text="Be nice."),
        "cafe",
    )
    return "cafe"


def arrival(mac: str = MAC, gateway: str = GATEWAY, token: str = "client-token") -> tuple[str, str]:
    """An openNDS level-1 redirect, as the gateway builds it: (query string, hid)."""
    hid = hashlib.sha256(token.encode()).hexdigest()
    payload = (
        f"hid={hid}, clientip=10.0.0.7, clientmac={mac}, client_type=cpd_can, gatewayname=Cafe%20Wi-Fi, "
        f"gatewayaddress={gateway}, originurl=http%3A%2F%2Fexample.com%2F"
    )
    return "fas=" + base64.b64encode(payload.encode()).decode(), hid


def form_values(page: str) -> dict[str, str]:
    """The splash form's hidden values: its signed state and CSRF token."""
    state = re.search(r'name="state" value="([^"]+)"', page)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert state and token, page
    return {"state": state.group(1), "csrf_token": token.group(1)}


def sign_up(client: FlaskClient, page: str, **fields: str) -> Any:
    data = {"first_name": "Lena", "email": "lena@example.com", "terms": "y", "privacy": "y", **fields}
    return client.post("/wifi/cafe", data={**form_values(page), **data})


def test_the_splash_shows_the_venue_and_a_short_form_without_scripts(client: FlaskClient, cafe: str) -> None:
    query, _ = arrival()
    page = client.get(f"/wifi/cafe?{query}")
    assert page.status_code == 200
    assert "Free Wi-Fi at Via Roma 1 — main shop" in page.text
    assert "Demo Café &amp; Market" in page.text
    for label in ("First name", "E-mail", "Phone (optional)", "I accept the Wi-Fi terms", "privacy notice"):
        assert label in page.text
    assert "<script" not in page.text and "manifest" not in page.text
    assert "http" not in re.sub(r'(href|action|value)="[^"]*"', "", page.text).replace("http-equiv", "")


def test_a_sign_up_lets_the_device_online_through_the_gateway_and_asks_to_confirm_the_address(
    client: FlaskClient, core: Core, core_app: Flask, inbox: Inbox, cafe: str
) -> None:
    query, hid = arrival()
    page = client.get(f"/wifi/cafe?{query}").text
    grant = sign_up(client, page, marketing="y")
    assert grant.status_code == 303
    location = urlsplit(grant.headers["Location"])
    assert (location.scheme, location.netloc, location.path) == ("http", GATEWAY, "/opennds_auth/")
    params = parse_qs(location.query)
    assert params["tok"] == [hashlib.sha256((hid + FASKEY).encode()).hexdigest()]
    assert params["redir"] == ["http://localhost/wifi/cafe/online"]

    online = client.get("/wifi/cafe/online")
    assert "You are online" in online.text
    number = re.search(r'<span class="number">(\d+)</span>', online.text)
    assert number is not None
    assert 'data-landing="https://cafe.example/welcome" data-delay="5"' in online.text

    deliver_mail(core_app)
    [message] = inbox.messages
    text = inbox.text(message)
    assert message["To"] == "lena@example.com" and "http://localhost/wifi/cafe/confirm/" in text
    assert number.group(1) not in text  # the card is mailed once the address is confirmed


def test_a_returning_device_connects_in_one_tap(client: FlaskClient, core: Core, cafe: str) -> None:
    query, _ = arrival()
    sign_up(client, client.get(f"/wifi/cafe?{query}").text)
    again = client.get(f"/wifi/cafe?{arrival(token='next-visit')[0]}").text
    assert "Welcome back — connect" in again and "Lena" not in again
    assert "New here? Sign up" in again
    tap = client.post("/wifi/cafe", data={**form_values(again), "returning": "1"})
    assert tap.status_code == 303 and urlsplit(tap.headers["Location"]).netloc == GATEWAY
    online = client.get("/wifi/cafe/online").text
    assert "Welcome back." in online and "Lena" not in online
    with core.db.read() as session:
        assert session.scalar(select(func.count()).select_from(WifiVisit)) == 2
        assert (
            session.scalar(select(func.count()).select_from(Customer).where(Customer.first_name == "Lena"))
            == 1
        )


def test_changed_terms_are_asked_again_before_the_one_tap(client: FlaskClient, core: Core, cafe: str) -> None:
    sign_up(client, client.get(f"/wifi/cafe?{arrival()[0]}").text)
    with core.db.read() as session:
        merchant_id = get_merchant(session, "demo").id
    update_hotspot(core.db, merchant_id, "cafe", options=HotspotOptions(privacy_version="2"))
    page = client.get(f"/wifi/cafe?{arrival(token='t2')[0]}").text
    assert "Our terms or privacy notice changed since your last visit." in page
    refused = client.post("/wifi/cafe", data={**form_values(page), "returning": "1", "needs_consent": "1"})
    assert refused.status_code == 422 and "Accept the terms to go online." in refused.text
    accepted = client.post(
        "/wifi/cafe",
        data={
            **form_values(page),
            "returning": "1",
            "needs_consent": "1",
            "back-terms": "y",
            "back-privacy": "y",
        },
    )
    assert accepted.status_code == 303


def test_form_mistakes_are_shown_next_to_their_fields_and_nothing_is_stored(
    client: FlaskClient, core: Core, cafe: str
) -> None:
    page = client.get(f"/wifi/cafe?{arrival()[0]}").text
    answer = sign_up(client, page, first_name="", email="not-an-address", terms="")
    assert answer.status_code == 422
    for message in (
        "Enter your first name.",
        "This is not a valid e-mail address.",
        "Accept the terms to go online.",
    ):
        assert message in answer.text
    assert 'aria-invalid="true"' in answer.text
    with core.db.read() as session:
        assert session.scalar(select(func.count()).select_from(WifiVisit)) == 0


def test_a_forged_gateway_address_gets_no_splash_and_no_redirect(client: FlaskClient, cafe: str) -> None:
    query, _ = arrival(gateway="evil.example:80")
    answer = client.get(f"/wifi/cafe?{query}")
    assert answer.status_code == 400 and "Location" not in answer.headers
    assert "did not come from the venue's Wi-Fi" in answer.text and "state" not in answer.text


def test_garbage_from_the_controller_is_refused_plainly(client: FlaskClient, cafe: str) -> None:
    for query in ("fas=%%%", "fas=" + base64.b64encode(b"hid=short").decode(), "foo=bar"):
        answer = client.get(f"/wifi/cafe?{query}")
        assert answer.status_code == 400, query


@pytest.mark.parametrize("change", ["tamper", "other-hotspot"])
def test_an_altered_or_borrowed_state_is_refused(
    client: FlaskClient, core: Core, cafe: str, change: str
) -> None:
    page = client.get(f"/wifi/cafe?{arrival()[0]}").text
    values = form_values(page)
    if change == "tamper":
        values["state"] = values["state"][:-3] + ("AAA" if not values["state"].endswith("AAA") else "BBB")
        target = "/wifi/cafe"
    else:
        target = "/wifi/demo-opennds"
    answer = client.post(
        target, data={**values, "first_name": "Lena", "email": "l@example.com", "terms": "y", "privacy": "y"}
    )
    assert answer.status_code == 400 and "Location" not in answer.headers
    with core.db.read() as session:
        assert session.scalar(select(func.count()).select_from(WifiVisit)) == 0


def site(core_app: Flask, inbox: Inbox, **settings: Any) -> FlaskClient:
    return composition.create_app(make_config(inbox, **settings), core_app=core_app).test_client()


def past(client: FlaskClient, **changes: timedelta) -> FlaskClient:
    """The site as if a lifetime of its Wi-Fi settings had already passed (none can be negative)."""
    app = client.application
    app.extensions[WIFI_SETTINGS] = replace(wifi_settings(app), **changes)
    return client


def test_an_expired_state_is_refused(core_app: Flask, inbox: Inbox, cafe: str) -> None:
    client = past(site(core_app, inbox), state_max_age=timedelta(seconds=-1))  # every state is too old
    page = client.get(f"/wifi/cafe?{arrival()[0]}").text
    answer = sign_up(client, page)
    assert answer.status_code == 400 and "This page has expired" in answer.text


def test_a_double_tap_gets_the_same_grant_but_a_state_replayed_later_is_refused(
    client: FlaskClient, core: Core, core_app: Flask, inbox: Inbox, cafe: str
) -> None:
    page = client.get(f"/wifi/cafe?{arrival()[0]}").text
    first = sign_up(client, page)
    again = sign_up(client, page)
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    later = past(site(core_app, inbox), replay_grace=timedelta(seconds=-1))  # the grace has passed
    later.set_cookie("loyalty_session", client.get_cookie("loyalty_session").value)  # type: ignore[union-attr]
    late = sign_up(later, page)
    assert late.status_code == 409 and "Location" not in late.headers
    assert "was used already" in late.text
    with core.db.read() as session:
        assert session.scalar(select(func.count()).select_from(WifiVisit)) == 1
        assert session.scalar(select(func.count()).select_from(OutboundMail)) == 1


def test_a_replayed_opennds_redirect_gets_one_sign_up_at_most(
    client: FlaskClient, core: Core, cafe: str
) -> None:
    """openNDS gives each connection its own hid; a redirect seen once (at level 2 it is encrypted
    but not signed: it can be replayed as it is) cannot sign up a second guest."""
    query, _ = arrival()
    assert sign_up(client, client.get(f"/wifi/cafe?{query}").text).status_code == 303
    replay = client.get(f"/wifi/cafe?{query}").text
    answer = sign_up(client, replay, first_name="Marta", email="marta@example.com")
    assert answer.status_code == 409 and "Location" not in answer.headers
    assert "was used already" in answer.text
    tap = client.post("/wifi/cafe", data={**form_values(replay), "returning": "1"})
    assert tap.status_code == 409
    with core.db.read() as session:
        assert session.scalar(select(func.count()).select_from(WifiVisit)) == 1
        assert (
            session.scalar(select(func.count()).select_from(Customer).where(Customer.first_name == "Marta"))
            == 0
        )


def test_the_language_can_change_without_losing_the_redirect(client: FlaskClient, cafe: str) -> None:
    page = client.get(f"/wifi/cafe?{arrival()[0]}").text
    italian = client.post("/wifi/cafe", data={**form_values(page), "lang": "it"})
    assert italian.status_code == 200 and 'lang="it"' in italian.text
    assert "Nome" in italian.text
    assert sign_up(client, italian.text).status_code == 303


def test_the_terms_page_shows_the_venue_s_wording(client: FlaskClient, cafe: str) -> None:
    page = client.get("/wifi/cafe/terms")
    assert page.status_code == 200 and "Be nice." in page.text


def test_without_wifi_the_page_points_to_the_web_sign_up(client: FlaskClient, cafe: str) -> None:
    page = client.get("/wifi/cafe")
    assert page.status_code == 200 and "/p/demo/join" in page.text


def test_an_unknown_or_switched_off_hotspot_is_not_found(client: FlaskClient, core: Core, cafe: str) -> None:
    assert client.get("/wifi/nowhere").status_code == 404
    with core.db.read() as session:
        merchant_id = get_merchant(session, "demo").id
    update_hotspot(core.db, merchant_id, "cafe", options=HotspotOptions(enabled=False))
    assert client.get(f"/wifi/cafe?{arrival()[0]}").status_code == 404


def test_characters_beyond_latin_1_in_a_redirect_are_no_trouble(
    client: FlaskClient, demo: dict[str, Any]
) -> None:
    # Both end in a path segment of a call to the core: the hotspot, and the device's MAC.
    assert client.get("/wifi/%F0%9F%98%80").status_code == 404
    grant = "https%3A%2F%2Fn143.network-auth.com%2Fsplash%2Fgrant"
    page = client.get(f"/wifi/demo-meraki?base_grant_url={grant}&client_mac=%E2%82%AC&client_ip=10.0.0.7")
    assert page.status_code == 200 and "First name" in page.text  # not a MAC: a device never seen


def test_a_unifi_controller_s_guest_path_reaches_the_hotspot_named_like_its_site(
    client: FlaskClient, demo: dict[str, Any]
) -> None:
    answer = client.get(
        "/guest/s/demo-unifi/?ap=aa:aa:aa:aa:aa:01&id=aa:bb:cc:00:11:22&t=1700000000&url=http://example.com/"
    )
    assert answer.status_code == 302
    target = urlsplit(answer.headers["Location"])
    assert target.path == "/wifi/demo-unifi" and parse_qs(target.query)["site"] == ["demo-unifi"]
    splash = client.get(answer.headers["Location"])
    assert splash.status_code == 200 and "Free Wi-Fi at Central Station kiosk" in splash.text
    wrong_site = client.get("/wifi/demo-unifi?id=aa:bb:cc:00:11:22&site=default")
    assert wrong_site.status_code == 400


def test_a_controller_that_does_not_answer_gets_a_retry_that_keeps_the_sign_up(
    core_app: Flask, inbox: Inbox, core: Core, demo: dict[str, Any]
) -> None:
    client = site(core_app, inbox, WIFI_CONTROLLER_NETWORKS="127.0.0.0/8")
    with core.db.read() as session:
        merchant_id = get_merchant(session, "demo").id
    moved = {
        "controller_url": "http://127.0.0.1:9",
        "password": "demo-unifi-password",
    }  # nothing listens there
    update_hotspot(core.db, merchant_id, "demo-unifi", settings=moved, networks=parse_networks("127.0.0.0/8"))
    page = client.get("/wifi/demo-unifi?id=aa:bb:cc:00:11:22&ap=aa:aa:aa:aa:aa:01").text
    values = form_values(page)
    answer = client.post(
        "/wifi/demo-unifi",
        data={**values, "first_name": "Lena", "email": "lena@example.com", "terms": "y", "privacy": "y"},
    )
    assert answer.status_code == 502 and "Try again" in answer.text
    retry = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', answer.text))
    assert retry["state"] == values["state"] and retry["email"] == "lena@example.com"
    assert client.post("/wifi/demo-unifi", data=retry).status_code == 502
    with core.db.read() as session:
        assert session.scalar(select(func.count()).select_from(WifiVisit)) == 1


def test_one_device_is_throttled_but_its_neighbours_are_not(core_app: Flask, inbox: Inbox, cafe: str) -> None:
    app = composition.create_app(
        make_config(inbox, RATELIMIT_WIFI_PER_DEVICE="2 per minute"), core_app=core_app
    )
    phone, neighbour = app.test_client(), app.test_client()
    page = phone.get(f"/wifi/cafe?{arrival()[0]}").text
    for _ in range(2):
        assert phone.post("/wifi/cafe", data={**form_values(page), "first_name": ""}).status_code == 422
    assert phone.post("/wifi/cafe", data={**form_values(page), "first_name": ""}).status_code == 429
    other = neighbour.get(f"/wifi/cafe?{arrival(mac='aa:bb:cc:00:11:33')[0]}").text
    assert sign_up(neighbour, other).status_code == 303


def test_the_sign_up_form_needs_its_csrf_token(client: FlaskClient, cafe: str) -> None:
    page = client.get(f"/wifi/cafe?{arrival()[0]}").text
    state = form_values(page)["state"]
    answer = client.post(
        "/wifi/cafe",
        data={"state": state, "first_name": "Lena", "email": "l@example.com", "terms": "y", "privacy": "y"},
    )
    assert answer.status_code == 400


def test_a_known_address_gets_online_but_learns_nothing_of_its_card(
    client: FlaskClient, app: Flask, cafe: str
) -> None:
    page = client.get(f"/wifi/cafe?{arrival()[0]}").text
    answer = sign_up(client, page, email="anna@example.com", first_name="Someone")
    assert answer.status_code == 303
    online = client.get("/wifi/cafe/online").text
    assert "Welcome back." in online and "7000100001" not in online and "Anna" not in online
    cookie = client.get_cookie("loyalty_session")
    assert cookie is not None
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    assert serializer is not None
    note = serializer.loads(cookie.value)["wifi_visit"]
    assert note["card"] is None and "first_name" not in note  # the cookie is signed, not secret
    again = client.get(f"/wifi/cafe?{arrival(token='next')[0]}").text
    assert "Welcome back" not in again  # the device is not taken for Anna's

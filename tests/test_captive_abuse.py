"""The splash as an attacker far from the venue uses it, where the controller's redirect proves
nothing (Meraki click-through, UniFi, MikroTik; openNDS level 1): any MAC, any address, many times.
It must not become a card factory or a mail cannon, and must not tell a spoofed MAC whose it is."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from limits import parse_many
from sqlalchemy import func, select

import composition
from admin_core.context import Core
from admin_core.models import Customer, OutboundMail, WifiVisit
from loyalty_common.deployment import MissingSetting

from .conftest import deliver_mail, make_config
from .smtp import Inbox
from .test_captive import form_values

WIFI_SIGNUPS_PER_IP = "RATELIMIT_WIFI_SIGNUPS_PER_IP"  # per address and hotspot
WIFI_SIGNUPS_PER_EMAIL = "RATELIMIT_WIFI_SIGNUPS_PER_EMAIL"
HOTSPOT = "demo-meraki"  # click-through: nothing in its redirect is signed


def meraki_arrival(mac: str) -> str:
    """A Meraki click-through redirect, as anyone can type it."""
    return urlencode(
        {
            "base_grant_url": "https://n42.network-auth.com/splash/grant",
            "user_continue_url": "http://example.com/",
            "node_mac": "e0:55:3d:00:00:01",
            "client_ip": "10.0.0.9",
            "client_mac": mac,
        }
    )


def mac_of(index: int) -> str:
    return f"02:00:00:00:{index // 256:02x}:{index % 256:02x}"


def sign_up(client: FlaskClient, index: int, **fields: str) -> Any:
    page = client.get(f"/wifi/{HOTSPOT}?{meraki_arrival(mac_of(index))}")
    assert page.status_code == 200, page.text
    data = {
        "first_name": "Lena",
        "email": f"victim{index}@example.com",
        "terms": "y",
        "privacy": "y",
        **fields,
    }
    return client.post(f"/wifi/{HOTSPOT}", data={**form_values(page.text), **data})


def allowed(app: Flask, setting: str) -> int:
    return min(limit.amount for limit in parse_many(str(app.config[setting])))


def client_at(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def count(core: Core, model: Any) -> int:
    with core.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_burst_of_sign_ups_from_one_address_is_refused_past_the_limit(
    app: Flask, core: Core, core_app: Flask, inbox: Inbox, demo: dict[str, Any]
) -> None:
    attacker = client_at(app, "203.0.113.7")
    limit = allowed(app, WIFI_SIGNUPS_PER_IP)
    assert limit < 30  # the attack's 30 sign-ups never all pass with the defaults
    answers = [sign_up(attacker, index).status_code for index in range(30)]
    assert answers == [303] * limit + [429] * (30 - limit)
    assert count(core, Customer) - len(demo["cards"]) == limit
    # The venue's guests, on the venue's own address, still sign up meanwhile.
    assert sign_up(client_at(app, "198.51.100.20"), 99).status_code == 303
    assert count(core, OutboundMail) == limit + 1  # one confirmation per new card, nothing else
    deliver_mail(core_app)
    for message in inbox.messages:
        text = inbox.text(message)
        assert text.splitlines()[0] == "Hello," and "Lena" not in text and "/confirm/" in text


def test_one_address_is_signed_up_a_few_times_at_most(app: Flask, core: Core, demo: dict[str, Any]) -> None:
    limit = allowed(app, WIFI_SIGNUPS_PER_EMAIL)
    answers = [
        sign_up(client_at(app, f"198.51.100.{index + 1}"), index, email="lena@example.com").status_code
        for index in range(limit + 1)
    ]
    assert answers == [303] * limit + [429]
    other = sign_up(client_at(app, "198.51.100.200"), 200, email="marta@example.com")
    assert other.status_code == 303


def test_the_sign_up_limits_come_from_the_settings(
    core_app: Flask, inbox: Inbox, demo: dict[str, Any]
) -> None:
    app = composition.create_app(
        make_config(inbox, RATELIMIT_WIFI_SIGNUPS_PER_IP="2 per hour"), core_app=core_app
    )
    client = client_at(app, "203.0.113.8")
    assert [sign_up(client, index).status_code for index in range(3)] == [303, 303, 429]
    with pytest.raises(MissingSetting, match="FLASK_RATELIMIT_WIFI_SIGNUPS_PER_EMAIL"):
        composition.create_app(
            make_config(inbox, RATELIMIT_WIFI_SIGNUPS_PER_EMAIL="often"), core_app=core_app
        )


def confirmation_link(text: str) -> str:
    found = re.search(r"http://localhost(/wifi/[^/\s]+/confirm/[A-Za-z0-9_-]+)", text)
    assert found, text
    return found.group(1)


def test_no_card_and_no_name_is_mailed_before_the_address_is_confirmed(
    client: FlaskClient, core: Core, core_app: Flask, inbox: Inbox, demo: dict[str, Any]
) -> None:
    assert sign_up(client, 1, first_name="Lena", email="lena@example.com").status_code == 303
    online = client.get(f"/wifi/{HOTSPOT}/online").text
    number = re.search(r'<span class="number">(\d+)</span>', online)
    assert number is not None  # the device that signed up sees its card
    assert "confirm your address" in online
    deliver_mail(core_app)
    [message] = inbox.messages
    text = inbox.text(message)
    assert message["To"] == "lena@example.com"
    assert number.group(1) not in text and "Lena" not in text and "Lena" not in message["Subject"]
    assert text.splitlines()[0] == "Hello,"
    link = confirmation_link(text)

    inbox.clear()
    page = client.get(link)
    assert page.status_code == 200 and "Confirm" in page.text
    deliver_mail(core_app)
    assert inbox.messages == []  # opening the link (a mail scanner does) confirms nothing
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    assert token
    confirmed = client.post(link, data={"csrf_token": token.group(1)})
    assert confirmed.status_code == 200 and number.group(1) in confirmed.text
    deliver_mail(core_app)
    [welcome] = inbox.messages
    assert welcome["To"] == "lena@example.com"
    welcome_text = inbox.text(welcome)
    assert number.group(1) in welcome_text and welcome_text.splitlines()[0] == "Hello Lena,"
    assert f"http://localhost/p/demo/activate?card={number.group(1)}" in welcome_text

    again = client.post(link, data={"csrf_token": token.group(1)})
    assert again.status_code == 410 and number.group(1) not in again.text
    assert count(core, OutboundMail) == 2


def test_a_replayed_sign_up_sends_no_second_confirmation(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    page = client.get(f"/wifi/{HOTSPOT}?{meraki_arrival(mac_of(1))}")
    data = {"first_name": "Lena", "email": "lena@example.com", "terms": "y", "privacy": "y"}
    for _ in range(2):
        assert client.post(f"/wifi/{HOTSPOT}", data={**form_values(page.text), **data}).status_code == 303
    assert count(core, OutboundMail) == 1 and count(core, WifiVisit) == 1


@pytest.mark.parametrize(
    "name",
    [
        "Visit evil.example now",
        "http://evil.example",
        "www.evil.example",
        "win@evil.example",
        "12345",
        "Lena 2",
    ],
)
def test_a_name_that_is_not_a_name_is_refused_next_to_its_field(
    client: FlaskClient, core: Core, demo: dict[str, Any], name: str
) -> None:
    answer = sign_up(client, 1, first_name=name)
    assert answer.status_code == 422
    assert "Write your first name with letters" in answer.text
    assert 'aria-invalid="true"' in answer.text
    assert count(core, WifiVisit) == 0


@pytest.mark.parametrize("name", ["Anne-Marie", "O'Brien", "J. R.", "Łukasz", "Иван", "Zoë", "D\u2019Angelo"])
def test_real_names_are_accepted(client: FlaskClient, demo: dict[str, Any], name: str) -> None:
    assert sign_up(client, 1, first_name=name).status_code == 303


def test_a_spoofed_mac_is_welcomed_back_without_a_name_or_a_card(app: Flask, demo: dict[str, Any]) -> None:
    lena = client_at(app, "198.51.100.20")
    assert sign_up(lena, 1, first_name="Lena", email="lena@example.com").status_code == 303
    spoofer = client_at(app, "203.0.113.7")  # anywhere, naming Lena's phone's MAC
    page = spoofer.get(f"/wifi/{HOTSPOT}?{meraki_arrival(mac_of(1))}")
    assert "Welcome back — connect" in page.text
    assert "Lena" not in page.text and "lena@" not in page.text
    tap = spoofer.post(f"/wifi/{HOTSPOT}", data={**form_values(page.text), "returning": "1"})
    assert tap.status_code == 303
    online = spoofer.get(f"/wifi/{HOTSPOT}/online").text
    assert "Welcome back." in online and "Lena" not in online
    assert re.search(r'class="number"', online) is None


def test_a_confirmation_link_dies_when_the_card_s_address_changes(
    client: FlaskClient, core: Core, core_app: Flask, inbox: Inbox, demo: dict[str, Any]
) -> None:
    assert sign_up(client, 1, email="lena@example.com").status_code == 303
    deliver_mail(core_app)
    link = confirmation_link(inbox.text(inbox.messages[0]))
    with core.db.write() as session:
        lena = session.scalars(select(Customer).where(Customer.email == "lena@example.com")).one()
        lena.email = "lena@elsewhere.example"  # changed at the till meanwhile
    page = client.get(link)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    assert token
    answer = client.post(link, data={"csrf_token": token.group(1)})
    assert answer.status_code == 410 and "no longer works" in answer.text
    assert count(core, OutboundMail) == 1

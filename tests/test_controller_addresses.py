"""The addresses the site posts a controller's credentials to (UniFi's controller, MikroTik's REST
API): never the site itself or the network it runs in, unless the operator lists the network
(WIFI_CONTROLLER_NETWORKS). Checked when a hotspot is saved, and again on the very addresses the
site connects to, since a name may resolve elsewhere by then (DNS rebinding)."""

from __future__ import annotations

from collections.abc import Iterator
from ipaddress import ip_address
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import admin_core
from admin_core.database import Database
from admin_core.models import HotspotKind
from captive.adapters.controller_http import controller_client
from loyalty_common import controller_addresses
from loyalty_common.deployment import MissingSetting

from .conftest import make_config, served, served_venue
from .simulators import MikroTik, UniFi
from .smtp import Inbox
from .wifi_venue import MAC, Phone, Venue

PUBLIC = "93.184.215.14"
REFUSED = "is not an address the site calls controllers at"
SITE_S_OWN = [
    "http://127.0.0.1:8443",
    "https://[::1]:8443",
    "http://169.254.169.254/latest/meta-data/",
    "https://[fe80::1]:8443",
    "http://[::ffff:127.0.0.1]:8443",
    "http://[::ffff:7f00:1]:8443",
    "http://localhost:8443",  # a name: what it resolves to counts
    "http://2130706433/",  # 127.0.0.1 as one decimal number
    "http://017700000001/",  # … in octal
    "http://0x7f000001/",  # … in hexadecimal
    "http://0.0.0.0:8443",
    "https://10.0.0.5:8443",  # private: seen from the site, its own network, not the venue's
    "https://192.168.1.2:8443",
    "http://100.64.0.1/",  # carrier-grade NAT
]


class FakeDNS:
    """Names of our own, answered without asking a DNS server; changed as a test goes on."""

    def __init__(self) -> None:
        self.records: dict[str, list[str]] = {}
        self.real = controller_addresses.resolve

    def __call__(self, host: str, port: int) -> list[Any]:
        if host in self.records:
            return [ip_address(each) for each in self.records[host]]
        return self.real(host, port)


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> FakeDNS:
    fake = FakeDNS()
    monkeypatch.setattr(controller_addresses, "resolve", fake)
    return fake


@pytest.fixture
def api(core_app: Flask) -> FlaskClient:
    return core_app.test_client()


def key(demo: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo['api_key']}"}


def unifi(url: str) -> dict[str, Any]:
    settings = {"controller_url": url, "username": "portal", "password": "controller-secret"}
    return {"store": "MAIN", "kind": "unifi", "settings": settings}


# When a hotspot is saved


@pytest.mark.parametrize("url", SITE_S_OWN)
def test_a_controller_at_the_site_s_own_addresses_is_refused_when_saved(
    api: FlaskClient, demo: dict[str, Any], url: str
) -> None:
    answer = api.post("/api/v1/hotspots", json=unifi(url), headers=key(demo))
    assert answer.status_code == 422, answer.json
    assert answer.json["error"]["code"] == "invalid_settings"
    [message] = answer.json["error"]["fields"]["controller_url"]
    assert REFUSED in message


def test_a_router_api_at_loopback_is_refused_and_a_move_there_too(
    api: FlaskClient, demo: dict[str, Any]
) -> None:
    settings = {
        "router_address": "10.5.50.1",
        "credentials": "per_guest",
        "api_url": "http://127.0.0.1/rest",
        "api_username": "portal",
        "api_password": "api-secret",
    }
    made = api.post(
        "/api/v1/hotspots",
        json={"store": "MAIN", "kind": "mikrotik", "settings": settings},
        headers=key(demo),
    )
    assert made.status_code == 422 and REFUSED in made.json["error"]["fields"]["api_url"][0]
    moved = api.patch(
        "/api/v1/hotspots/demo-unifi",
        json={"settings": {"controller_url": "http://169.254.169.254/", "password": "p"}},
        headers=key(demo),
    )
    assert moved.status_code == 422 and REFUSED in moved.json["error"]["fields"]["controller_url"][0]
    kept = api.get("/api/v1/hotspots/demo-unifi", headers=key(demo)).json["settings"]
    assert kept["controller_url"] == "https://192.168.8.2:8443"


def test_a_public_controller_is_saved_and_a_name_is_judged_by_every_address(
    api: FlaskClient, demo: dict[str, Any], dns: FakeDNS
) -> None:
    assert (
        api.post("/api/v1/hotspots", json=unifi(f"https://{PUBLIC}:8443"), headers=key(demo)).status_code
        == 201
    )
    dns.records["unifi.venue.test"] = [PUBLIC]
    named = api.post("/api/v1/hotspots", json=unifi("https://unifi.venue.test:8443"), headers=key(demo))
    assert named.status_code == 201
    dns.records["unifi.venue.test"] = [PUBLIC, "127.0.0.1"]
    moved = api.patch(
        f"/api/v1/hotspots/{named.json['id']}",
        json={"settings": {"controller_url": "https://unifi.venue.test:8443/", "password": "p"}},
        headers=key(demo),
    )
    assert moved.status_code == 422 and REFUSED in moved.json["error"]["fields"]["controller_url"][0]


def test_the_operator_s_networks_are_allowed_but_never_a_metadata_service(
    db: Database, inbox: Inbox, demo: dict[str, Any]
) -> None:
    networks = "127.0.0.0/8, 10.8.0.0/16 169.254.0.0/16 fc00::/7"
    api = admin_core.create_app(
        make_config(inbox, WIFI_CONTROLLER_NETWORKS=networks), database=db
    ).test_client()
    for url in (
        "http://127.0.0.1:8443",
        "http://localhost:8443",
        "https://10.8.3.4:8443",
        "http://[fd00::5]",
    ):
        assert api.post("/api/v1/hotspots", json=unifi(url), headers=key(demo)).status_code == 201, url
    for url in ("https://10.9.0.1:8443", "http://169.254.169.254/", "http://[fd00:ec2::254]/"):
        answer = api.post("/api/v1/hotspots", json=unifi(url), headers=key(demo))
        assert answer.status_code == 422 and REFUSED in answer.json["error"]["fields"]["controller_url"][0]


def test_networks_that_are_not_networks_stop_the_core_from_starting(db: Database, inbox: Inbox) -> None:
    with pytest.raises(MissingSetting, match="FLASK_WIFI_CONTROLLER_NETWORKS"):
        admin_core.create_app(make_config(inbox, WIFI_CONTROLLER_NETWORKS="10.0.0.0/33"), database=db)


# When the site connects


@pytest.fixture
def strict_venue(committed_db: Database, inbox: Inbox, built_apps: dict[Any, Any]) -> Iterator[Venue]:
    """A venue whose core saves loopback controllers, but whose site allows none."""
    with served_venue(built_apps, committed_db, inbox, site_networks="") as opened:
        yield opened


@pytest.fixture
def strict_phone(strict_venue: Venue) -> Iterator[Phone]:
    phone = Phone(strict_venue.base_url)
    yield phone
    phone.close()


def unifi_settings(url: str) -> dict[str, Any]:
    return {"controller_url": url, "site": "k3v9x2ab", "username": "portal", "password": "controller-secret"}


def sign_up_at_unifi(venue: Venue, phone: Phone, controller: UniFi) -> Any:
    splash = phone.open(controller.arrive(MAC, venue.base_url))
    assert splash.status_code == 200, splash.text
    return phone.sign_up(splash)


def test_a_site_that_does_not_allow_loopback_never_calls_a_controller_there(
    strict_venue: Venue, strict_phone: Phone
) -> None:
    phone = strict_phone
    with UniFi(False, "portal", "controller-secret", site="k3v9x2ab") as controller:
        strict_venue.hotspot(
            "k3v9x2ab", HotspotKind.UNIFI, unifi_settings(f"http://localhost:{controller.port}")
        )
        answer = sign_up_at_unifi(strict_venue, phone, controller)
        assert answer.status_code == 502 and "Try again" in answer.text
        assert not controller.is_online(MAC) and controller.refusals == []


def test_a_router_api_renamed_to_loopback_after_saving_is_not_called(
    strict_venue: Venue, strict_phone: Phone, dns: FakeDNS
) -> None:
    phone = strict_phone
    with MikroTik("portal-api", "api-secret", users={}) as router:
        dns.records["router.venue.test"] = [PUBLIC]
        settings = {
            "router_address": router.address,
            "credentials": "per_guest",
            "api_url": f"http://router.venue.test:{router.port}/rest",
            "api_username": "portal-api",
            "api_password": "api-secret",
        }
        strict_venue.hotspot("router", HotspotKind.MIKROTIK, settings)
        dns.records["router.venue.test"] = ["127.0.0.1"]  # rebound: now the site's own loopback
        arrival = router.arrive(MAC, "10.1.0.23", strict_venue.splash("router"))
        splash = phone.go(phone.http.post(strict_venue.splash("router"), data=arrival))
        answer = phone.sign_up(splash)
        assert answer.status_code == 502 and "Try again" in answer.text
        assert router.users == {} and not router.is_online(MAC)


def test_the_site_connects_to_the_address_it_checked(venue: Venue, guest_phone: Phone, dns: FakeDNS) -> None:
    with UniFi(False, "portal", "controller-secret", site="k3v9x2ab") as controller:
        # No DNS server knows this name: the grant reaches the controller only through the address
        # the site resolved and checked.
        dns.records["unifi.venue.test"] = ["127.0.0.1"]
        url = f"http://unifi.venue.test:{controller.port}"
        venue.hotspot("k3v9x2ab", HotspotKind.UNIFI, unifi_settings(url))
        answer = sign_up_at_unifi(venue, guest_phone, controller)
        assert answer.status_code == 200 and controller.is_online(MAC)
        dns.records["unifi.venue.test"] = ["127.0.0.1", "169.254.169.254"]  # one refused address: none
        controller.revoke(MAC)
        other = Phone(venue.base_url, mac="aa:bb:cc:00:11:99")
        try:
            splash = other.open(controller.arrive(other.mac, venue.base_url))
            assert other.sign_up(splash, email="max@example.com").status_code == 502
            assert not controller.is_online(other.mac)
        finally:
            other.close()


def echo(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [environ["HTTP_HOST"].encode()]


def test_the_controller_s_host_is_named_in_the_request(dns: FakeDNS) -> None:
    dns.records["unifi.venue.test"] = ["127.0.0.1"]
    networks = controller_addresses.parse_networks("127.0.0.0/8")
    with served(echo) as base_url, controller_client(networks, verify=True, timeout=5) as client:
        port = base_url.rsplit(":", 1)[1]
        assert client.get(f"http://unifi.venue.test:{port}/").text == f"unifi.venue.test:{port}"


def test_a_name_with_several_addresses_is_reached_at_the_first_that_answers(dns: FakeDNS) -> None:
    dns.records["unifi.venue.test"] = ["127.0.0.2", "127.0.0.1"]  # nothing listens on the first
    networks = controller_addresses.parse_networks("127.0.0.0/8")
    with served(echo) as base_url, controller_client(networks, verify=True, timeout=5) as client:
        port = base_url.rsplit(":", 1)[1]
        assert client.get(f"http://unifi.venue.test:{port}/").status_code == 200

"""The whole Wi-Fi flow against a simulator of each controller's real protocol: redirect → splash →
sign-up → grant → device online → "you are online" → the venue's landing page. A wrong secret, a
forged address or a wrong credential must stop it: the device stays offline."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from sqlalchemy import select

from admin_core.models import HotspotKind, WifiVisit
from demo.access_point import DemoAccessPoint

from .conftest import served
from .simulators import CoovaChilli, Meraki, MikroTik, OpenNDS, UniFi
from .wifi_venue import LANDING, MAC, Phone, Venue

IP = "10.1.0.23"


def assert_online_page(page: httpx.Response, venue: Venue) -> str:
    """The "you are online" page, then the landing page: returns the new card's number."""
    assert page.status_code == 200 and str(page.url).startswith(venue.base_url), page.text
    assert "You are online" in page.text
    assert f'data-landing="{LANDING}" data-delay="5"' in page.text
    number = re.search(r'<span class="number">(\d+)</span>', page.text)
    assert number is not None
    return number.group(1)


def with_param(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    return urlunsplit(parts._replace(query=urlencode({**query, name: value})))


# openNDS


@pytest.mark.parametrize("level", [1, 2])
def test_opennds_lets_the_device_online_for_a_sign_up(venue: Venue, guest_phone: Phone, level: int) -> None:
    with OpenNDS("gatewayKey2026", level, venue.splash("nds")) as gateway:
        settings = {"fas_level": level, "faskey": "gatewayKey2026", "gateway_address": gateway.address}
        venue.hotspot("nds", HotspotKind.OPENNDS, settings)
        splash = guest_phone.open(gateway.arrive(MAC, IP))
        assert splash.status_code == 200 and "Free Wi-Fi at" in splash.text
        assert not gateway.is_online(MAC)
        assert_online_page(guest_phone.sign_up(splash), venue)
        assert gateway.is_online(MAC)
        assert gateway.refusals == []


def test_opennds_a_second_tap_after_the_grant_still_ends_online(venue: Venue, guest_phone: Phone) -> None:
    with OpenNDS("gatewayKey2026", 2, venue.splash("nds")) as gateway:
        venue.hotspot(
            "nds",
            HotspotKind.OPENNDS,
            {"fas_level": 2, "faskey": "gatewayKey2026", "gateway_address": gateway.address},
        )
        splash = guest_phone.open(gateway.arrive(MAC, IP))
        number = assert_online_page(guest_phone.sign_up(splash), venue)
        again = guest_phone.sign_up(splash)  # the same page sent again: the gateway says "authenticated"
        assert assert_online_page(again, venue) == number


def test_opennds_level_2_with_a_wrong_faskey_gets_no_splash(venue: Venue, guest_phone: Phone) -> None:
    with OpenNDS("gatewayKey2026", 2, venue.splash("nds")) as gateway:
        venue.hotspot(
            "nds",
            HotspotKind.OPENNDS,
            {"fas_level": 2, "faskey": "notTheKey2026", "gateway_address": gateway.address},
        )
        refused = guest_phone.open(gateway.arrive(MAC, IP))
        assert refused.status_code == 400 and "state" not in refused.text
        assert not gateway.is_online(MAC)


def test_opennds_level_1_with_a_wrong_faskey_is_refused_by_the_gateway(
    venue: Venue, guest_phone: Phone
) -> None:
    with OpenNDS("gatewayKey2026", 1, venue.splash("nds")) as gateway:
        venue.hotspot(
            "nds",
            HotspotKind.OPENNDS,
            {"fas_level": 1, "faskey": "notTheKey2026", "gateway_address": gateway.address},
        )
        guest_phone.sign_up(guest_phone.open(gateway.arrive(MAC, IP)))
        assert not gateway.is_online(MAC)
        assert gateway.refusals


def test_opennds_with_another_gateway_address_is_refused(venue: Venue, guest_phone: Phone) -> None:
    with OpenNDS("gatewayKey2026", 2, venue.splash("nds")) as gateway:
        venue.hotspot(
            "nds",
            HotspotKind.OPENNDS,
            {"fas_level": 2, "faskey": "gatewayKey2026", "gateway_address": "192.168.1.1:2050"},
        )
        refused = guest_phone.open(gateway.arrive(MAC, IP))
        assert refused.status_code == 400 and not gateway.is_online(MAC)


# Meraki


def test_meraki_click_through_grants_for_the_session_length(venue: Venue, guest_phone: Phone) -> None:
    venue.hotspot("lobby", HotspotKind.MERAKI, {"mode": "click-through"})
    with Meraki("click-through") as meraki:
        splash = guest_phone.open(meraki.arrive(MAC, IP, venue.splash("lobby")))
        assert_online_page(guest_phone.sign_up(splash), venue)
        assert meraki.is_online(MAC) and meraki.online[MAC].minutes == 45


def test_meraki_sign_on_posts_the_venue_s_account(venue: Venue, guest_phone: Phone) -> None:
    venue.hotspot(
        "lobby", HotspotKind.MERAKI, {"mode": "sign-on", "username": "guests", "password": "door-2026"}
    )
    with Meraki("sign-on", "guests", "door-2026") as meraki:
        assert_online_page(
            guest_phone.sign_up(guest_phone.open(meraki.arrive(MAC, IP, venue.splash("lobby")))), venue
        )
        assert meraki.is_online(MAC) and meraki.online[MAC].username == "guests"


def test_meraki_sign_on_with_a_wrong_password_stays_offline(venue: Venue, guest_phone: Phone) -> None:
    venue.hotspot(
        "lobby", HotspotKind.MERAKI, {"mode": "sign-on", "username": "guests", "password": "old-password"}
    )
    with Meraki("sign-on", "guests", "door-2026") as meraki:
        guest_phone.sign_up(guest_phone.open(meraki.arrive(MAC, IP, venue.splash("lobby"))))
        assert not meraki.is_online(MAC) and meraki.refusals


def test_meraki_grant_url_on_another_host_is_refused(venue: Venue, guest_phone: Phone) -> None:
    venue.hotspot("lobby", HotspotKind.MERAKI, {"mode": "click-through"})
    with Meraki("click-through") as meraki:
        forged = with_param(
            meraki.arrive(MAC, IP, venue.splash("lobby")),
            "base_grant_url",
            "https://n1.network-auth.com.evil.example/splash/grant",
        )
        refused = guest_phone.open(forged)
        assert refused.status_code == 400 and not refused.is_redirect
        plain = with_param(
            meraki.arrive(MAC, IP, venue.splash("lobby")),
            "base_grant_url",
            "http://localhost.evil.example/grant",
        )
        assert guest_phone.open(plain).status_code == 400
        assert not meraki.is_online(MAC)


# UniFi


@pytest.mark.parametrize("unifi_os", [False, True])
def test_unifi_authorizes_the_guest_with_its_limits(venue: Venue, guest_phone: Phone, unifi_os: bool) -> None:
    with UniFi(unifi_os, "portal", "controller-secret", site="k3v9x2ab") as controller:
        settings = {
            "controller_url": controller.base_url,
            "site": "k3v9x2ab",
            "username": "portal",
            "password": "controller-secret",
            "unifi_os": unifi_os,
        }
        venue.hotspot("k3v9x2ab", HotspotKind.UNIFI, settings, up_kbps=2000, down_kbps=10000, quota_mb=500)
        splash = guest_phone.open(controller.arrive(MAC, venue.base_url))
        assert splash.status_code == 200 and "/wifi/k3v9x2ab" in str(splash.url)
        assert_online_page(guest_phone.sign_up(splash), venue)
        online = controller.online[MAC]
        assert (online.minutes, online.up_kbps, online.down_kbps, online.quota_mb) == (45, 2000, 10000, 500)


def test_unifi_with_a_wrong_password_keeps_the_sign_up_and_offers_a_retry(
    venue: Venue, guest_phone: Phone
) -> None:
    with UniFi(True, "portal", "controller-secret", site="k3v9x2ab") as controller:
        settings = {
            "controller_url": controller.base_url,
            "site": "k3v9x2ab",
            "username": "portal",
            "password": "wrong",
            "unifi_os": True,
        }
        venue.hotspot("k3v9x2ab", HotspotKind.UNIFI, settings)
        answer = guest_phone.sign_up(guest_phone.open(controller.arrive(MAC, venue.base_url)))
        assert answer.status_code == 502 and "Try again" in answer.text
        assert not controller.is_online(MAC) and controller.refusals


def test_unifi_classic_when_told_it_is_unifi_os_stays_offline(venue: Venue, guest_phone: Phone) -> None:
    with UniFi(False, "portal", "controller-secret", site="k3v9x2ab") as controller:
        settings = {
            "controller_url": controller.base_url,
            "site": "k3v9x2ab",
            "username": "portal",
            "password": "controller-secret",
            "unifi_os": True,
        }
        venue.hotspot("k3v9x2ab", HotspotKind.UNIFI, settings)
        assert (
            guest_phone.sign_up(guest_phone.open(controller.arrive(MAC, venue.base_url))).status_code == 502
        )
        assert not controller.is_online(MAC)


# MikroTik


@pytest.mark.parametrize("credentials", ["shared", "per_guest"])
def test_mikrotik_logs_the_device_in_with_chap(venue: Venue, guest_phone: Phone, credentials: str) -> None:
    with MikroTik("portal-api", "api-secret", users={"guest": "guest-secret"}) as router:
        settings: dict[str, Any] = {"router_address": router.address, "credentials": credentials}
        if credentials == "shared":
            settings |= {"username": "guest", "password": "guest-secret"}
        else:
            settings |= {
                "api_url": f"{router.base_url}/rest",
                "api_username": "portal-api",
                "api_password": "api-secret",
            }
        venue.hotspot("router", HotspotKind.MIKROTIK, settings, quota_mb=300)
        fields = router.arrive(MAC, IP, venue.splash("router"))
        assert fields["chap-id"].startswith("\\")
        splash = guest_phone.go(guest_phone.http.post(venue.splash("router"), data=fields))
        assert splash.status_code == 200 and "Free Wi-Fi at" in splash.text
        assert_online_page(guest_phone.sign_up(splash), venue)
        assert router.is_online(MAC)
        if credentials == "per_guest":
            [made] = [user for name, user in router.users.items() if name != "guest"]
            assert router.online[MAC].username == made.name and router.online[MAC].minutes == 45


def test_mikrotik_with_a_wrong_shared_password_stays_offline(venue: Venue, guest_phone: Phone) -> None:
    with MikroTik("portal-api", "api-secret", users={"guest": "guest-secret"}) as router:
        venue.hotspot(
            "router",
            HotspotKind.MIKROTIK,
            {"router_address": router.address, "username": "guest", "password": "nope"},
        )
        splash = guest_phone.go(
            guest_phone.http.post(venue.splash("router"), data=router.arrive(MAC, IP, venue.splash("router")))
        )
        guest_phone.sign_up(splash)
        assert not router.is_online(MAC) and router.refusals


def test_mikrotik_login_address_off_the_router_is_refused(venue: Venue, guest_phone: Phone) -> None:
    with MikroTik("portal-api", "api-secret", users={"guest": "guest-secret"}) as router:
        venue.hotspot(
            "router",
            HotspotKind.MIKROTIK,
            {"router_address": router.address, "username": "guest", "password": "guest-secret"},
        )
        fields = router.arrive(MAC, IP, venue.splash("router")) | {
            "link-login-only": "http://evil.example/login"
        }
        refused = guest_phone.http.post(venue.splash("router"), data=fields)
        assert refused.status_code == 400 and not router.is_online(MAC)


# CoovaChilli


def test_coova_logs_the_device_in_and_comes_back_with_success(venue: Venue, guest_phone: Phone) -> None:
    venue.hotspot(
        "chilli",
        HotspotKind.COOVA,
        {"uamsecret": "uam-2026", "username": "registered", "password": "radius-pw"},
    )
    with CoovaChilli("uam-2026", {"registered": "radius-pw"}, venue.splash("chilli")) as chilli:
        splash = guest_phone.open(chilli.arrive(MAC, IP))
        assert splash.status_code == 200
        assert_online_page(guest_phone.sign_up(splash), venue)
        assert chilli.is_online(MAC)


def test_coova_with_a_wrong_uamsecret_gets_no_splash(venue: Venue, guest_phone: Phone) -> None:
    venue.hotspot(
        "chilli",
        HotspotKind.COOVA,
        {"uamsecret": "not-the-secret", "username": "registered", "password": "radius-pw"},
    )
    with CoovaChilli("uam-2026", {"registered": "radius-pw"}, venue.splash("chilli")) as chilli:
        refused = guest_phone.open(chilli.arrive(MAC, IP))
        assert refused.status_code == 400 and not chilli.is_online(MAC)


def test_coova_with_a_tampered_gateway_address_is_refused(venue: Venue, guest_phone: Phone) -> None:
    venue.hotspot(
        "chilli",
        HotspotKind.COOVA,
        {"uamsecret": "uam-2026", "username": "registered", "password": "radius-pw"},
    )
    with CoovaChilli("uam-2026", {"registered": "radius-pw"}, venue.splash("chilli")) as chilli:
        url = chilli.arrive(MAC, IP).replace("uamip=127.0.0.1", "uamip=203.0.113.9")
        assert guest_phone.open(url).status_code == 400


def test_coova_with_a_wrong_radius_password_says_the_hotspot_refused(
    venue: Venue, guest_phone: Phone
) -> None:
    venue.hotspot(
        "chilli", HotspotKind.COOVA, {"uamsecret": "uam-2026", "username": "registered", "password": "wrong"}
    )
    with CoovaChilli("uam-2026", {"registered": "radius-pw"}, venue.splash("chilli")) as chilli:
        answer = guest_phone.sign_up(guest_phone.open(chilli.arrive(MAC, IP)))
        assert answer.status_code == 502 and not chilli.is_online(MAC)


def test_meraki_grant_urls_a_browser_would_read_otherwise_are_refused(
    venue: Venue, guest_phone: Phone
) -> None:
    venue.hotspot(
        "lobby", HotspotKind.MERAKI, {"mode": "sign-on", "username": "guests", "password": "door-2026"}
    )
    with Meraki("sign-on", "guests", "door-2026") as meraki:
        for forged in (
            "https://evil.example\\.network-auth.com/splash/login",  # a browser goes to evil.example
            "https://evil.example%09.network-auth.com/splash/login",
            "https://[network-auth.com/splash/login",
        ):
            arrival = with_param(meraki.arrive(MAC, IP, venue.splash("lobby")), "login_url", forged)
            answer = guest_phone.open(arrival)
            assert answer.status_code == 400 and "door-2026" not in answer.text, forged


def test_mikrotik_without_chap_never_gets_the_shared_password(venue: Venue, guest_phone: Phone) -> None:
    with MikroTik("portal-api", "api-secret", users={"guest": "guest-secret"}, use_chap=False) as router:
        venue.hotspot(
            "router",
            HotspotKind.MIKROTIK,
            {"router_address": router.address, "username": "guest", "password": "guest-secret"},
        )
        refused = guest_phone.http.post(
            venue.splash("router"), data=router.arrive(MAC, IP, venue.splash("router"))
        )
        assert refused.status_code == 400 and "guest-secret" not in refused.text
        odd = router.arrive(MAC, IP, venue.splash("router")) | {"chap-id": "\\777", "chap-challenge": "\\001"}
        assert guest_phone.http.post(venue.splash("router"), data=odd).status_code == 400


def test_the_demo_s_access_point_lets_a_browser_online_through_the_splash(
    venue: Venue, guest_phone: Phone
) -> None:
    """`make run` serves a Meraki click-through access point on loopback for the demo's Wi-Fi."""
    access_point = DemoAccessPoint(venue.base_url, "demo-meraki")
    with served(access_point) as base_url:
        news = f"{base_url}/news"
        splash = guest_phone.open(news)
        assert str(splash.url).startswith(venue.splash("demo-meraki") + "?") and "Free Wi-Fi" in splash.text
        online = guest_phone.sign_up(splash, email="demo-guest@example.com")
        assert online.status_code == 200 and str(online.url).startswith(
            venue.splash("demo-meraki") + "/online"
        )
        [mac] = access_point.online_until
        assert "You are online" in guest_phone.open(news).text
    with venue.core.db.read() as session:
        visit = session.scalars(select(WifiVisit).order_by(WifiVisit.id.desc())).first()
        assert visit is not None and visit.device_mac == mac

"""openNDS FAS level 3 end to end: the redirect is encrypted as at level 2, nobody's browser goes to
the gateway; the gateway's authmon daemon polls the splash's address for the grants waiting for it,
lets the devices online, acknowledges them, and only then is the guest's visit stored."""

from __future__ import annotations

import base64
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from admin_core.errors import InvalidFields
from admin_core.models import Customer, HotspotKind, OutboundMail, WifiGatewayGrant, WifiVisit
from admin_core.services import utcnow
from admin_core.services.hotspots import create_hotspot
from admin_core.services.housekeeping import purge_records
from admin_core.services.merchants import get_merchant

from .simulators import OpenNDS
from .test_captive_controllers import assert_online_page
from .wifi_venue import MAC, Phone, Venue

IP = "10.1.0.23"
FASKEY = "gatewayKey2026"


def level3(venue: Venue, gateway: OpenNDS, hotspot: str = "nds", **options: Any) -> None:
    """A level-3 hotspot, and its gateway booting: authmon starts with `clear` (answered, though no
    guest has come yet to make the gateway known)."""
    settings = {"fas_level": 3, "faskey": FASKEY, "gateway_address": gateway.address}
    venue.hotspot(hotspot, HotspotKind.OPENNDS, settings, **options)
    assert gateway.authmon(rounds=0) == [""] and gateway.refusals == []


def count(venue: Venue, model: Any, *where: Any) -> int:
    with venue.core.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def poll(venue: Venue, hotspot: str, action: str, gateway_hash: str, payload: str = "none") -> httpx.Response:
    """One request of authmon's, as post-request.php sends it."""
    fields = {
        "auth_get": action,
        "gatewayhash": gateway_hash,
        "payload": base64.b64encode(payload.encode()).decode(),
    }
    return httpx.post(venue.splash(hotspot), data=fields, timeout=30)


def test_the_gateway_lets_the_device_online_and_only_then_is_the_visit_stored(
    venue: Venue, guest_phone: Phone
) -> None:
    with OpenNDS(FASKEY, 3, venue.splash("nds")) as gateway:
        level3(venue, gateway, up_kbps=2000, down_kbps=8000, quota_mb=500)
        splash = guest_phone.open(gateway.arrive(MAC, IP))
        assert splash.status_code == 200 and "Free Wi-Fi at" in splash.text
        connecting = guest_phone.sign_up(splash)
        # Nobody's browser was sent to the gateway: the guest waits, nothing is stored yet.
        assert connecting.status_code == 200 and "Connecting…" in connecting.text
        assert not gateway.is_online(MAC)
        assert (
            count(venue, WifiVisit) == 0 and count(venue, Customer, Customer.email == "lena@example.com") == 0
        )

        answers = gateway.authmon(rounds=2)
        assert gateway.refusals == []
        listed, ack, again, empty_ack = answers
        assert ack == "ack" and again == "*" and empty_ack == "ack"
        line = base64.b64encode(b"hotspot=nds").decode().replace("=", "%3D")
        assert re.fullmatch(rf"\* [0-9a-f]{{64}}%2045%202000%208000%20500000%20500000%20{line}", listed)
        online = gateway.online[MAC]
        assert (online.minutes, online.up_kbps, online.down_kbps, online.quota_mb) == (45, 2000, 8000, 500)
        assert gateway.custom[MAC] == "hotspot=nds"

        number = assert_online_page(guest_phone.open(str(connecting.url)), venue)
        assert count(venue, WifiVisit) == 1
        assert count(venue, Customer, Customer.email == "lena@example.com") == 1
        assert count(venue, OutboundMail, OutboundMail.recipient == "lena@example.com") == 1
        with venue.core.db.read() as session:
            grant = session.scalars(select(WifiGatewayGrant)).one()
            assert grant.visit is None  # what the guest typed is not kept with the grant
            assert grant.outcome == {"outcome": "created", "card": number, "emailed": True}


def test_a_wrong_gatewayhash_is_refused_and_learns_nothing(venue: Venue, guest_phone: Phone) -> None:
    with OpenNDS(FASKEY, 3, venue.splash("nds")) as gateway:
        level3(venue, gateway)
        guest_phone.sign_up(guest_phone.open(gateway.arrive(MAC, IP)))
        wrong = OpenNDS(FASKEY, 3, venue.splash("nds"), gateway_name="Someone Else").gateway_hash
        for action in ("view", "list", "clear", "deauthed"):
            refused = poll(venue, "nds", action, wrong)
            assert (refused.status_code, refused.text) == (403, ""), action
        forged_ack = poll(venue, "nds", "view", wrong, "* " + "0" * 64)
        assert (forged_ack.status_code, forged_ack.text) == (403, "")
        assert poll(venue, "nds", "view", "not-a-hash").status_code == 403
        gateway.authmon(rounds=1, gateway_hash=wrong)
        assert not gateway.is_online(MAC) and gateway.refusals
        assert count(venue, WifiVisit) == 0 and count(venue, WifiGatewayGrant) == 1
        # The right gateway still finds its guest's grant.
        gateway.refusals.clear()
        gateway.authmon(rounds=1)
        assert gateway.is_online(MAC) and gateway.refusals == []


def test_a_hotspot_below_level_3_answers_no_poll(venue: Venue, guest_phone: Phone) -> None:
    with OpenNDS(FASKEY, 2, venue.splash("nds")) as gateway:
        settings = {"fas_level": 2, "faskey": FASKEY, "gateway_address": gateway.address}
        venue.hotspot("nds", HotspotKind.OPENNDS, settings)
        assert poll(venue, "nds", "view", gateway.gateway_hash).status_code == 403


@pytest.mark.parametrize("level", [2, 3])
def test_a_tampered_encrypted_redirect_gets_a_clear_refusal(
    venue: Venue, guest_phone: Phone, level: int
) -> None:
    with OpenNDS(FASKEY, level, venue.splash("nds")) as gateway:
        settings = {"fas_level": level, "faskey": FASKEY, "gateway_address": gateway.address}
        venue.hotspot("nds", HotspotKind.OPENNDS, settings)
        redirect = gateway.arrive(MAC, IP)
        fas = re.search(r"fas=([^&]+)", redirect)
        assert fas
        tampered = [
            redirect.replace(fas.group(1), base64.b64encode(b"hid=" + b"a" * 64).decode()),  # no key
            redirect.replace(fas.group(1), "not base64!"),
            re.sub(r"&iv=[0-9a-f]+", "", redirect),
        ]
        for url in tampered:
            refused = guest_phone.open(url)
            assert refused.status_code == 400, url
            assert (
                "did not come from the venue's Wi-Fi" in refused.text and 'name="state"' not in refused.text
            )
        assert count(venue, WifiGatewayGrant) == 0 and not gateway.is_online(MAC)


def test_a_grant_not_fetched_in_time_lapses(venue: Venue, guest_phone: Phone) -> None:
    with OpenNDS(FASKEY, 3, venue.splash("nds")) as gateway:
        level3(venue, gateway)
        connecting = guest_phone.sign_up(guest_phone.open(gateway.arrive(MAC, IP)))
        with venue.core.db.write() as session:
            session.execute(update(WifiGatewayGrant).values(expires_at=utcnow() - timedelta(seconds=1)))
        listed, _ack = gateway.authmon(rounds=1)
        assert listed == "*" and not gateway.is_online(MAC)
        lapsed = guest_phone.open(str(connecting.url))
        assert lapsed.status_code == 504 and "Reconnect to the Wi-Fi" in lapsed.text
        assert count(venue, WifiVisit) == 0
        assert purge_records(venue.core.db).gateway_grants == 1
        assert count(venue, WifiGatewayGrant) == 0


def test_two_hotspots_gateways_never_see_each_other_s_grants(venue: Venue) -> None:
    with (
        OpenNDS(FASKEY, 3, venue.splash("north"), gateway_name="North Bar") as north,
        OpenNDS(FASKEY, 3, venue.splash("south"), gateway_name="South Bar") as south,
    ):
        level3(venue, north, "north")
        level3(venue, south, "south")
        guests = {
            north: Phone(venue.base_url, "aa:bb:cc:00:00:01"),
            south: Phone(venue.base_url, "aa:bb:cc:00:00:02"),
        }
        try:
            for gateway, phone in guests.items():
                phone.sign_up(
                    phone.open(gateway.arrive(phone.mac, IP)), email=f"{phone.mac[-2:]}@example.com"
                )
        finally:
            for phone in guests.values():
                phone.close()
        # Each gateway polling the other's hotspot is a stranger there.
        assert poll(venue, "south", "view", north.gateway_hash).status_code == 403
        assert poll(venue, "north", "view", south.gateway_hash).status_code == 403
        north.authmon(rounds=1)
        assert north.is_online("aa:bb:cc:00:00:01") and not south.is_online("aa:bb:cc:00:00:02")
        assert count(venue, WifiVisit) == 1
        south.authmon(rounds=1)
        assert south.is_online("aa:bb:cc:00:00:02") and count(venue, WifiVisit) == 2
        assert north.refusals == [] and south.refusals == []


@pytest.mark.both_backends  # two transactions acknowledging one grant: each backend's row locks
@pytest.mark.parametrize("action", ["list", "view"])
def test_two_polls_taking_the_same_grant_store_its_visit_once(
    venue: Venue, guest_phone: Phone, action: str
) -> None:
    with OpenNDS(FASKEY, 3, venue.splash("nds")) as gateway:
        level3(venue, gateway)
        guest_phone.sign_up(guest_phone.open(gateway.arrive(MAC, IP)))
        listed = poll(venue, "nds", "view", gateway.gateway_hash).text
        rhid = listed.split()[1][:64]
        start = Barrier(2)

        def take(_: int) -> httpx.Response:
            start.wait()
            if action == "list":
                return poll(venue, "nds", "list", gateway.gateway_hash)
            return poll(venue, "nds", "view", gateway.gateway_hash, f"* {rhid}")

        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(take, range(2)))
        assert [answer.status_code for answer in answers] == [200, 200]
        assert count(venue, WifiVisit) == 1
        assert count(venue, Customer, Customer.email == "lena@example.com") == 1
        assert count(venue, OutboundMail, OutboundMail.recipient == "lena@example.com") == 1
        assert poll(venue, "nds", "view", gateway.gateway_hash).text == "*"


def test_the_gateway_s_restart_clears_what_it_was_sent(venue: Venue, guest_phone: Phone) -> None:
    with OpenNDS(FASKEY, 3, venue.splash("nds")) as gateway:
        level3(venue, gateway)
        connecting = guest_phone.sign_up(guest_phone.open(gateway.arrive(MAC, IP)))
        assert poll(venue, "nds", "clear", gateway.gateway_hash).status_code == 200
        assert poll(venue, "nds", "view", gateway.gateway_hash).text == "*"
        assert guest_phone.open(str(connecting.url)).status_code == 504
        assert poll(venue, "nds", "deauthed", gateway.gateway_hash, "method=timeout_deauth").text == "ack"


def test_level_3_is_a_setting_and_the_gateway_address_still_needs_its_port(venue: Venue) -> None:
    with venue.core.db.read() as session:
        merchant_id = get_merchant(session, "demo").id
    settings = {"fas_level": 3, "faskey": FASKEY, "gateway_address": "192.168.1.1"}
    with pytest.raises(InvalidFields) as refused:
        create_hotspot(venue.core.db, merchant_id, "MAIN", HotspotKind.OPENNDS, settings)
    assert list(refused.value.fields) == ["gateway_address"]
    with pytest.raises(InvalidFields) as refused:
        create_hotspot(venue.core.db, merchant_id, "MAIN", HotspotKind.OPENNDS, {**settings, "fas_level": 4})
    assert "fas_level" in refused.value.fields


def test_a_returning_device_waits_for_its_gateway_too(venue: Venue, guest_phone: Phone) -> None:
    with OpenNDS(FASKEY, 3, venue.splash("nds")) as gateway:
        level3(venue, gateway)
        first = guest_phone.sign_up(guest_phone.open(gateway.arrive(MAC, IP)))
        gateway.authmon(rounds=1)
        assert_online_page(guest_phone.open(str(first.url)), venue)
        gateway.revoke(MAC)  # the session ended; the device comes back another day
        again = guest_phone.open(gateway.arrive(MAC, IP))
        assert "Welcome back — connect" in again.text
        state = re.search(r'name="state" value="([^"]+)"', again.text)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', again.text)
        assert state and token
        tap = guest_phone.go(
            guest_phone.http.post(
                str(again.url).split("?")[0],
                data={"state": state.group(1), "csrf_token": token.group(1), "returning": "1"},
            )
        )
        assert "Connecting…" in tap.text and not gateway.is_online(MAC)
        assert count(venue, WifiVisit) == 1
        gateway.authmon(rounds=1)
        assert gateway.is_online(MAC) and count(venue, WifiVisit) == 2
        online = guest_phone.open(str(tap.url))
        assert "Welcome back." in online.text and "Lena" not in online.text

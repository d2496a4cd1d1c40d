"""A stadium gate: many guests sign up on the Wi-Fi at once, some tapping twice. Every sign-up is
kept once, with its consents, and every device is let online once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from sqlalchemy import func, select

from admin_core.models import ConsentKind, ConsentRecord, Customer, HotspotKind, WifiVisit

from .simulators import OpenNDS
from .wifi_venue import Phone, Venue

pytestmark = pytest.mark.both_backends  # simultaneous sign-ups: each backend's locking and unique constraints

GUESTS = 100  # two each: as many at once as before, half the waiting
CLIENTS = 50


def letters(number: int) -> str:
    """A name for guest `number`: names have no digits."""
    return "".join(chr(ord("a") + int(digit)) for digit in str(number))


def test_100_sign_ups_from_50_clients_at_once_each_kept_and_granted_once(venue: Venue) -> None:
    with OpenNDS("gatewayKey2026", 2, venue.splash("gate")) as gateway:
        settings = {"fas_level": 2, "faskey": "gatewayKey2026", "gateway_address": gateway.address}
        venue.hotspot("gate", HotspotKind.OPENNDS, settings)
        start = Barrier(CLIENTS)

        def client(index: int) -> list[int]:
            """One of 50 browsers, each signing up 2 guests; every other guest taps twice."""
            start.wait()
            statuses = []
            for guest in range(index, GUESTS, CLIENTS):
                mac = f"02:00:00:00:{guest // 256:02x}:{guest % 256:02x}"
                phone = Phone(venue.base_url, mac)
                try:
                    splash = phone.open(gateway.arrive(mac, f"10.0.{guest // 256}.{guest % 256}"))
                    details = {"email": f"guest{guest}@example.com", "first_name": f"Guest {letters(guest)}"}
                    statuses.append(phone.sign_up(splash, **details).status_code)
                    if guest % 2:
                        statuses.append(phone.sign_up(splash, **details).status_code)
                finally:
                    phone.close()
            return statuses

        with ThreadPoolExecutor(CLIENTS) as pool:
            statuses = [status for answers in pool.map(client, range(CLIENTS)) for status in answers]

        assert statuses == [200] * (GUESTS + GUESTS // 2)
        assert len(gateway.online) == GUESTS
        with venue.core.db.read() as session:
            assert (
                session.scalar(
                    select(func.count()).select_from(Customer).where(Customer.email.like("guest%"))
                )
                == GUESTS
            )
            for kind in (ConsentKind.TERMS, ConsentKind.PRIVACY):
                assert (
                    session.scalar(
                        select(func.count()).select_from(ConsentRecord).where(ConsentRecord.kind == kind)
                    )
                    == GUESTS
                )
            assert session.scalar(select(func.count()).select_from(WifiVisit)) == GUESTS
            assert session.scalar(select(func.count(func.distinct(WifiVisit.device_mac)))) == GUESTS

"""The demo's hotspots: one per controller kind, at the demo's two stores. Their secrets are
printed by `core demo`, because it is a demo."""

from __future__ import annotations

from ipaddress import ip_network
from typing import Any

from .database import Database
from .models import HotspotKind
from .services.hotspots import HotspotOptions, create_hotspot, find_hotspot

TERMS = (
    "The Wi-Fi is free for our guests. Do not use it for anything unlawful. We may limit speed and "
    "time. Signing up also gives you a loyalty card: points on purchases, rewards while a campaign "
    "is on, points expire after a year without purchases."
)
PRIVACY = (
    "We keep your name, contact details, your device's address and when you visit, to let you "
    "online and run your loyalty card. Guests who only use the Wi-Fi are erased a year after "
    "their last visit. You can see, download or delete your data in the customer portal."
)
# The demo venue's LAN, where its UniFi controller is: its hotspots are saved with it allowed (the
# operator loads them). The site still calls it only if WIFI_CONTROLLER_NETWORKS lists it, so a
# demo sign-up there says the Wi-Fi did not answer, and sends the demo password nowhere.
DEMO_LAN = (ip_network("192.168.8.0/24"),)
# id, store, kind, settings, session minutes
HOTSPOTS: list[tuple[str, str, HotspotKind, dict[str, Any], int]] = [
    (
        "demo-opennds",
        "MAIN",
        HotspotKind.OPENNDS,
        {"fas_level": 2, "faskey": "demoFasKey2026", "gateway_address": "192.168.8.1:2050"},
        120,
    ),
    ("demo-meraki", "MAIN", HotspotKind.MERAKI, {"mode": "click-through"}, 60),
    (
        "demo-unifi",
        "STATION",
        HotspotKind.UNIFI,
        {
            "controller_url": "https://192.168.8.2:8443",
            "site": "demo-unifi",
            "username": "portal",
            "password": "demo-unifi-password",
            "unifi_os": True,
            "verify_tls": False,
        },
        60,
    ),
    (
        "demo-mikrotik",
        "STATION",
        HotspotKind.MIKROTIK,
        {
            "router_address": "10.5.50.1",
            "credentials": "shared",
            "username": "guest",
            "password": "demo-guest",
        },
        60,
    ),
    (
        "demo-coova",
        "MAIN",
        HotspotKind.COOVA,
        {"uamsecret": "demo-uamsecret", "username": "registered", "password": "demo-radius"},
        60,
    ),
]


def ensure_hotspots(db: Database, merchant_id: int) -> list[dict[str, Any]]:
    for public_id, store, kind, settings, minutes in HOTSPOTS:
        with db.read() as session:
            exists = find_hotspot(session, public_id) is not None
        if not exists:
            options = HotspotOptions(
                session_minutes=minutes,
                down_kbps=20_000,
                up_kbps=5_000,
                terms_text=TERMS,
                privacy_text=PRIVACY,
            )
            create_hotspot(db, merchant_id, store, kind, settings, options, public_id, networks=DEMO_LAN)
    return [
        {"id": public_id, "kind": kind.value, "store": store, "settings": settings}
        for public_id, store, kind, settings, _ in HOTSPOTS
    ]

"""A venue for end-to-end Wi-Fi tests: the site with its embedded core and the demo, served on
loopback, where hotspots are added to point at controller simulators; and a guest's phone."""

from __future__ import annotations

import re
from typing import Any

import httpx

from admin_core.context import Core
from admin_core.models import HotspotKind
from admin_core.services.hotspots import HotspotOptions, create_hotspot
from admin_core.services.merchants import get_merchant

from .simulators import DEVICE_HEADER

LANDING = "https://venue.example/welcome"
MAC = "aa:bb:cc:00:11:22"


class Venue:
    """The site, its embedded core with the demo, served on loopback; and a way to add hotspots."""

    def __init__(self, base_url: str, core: Core) -> None:
        self.base_url = base_url
        self.core = core

    def splash(self, public_id: str) -> str:
        return f"{self.base_url}/wifi/{public_id}"

    def hotspot(self, public_id: str, kind: HotspotKind, settings: dict[str, Any], **options: Any) -> None:
        with self.core.db.read() as session:
            merchant_id = get_merchant(session, "demo").id
        options = {"landing_url": LANDING, "session_minutes": 45, **options}
        create_hotspot(
            self.core.db,
            merchant_id,
            "MAIN",
            kind,
            settings,
            HotspotOptions(**options),
            public_id,
            networks=self.core.settings.controller_networks,
        )


class Phone:
    """A guest's phone: its browser, which (like every packet on the venue's LAN) carries the
    device's MAC to every host, so that the controller's simulator knows who is calling."""

    def __init__(self, site: str, mac: str = MAC) -> None:
        self.site = site
        self.mac = mac
        # Bounded, but patient: 50 phones at once queue for a threaded test server on 2 cores.
        self.http = httpx.Client(headers={DEVICE_HEADER: mac}, follow_redirects=False, timeout=30)

    def close(self) -> None:
        self.http.close()

    def go(self, response: httpx.Response) -> httpx.Response:
        """Follow redirects as a browser does; run a page that submits itself as its script would."""
        for _ in range(10):
            if response.is_redirect:
                response = self.http.get(str(response.next_request.url) if response.next_request else "")
                continue
            connect = re.search(
                r'<form method="post" action="([^"]+)" id="connect">(.*?)</form>', response.text, re.S
            )
            if connect:
                fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', connect.group(2)))
                response = self.http.post(connect.group(1).replace("&amp;", "&"), data=fields)
                continue
            refresh = re.search(r'http-equiv="refresh" content="\d+; ?url=([^"]+)"', response.text)
            if refresh and not str(response.url).startswith(self.site):
                # A controller's "logged in" page (MikroTik's alogin.html) moves on by itself.
                response = self.http.get(refresh.group(1))
                continue
            return response
        raise AssertionError("too many redirects")

    def open(self, url: str) -> httpx.Response:
        return self.go(self.http.get(url))

    def sign_up(self, splash: httpx.Response, **fields: str) -> httpx.Response:
        state = re.search(r'name="state" value="([^"]+)"', splash.text)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', splash.text)
        assert state and token, splash.text
        data = {"first_name": "Lena", "email": "lena@example.com", "terms": "y", "privacy": "y", **fields}
        url = str(splash.url).split("?")[0]
        return self.go(
            self.http.post(url, data={"state": state.group(1), "csrf_token": token.group(1), **data})
        )

"""Cisco Meraki external captive portal (EXCAP): click-through and sign-on.

Click-through: the browser goes to `base_grant_url?continue_url=…&duration=…`. Sign-on: the
browser posts `username`, `password` and `success_url` to `login_url`. Both addresses come from the
redirect, so they must be https:// on Meraki's own domain: anything else would send the guest (and,
on sign-on, the venue's credentials) somewhere else.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from admin_api_client import Splash

from .base import (
    Arrival,
    ForgedRedirect,
    FormPost,
    GrantRequest,
    Incoming,
    Redirect,
    is_loopback,
    setting,
    with_query,
)

HOST = re.compile(r"^[a-z0-9.-]+$")


class Meraki:
    def __init__(self, domains: tuple[str, ...]) -> None:
        self.domains = tuple(domain.lower().strip(".") for domain in domains if domain)

    def _checked(self, url: str) -> str:
        # Browsers read a backslash as "/" and drop control characters, while urlsplit keeps them
        # in the host: "https://evil.example<backslash>.network-auth.com/" is evil.example to them.
        if "\\" in url or any(ord(char) < 33 for char in url):
            raise ForgedRedirect("The grant address holds characters no Meraki address has.")
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
            username = parts.username
        except ValueError:
            raise ForgedRedirect("The grant address is not a URL.") from None
        on_domain = HOST.match(host) is not None and any(
            host == domain or host.endswith(f".{domain}") for domain in self.domains
        )
        # Plain http only where it cannot leave the machine: a simulator in the tests.
        secure = parts.scheme == "https" or (parts.scheme == "http" and is_loopback(host))
        if not (on_domain and secure and username is None):
            raise ForgedRedirect("The grant address is not on Meraki's domain.")
        return url

    def arrive(self, splash: Splash, incoming: Incoming) -> Arrival:
        mode = setting(splash, "mode")
        name = "base_grant_url" if mode == "click-through" else "login_url"
        url = incoming.get(name)
        if not url:
            raise ForgedRedirect(f"No {name}: this is not a Meraki {mode} redirect.")
        return Arrival(
            incoming.get("client_mac") or None, incoming.get("client_ip") or None, {"url": self._checked(url)}
        )

    def grant(self, request: GrantRequest) -> Redirect | FormPost:
        url = self._checked(request.arrival.grant["url"])
        splash = request.splash
        if setting(splash, "mode") == "click-through":
            # Meraki's duration is in seconds.
            return Redirect(
                with_query(url, continue_url=request.online_url, duration=splash.session_minutes * 60)
            )
        return FormPost(
            url,
            {
                "username": setting(splash, "username"),
                "password": setting(splash, "password"),
                "success_url": request.online_url,
            },
        )

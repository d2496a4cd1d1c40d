"""Cisco Meraki external captive portal (EXCAP): click-through and sign-on.

Built after Meraki's Captive Portal API pages (developer.cisco.com/meraki/captive-portal-api,
click-through-api and sign-on-api) and the sample URL in github.com/meraki/js-splash. The real grant and
login URLs live on https://nXXX.network-auth.com; here they live on this server.
"""

from __future__ import annotations

import secrets
from typing import Literal
from urllib.parse import quote, quote_plus

from werkzeug.wrappers import Request, Response

from .base import Online, Simulator, html, normalize_mac, random_mac, redirect

Mode = Literal["click-through", "sign-on"]


def _q(value: str) -> str:
    return quote(value, safe="")


class Meraki(Simulator):
    def __init__(self, mode: Mode, username: str | None = None, password: str | None = None) -> None:
        super().__init__()
        if mode not in ("click-through", "sign-on"):
            raise ValueError(f"unknown splash mode {mode!r}")
        if mode == "sign-on" and (username is None or password is None):
            raise ValueError("sign-on needs the username and password the RADIUS/Meraki auth accepts")
        self.mode: Mode = mode
        self.username = username
        self.password = password
        self.ap_mac = random_mac()
        self.ap_name = "mr36-lobby"
        self.ap_tags = "Lobby Guest"
        self.node_id = str(secrets.randbelow(10**15))
        self.arrivals: dict[str, dict[str, str]] = {}  # mac -> what the redirect told the splash page

    def arrive(self, mac: str, ip: str, splash_url: str, original_url: str = "http://example.com/") -> str:
        mac = normalize_mac(mac)
        if self.mode == "click-through":
            self.arrivals[mac] = {"continue_url": original_url}
            # Parameter order and escaping as in Meraki's sample: URLs escaped, MACs left with colons.
            return (
                f"{splash_url}?base_grant_url={_q(self.base_url + '/splash/grant')}"
                f"&user_continue_url={_q(original_url)}&node_id={self.node_id}&node_mac={self.ap_mac}"
                f"&gateway_id={self.node_id}&client_ip={ip}&client_mac={mac}"
            )
        mauth = secrets.token_urlsafe(48)
        self.arrivals[mac] = {"mauth": mauth, "continue_url": original_url}
        # login_url carries its own mauth and continue_url; in the sign-on sample every value is escaped,
        # the MACs too (%3A), and ap_tags is form-encoded (spaces as '+').
        login_url = f"{self.base_url}/splash/login?mauth={mauth}&continue_url={_q(original_url)}"
        return (
            f"{splash_url}?login_url={_q(login_url)}&continue_url={_q(original_url)}"
            f"&ap_mac={_q(self.ap_mac)}&ap_name={_q(self.ap_name)}&ap_tags={quote_plus(self.ap_tags)}"
            f"&client_mac={_q(mac)}&client_ip={ip}"
        )

    def handle(self, request: Request) -> Response:
        if self.mode == "click-through" and request.path.rstrip("/") == "/splash/grant":
            return self._grant(request)
        if self.mode == "sign-on" and request.path == "/splash/login" and request.method == "POST":
            return self._login(request)
        return html("<h1>Not found</h1>", 404)

    def _arrived(self, request: Request, what: str) -> tuple[str, dict[str, str]] | None:
        mac = self.device(request)
        if mac is None or mac not in self.arrivals:
            self.refuse(f"Meraki {what}: from a device that is not on the splash page")
            return None
        return mac, self.arrivals[mac]

    def _grant(self, request: Request) -> Response:
        arrived = self._arrived(request, "grant")
        if arrived is None:
            # (verify) what Meraki shows a client it cannot match; an error page is the likely answer
            return html("<h1>Unable to authorize this device</h1>")
        mac, arrival = arrived
        minutes = None
        duration = request.args.get("duration", "")
        if duration.isdigit():
            # duration is in seconds (Meraki's samples use duration=3600 for one hour) (verify)
            minutes = -(-int(duration) // 60)
        self.grant(Online(mac=mac, minutes=minutes))
        # Without continue_url Meraki sends the client where the dashboard says (verify): the original URL.
        return redirect(request.args.get("continue_url") or arrival["continue_url"])

    def _login(self, request: Request) -> Response:
        arrived = self._arrived(request, "login")
        failed = html("<h1>Login failed</h1><p>The username or password is incorrect.</p>")
        if arrived is None:
            return failed
        mac, arrival = arrived
        mauth = request.args.get("mauth", "")
        if mauth != arrival["mauth"]:
            self.refuse(f"Meraki login: mauth is not the one issued to {mac}")
            return failed
        username = request.form.get("username", "")
        password = request.form.get("password", "")
        if (username, password) != (self.username, self.password):
            self.refuse(f"Meraki login: wrong credentials for {username!r}")
            return failed
        self.grant(Online(mac=mac, username=username))
        # Meraki sends the client to success_url with a logout_url parameter added (sign-on API doc).
        logout_url = f"{self.base_url}/splash/logout?key={secrets.token_urlsafe(16)}"
        success_url = (
            request.form.get("success_url") or request.args.get("continue_url") or arrival["continue_url"]
        )
        joiner = "&" if "?" in success_url else "?"
        return redirect(f"{success_url}{joiner}logout_url={_q(logout_url)}")

"""Ubiquiti UniFi external portal server.

The controller sends the guest to `/guest/s/<site>/?ap=…&id=<client MAC>&t=…&url=…&ssid=…`; we
let the device online from our side: log in to the controller and `authorize-guest` with the
session length and limits. A classic controller logs in at `/api/login`; UniFi OS (UDM, Cloud Key
G2) at `/api/auth/login`, with every network call under `/proxy/network` and the `x-csrf-token`
header it gave, without which it answers a silent 403.

The client MAC in the redirect proves nothing: a grant happens only for a sign-up we recorded,
and the splash is rate-limited per device and address.
"""

from __future__ import annotations

import base64
import json

import httpx

from admin_api_client import Splash
from loyalty_common.controller_addresses import Networks

from .base import Arrival, ControllerError, ForgedRedirect, Granted, GrantRequest, Incoming, setting
from .controller_http import controller_client


class UniFi:
    def __init__(self, timeout: float, networks: Networks = ()) -> None:
        self.timeout = timeout
        self.networks = networks

    def arrive(self, splash: Splash, incoming: Incoming) -> Arrival:
        mac = incoming.get("id")
        if not mac:
            raise ForgedRedirect("No client MAC (id): this is not a UniFi redirect.")
        site = incoming.get("site")
        if site and site != setting(splash, "site"):
            raise ForgedRedirect("The UniFi site is not this hotspot's.")
        return Arrival(mac, None, {"ap_mac": incoming.get("ap")})

    def grant(self, request: GrantRequest) -> Granted:
        splash = request.splash
        unifi_os = bool(setting(splash, "unifi_os"))
        prefix = "/proxy/network" if unifi_os else ""
        command = {
            "cmd": "authorize-guest",
            "mac": (request.arrival.mac or "").lower(),
            "minutes": splash.session_minutes,
            **{
                name: value
                for name, value in (
                    ("up", splash.up_kbps),
                    ("down", splash.down_kbps),
                    ("bytes", splash.quota_mb),  # megabytes, despite the name
                    ("ap_mac", request.arrival.grant.get("ap_mac") or None),
                )
                if value is not None
            },
        }
        try:
            with controller_client(
                self.networks,
                verify=bool(setting(splash, "verify_tls")),
                timeout=self.timeout,
                base_url=str(setting(splash, "controller_url")).rstrip("/"),
            ) as controller:
                headers = self._log_in(controller, splash, unifi_os)
                answer = controller.post(
                    f"{prefix}/api/s/{setting(splash, 'site')}/cmd/stamgr", json=command, headers=headers
                )
        except httpx.HTTPError as error:
            raise ControllerError(f"The UniFi controller did not answer: {error}") from error
        if answer.status_code != 200 or _rc(answer) != "ok":
            raise ControllerError(
                f"The UniFi controller refused the guest: {answer.status_code} {_message(answer)}"
            )
        return Granted()

    def _log_in(self, controller: httpx.Client, splash: Splash, unifi_os: bool) -> dict[str, str]:
        """Logs in (the client keeps the session cookie) and returns the headers calls need."""
        credentials = {"username": setting(splash, "username"), "password": setting(splash, "password")}
        path = "/api/auth/login" if unifi_os else "/api/login"
        answer = controller.post(path, json=credentials)
        if answer.status_code != 200:
            raise ControllerError(
                f"The UniFi controller refused our login: {answer.status_code} {_message(answer)}"
            )
        token = (
            answer.headers.get("x-csrf-token")
            or _jwt_csrf(controller.cookies.get("TOKEN"))
            or controller.cookies.get("csrf_token")
        )
        return {"x-csrf-token": token} if token else {}


def _jwt_csrf(token: str | None) -> str | None:
    """UniFi OS also puts the CSRF token in its session JWT (claim `csrfToken`); its signature is
    the controller's business, we only read the claim."""
    try:
        payload = (token or "").split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return None
    value = claims.get("csrfToken") if isinstance(claims, dict) else None
    return str(value) if value else None


def _rc(answer: httpx.Response) -> str | None:
    try:
        rc = answer.json()["meta"]["rc"]
    except (ValueError, KeyError, TypeError):
        return None
    return str(rc)


def _message(answer: httpx.Response) -> str:
    try:
        return str(answer.json()["meta"].get("msg", ""))
    except (ValueError, KeyError, TypeError, AttributeError):
        return ""

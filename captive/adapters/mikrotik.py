"""MikroTik RouterOS Hotspot.

The router's `login.html`, edited to submit itself to our splash, posts `mac`, `ip`,
`link-login-only`, `chap-id`, `chap-challenge`… The grant is the browser posting `username`,
`password`, `dst` and `popup` back to `link-login-only`, which must be on the configured router.
With CHAP the password travels as `md5(chap-id + password + chap-challenge)`, the two CHAP values
arriving as octal escapes (`\\371\\015…`) of raw bytes.

Credentials exist on the router: one shared "registered guest" account, or a user made per guest
through the RouterOS REST API (`PUT /rest/ip/hotspot/user`), limited to the session length and
data limit. Session length for a shared account comes from its user profile on the router.
"""

from __future__ import annotations

import hashlib
import re

import httpx

from admin_api_client import Splash
from loyalty_common.controller_addresses import Networks

from .base import (
    Arrival,
    ControllerError,
    ForgedRedirect,
    FormPost,
    GrantRequest,
    Incoming,
    same_address,
    setting,
)
from .controller_http import controller_client

OCTAL = re.compile(r"\\([0-7]{3})")
MEGABYTE = 1024 * 1024


def octal_bytes(escaped: str) -> bytes:
    r"""RouterOS writes $(chap-id) and $(chap-challenge) as \ooo escapes of each byte."""
    values = [int(digits, 8) for digits in OCTAL.findall(escaped)]
    if OCTAL.sub("", escaped) or any(value > 255 for value in values):
        raise ForgedRedirect("The CHAP values are not octal escapes of bytes.")
    return bytes(values)


class MikroTik:
    def __init__(self, timeout: float, networks: Networks = ()) -> None:
        self.timeout = timeout
        self.networks = networks

    def arrive(self, splash: Splash, incoming: Incoming) -> Arrival:
        login = incoming.get("link-login-only")
        if not login:
            raise ForgedRedirect("No link-login-only: this is not a MikroTik login page.")
        if not same_address(login, str(setting(splash, "router_address"))):
            raise ForgedRedirect("The login address is not this hotspot's router.")
        chap_id = octal_bytes(incoming.get("chap-id"))
        challenge = octal_bytes(incoming.get("chap-challenge"))
        if not (chap_id and challenge) and setting(splash, "credentials") != "per_guest":
            # Without CHAP the browser would carry the venue's shared password in clear, to
            # anyone who forged a login page without a challenge.
            raise ForgedRedirect("No CHAP challenge: the shared account is only sent hashed.")
        return Arrival(
            incoming.get("mac") or None,
            incoming.get("ip") or None,
            {"login_url": login, "chap_id": chap_id.hex(), "chap_challenge": challenge.hex()},
        )

    def grant(self, request: GrantRequest) -> FormPost:
        grant = request.arrival.grant
        if not same_address(grant["login_url"], str(setting(request.splash, "router_address"))):
            raise ForgedRedirect("The login address is not this hotspot's router.")
        username, password = self._credentials(request)
        if grant["chap_id"] or grant["chap_challenge"]:
            chap = (
                bytes.fromhex(grant["chap_id"]) + password.encode() + bytes.fromhex(grant["chap_challenge"])
            )
            password = hashlib.md5(chap, usedforsecurity=False).hexdigest()
        return FormPost(
            grant["login_url"],
            {"username": username, "password": password, "dst": request.online_url, "popup": "true"},
        )

    def _credentials(self, request: GrantRequest) -> tuple[str, str]:
        splash = request.splash
        if setting(splash, "credentials") != "per_guest":
            return str(setting(splash, "username")), str(setting(splash, "password"))
        username, password = f"wifi-{request.guest[:16]}", request.guest_password
        user = {
            "name": username,
            "password": password,
            "limit-uptime": f"{splash.session_minutes}m",
            "comment": f"loyalty-portal {splash.id}",
            **({"limit-bytes-total": str(splash.quota_mb * MEGABYTE)} if splash.quota_mb else {}),
            **({"profile": splash.settings["user_profile"]} if splash.settings.get("user_profile") else {}),
        }
        verify = bool(splash.settings.get("verify_tls", True))
        try:
            with controller_client(self.networks, verify=verify, timeout=self.timeout) as router:
                answer = router.put(
                    f"{str(setting(splash, 'api_url')).rstrip('/')}/ip/hotspot/user",
                    json=user,
                    auth=(str(setting(splash, "api_username")), str(setting(splash, "api_password"))),
                )
        except httpx.HTTPError as error:
            raise ControllerError(f"The router's REST API did not answer: {error}") from error
        if answer.status_code == 400 and "already have user" in answer.text:
            return username, password  # this visit's, made by an earlier try: same name, same password
        if answer.status_code not in (200, 201):
            raise ControllerError(
                f"The router refused the guest's user: {answer.status_code} {answer.text[:200]}"
            )
        return username, password

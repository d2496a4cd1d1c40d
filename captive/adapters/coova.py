"""CoovaChilli, Universal Access Method (UAM).

Chilli sends the guest to the splash with `res`, `uamip`, `uamport`, `challenge`, `mac`… and `md`:
the upper-case hex MD5 of the whole URL up to `&md=` followed by the `uamsecret`. Only a redirect
whose `md` checks is believed, so `uamip`/`uamport` are the gateway's and not a phisher's. The
grant is the browser's `GET http://<uamip>:<uamport>/logon?username=…&response=…&userurl=…` with
the CHAP response `md5(0x00 + password + md5(challenge + uamsecret))`. After the logon chilli
sends the browser back with `res=success` (or `failed`), signed the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from admin_api_client import Splash

from .base import (
    Arrival,
    ControllerError,
    ForgedRedirect,
    GrantRequest,
    Incoming,
    Redirect,
    setting,
    with_query,
)

HEX = re.compile(r"^(?:[0-9a-fA-F]{2})+$")
PORT = re.compile(r"^[0-9]{1,5}$")
ONLINE = frozenset({"success", "already"})


def _md5(data: bytes) -> bytes:
    return hashlib.md5(data, usedforsecurity=False).digest()


def _check_md(incoming: Incoming, uamsecret: str) -> None:
    signed, marker, _ = incoming.url.partition("&md=")
    given = incoming.get("md")
    if not marker or not given:
        raise ForgedRedirect("The redirect carries no md.")
    expected = _md5((signed + uamsecret).encode()).hex().upper()
    if not hmac.compare_digest(expected, given.upper()):
        raise ForgedRedirect("The md does not match this hotspot's uamsecret.")


class CoovaChilli:
    def arrive(self, splash: Splash, incoming: Incoming) -> Arrival:
        _check_md(incoming, str(setting(splash, "uamsecret")))
        result = incoming.get("res")
        if result == "failed":
            raise ControllerError("The hotspot refused the login.")
        uamip, uamport, challenge = incoming.get("uamip"), incoming.get("uamport"), incoming.get("challenge")
        configured = splash.settings.get("uam_address")
        if configured and f"{uamip}:{uamport}".lower() != str(configured).lower():
            raise ForgedRedirect("The gateway address is not this hotspot's.")
        if result not in ONLINE and not (uamip and PORT.match(uamport) and HEX.match(challenge)):
            raise ForgedRedirect("The redirect lacks the gateway's address or challenge.")
        return Arrival(
            incoming.get("mac") or None,
            incoming.get("ip") or None,
            {"uamip": uamip, "uamport": uamport, "challenge": challenge},
            online=result in ONLINE,
        )

    def grant(self, request: GrantRequest) -> Redirect:
        splash, grant = request.splash, request.arrival.grant
        secret = str(setting(splash, "uamsecret")).encode()
        challenge = _md5(bytes.fromhex(grant["challenge"]) + secret)
        response = _md5(b"\0" + str(setting(splash, "password")).encode() + challenge).hex()
        logon = f"http://{grant['uamip']}:{grant['uamport']}/logon"
        return Redirect(
            with_query(
                logon, username=setting(splash, "username"), response=response, userurl=request.online_url
            )
        )

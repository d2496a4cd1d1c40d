"""openNDS, Forwarding Authentication Service levels 1 and 2.

Level 1 sends `fas=<base64>` in clear; level 2 sends it AES-256-CBC encrypted with the shared
faskey (`fas=<base64(base64(ciphertext))>&iv=<16 characters>`, as PHP's openssl_encrypt writes it).
Either way the payload is "name=value, name=value…". Nothing in it is signed: the gateway only
lets a device online for `rhid = sha256(hid + faskey)`, which only the faskey's holder can make,
and the gateway address is checked against the hotspot's own.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from urllib.parse import quote, unquote

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from admin_api_client import Splash

from .base import Arrival, ForgedRedirect, GrantRequest, Incoming, Redirect, setting

DEFAULT_AUTHDIR = "opennds_auth"
AUTHDIR = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
HID = re.compile(r"^[0-9a-f]{64}$")
KEY_BYTES = 32  # AES-256; PHP's openssl pads a shorter key with NUL bytes and cuts a longer one
IV_BYTES = 16


def _b64(data: str) -> bytes:
    try:
        # A '+' left unescaped in a query string arrives as a space.
        return base64.b64decode(data.replace(" ", "+"), validate=True)
    except (binascii.Error, ValueError):
        raise ForgedRedirect("The fas parameter is not base64.") from None


def _decrypt(fas: str, iv: str, faskey: str) -> str:
    key = faskey.encode()[:KEY_BYTES].ljust(KEY_BYTES, b"\0")
    if len(iv.encode()) != IV_BYTES:
        raise ForgedRedirect("The iv is not 16 characters.")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv.encode())).decryptor()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        padded = decryptor.update(_b64(_b64(fas).decode("ascii"))) + decryptor.finalize()
        return (unpadder.update(padded) + unpadder.finalize()).decode()
    except (ValueError, UnicodeDecodeError):
        raise ForgedRedirect("The payload does not decrypt with this hotspot's faskey.") from None


def _fields(payload: str) -> dict[str, str]:
    pairs = (part.partition("=") for part in payload.split(", "))
    return {name.strip(): value for name, _, value in pairs if name}


class OpenNDS:
    def arrive(self, splash: Splash, incoming: Incoming) -> Arrival:
        if incoming.get("status") == "authenticated":
            # The gateway sends a device that is online already (a second tap) back here.
            return Arrival(None, None, online=True)
        fas = incoming.get("fas")
        if not fas:
            raise ForgedRedirect("No fas parameter: this is not an openNDS redirect.")
        if setting(splash, "fas_level") == 2:
            payload = _decrypt(fas, incoming.params.get("iv", ""), setting(splash, "faskey"))
        else:
            try:
                payload = _b64(fas).decode()
            except UnicodeDecodeError:
                raise ForgedRedirect("The fas payload is not text.") from None
        fields = _fields(payload)
        hid = fields.get("hid", "")
        if not HID.match(hid):
            raise ForgedRedirect("The payload has no hid.")
        gateway = unquote(fields.get("gatewayaddress", ""))
        if gateway.lower() != str(setting(splash, "gateway_address")).lower():
            raise ForgedRedirect("The gateway address is not this hotspot's.")
        authdir = fields.get("authdir") or DEFAULT_AUTHDIR
        if not AUTHDIR.match(authdir):
            raise ForgedRedirect("The authdir is not a path name.")
        return Arrival(
            fields.get("clientmac") or None,
            fields.get("clientip") or None,
            {"hid": hid, "gateway": gateway, "authdir": authdir},
            connection=hid,
        )

    def grant(self, request: GrantRequest) -> Redirect:
        """The browser takes `rhid` to the gateway, which lets the device online and sends it on
        to `redir`. Session length and rates are the gateway's own settings."""
        grant = request.arrival.grant
        rhid = hashlib.sha256((grant["hid"] + setting(request.splash, "faskey")).encode()).hexdigest()
        redir = quote(request.online_url, safe="")
        return Redirect(f"http://{grant['gateway']}/{grant['authdir']}/?tok={rhid}&redir={redir}")

"""openNDS, Forwarding Authentication Service levels 1, 2 and 3.

Level 1 sends `fas=<base64>` in clear; levels 2 and 3 send it AES-256-CBC encrypted with the shared
faskey (`fas=<base64(base64(ciphertext))>&iv=<16 characters>`, as PHP's openssl_encrypt writes it).
Either way the payload is "name=value, name=value…". Nothing in it is signed: the gateway only
lets a device online for `rhid = sha256(hid + faskey)`, which only the faskey's holder can make,
and the gateway address is checked against the hotspot's own.

Levels 1-2: the guest's browser takes `rhid` to the gateway. Level 3: nobody's browser does; the
gateway's authmon daemon polls the FAS URL (POST `auth_get`, `gatewayhash`, `payload`; see
captive/gateway_views.py), is answered the devices to let online, and acknowledges them.
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

from .base import Arrival, ForgedRedirect, GrantRequest, Incoming, Polled, Redirect, setting

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
        level = setting(splash, "fas_level")
        if level in (2, 3):
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
        # authmon polls with the SHA-256 of the gateway's name as this payload writes it (URL-encoded).
        gateway_hash = hashlib.sha256(fields.get("gatewayname", "").encode()).hexdigest()
        return Arrival(
            fields.get("clientmac") or None,
            fields.get("clientip") or None,
            {"hid": hid, "gateway": gateway, "authdir": authdir, "gatewayhash": gateway_hash},
            connection=hid,
            polled=level == 3,
        )

    def grant(self, request: GrantRequest) -> Redirect | Polled:
        """Levels 1-2: the browser takes `rhid` to the gateway, which lets the device online and
        sends it on to `redir`; session length and rates are the gateway's own settings. Level 3:
        the grant waits for the gateway's poll, with the hotspot's session length and limits."""
        grant = request.arrival.grant
        rhid = hashlib.sha256((grant["hid"] + setting(request.splash, "faskey")).encode()).hexdigest()
        if request.arrival.polled:
            return Polled(rhid, grant["gatewayhash"])
        redir = quote(request.online_url, safe="")
        return Redirect(f"http://{grant['gateway']}/{grant['authdir']}/?tok={rhid}&redir={redir}")


# Level 3: what authmon is answered (forward_authentication_service/libs/authmon.sh, fas-aes-https.php).
AUTHMON_BATCH = 4  # authmon lets at most 4 devices online per poll, and reads 1,024 characters
RHID = HID  # sha256 hex, as hid
KILOBYTES_PER_MB = 1000


def auth_list(grants: list[tuple[str, int, int | None, int | None, int | None]], custom: str) -> str:
    """`*` and a URL-encoded line per grant (rhid, session minutes, upload and download rates in
    kbit/s, upload and download quotas in kB, custom data in base64), as `ndsctl auth` takes them;
    0 is no limit. A data quota applies to each direction."""
    encoded = base64.b64encode(custom.encode()).decode()
    lines = []
    for rhid, minutes, up, down, quota_mb in grants:
        quota = (quota_mb or 0) * KILOBYTES_PER_MB
        lines.append(quote(f"{rhid} {minutes} {up or 0} {down or 0} {quota} {quota} {encoded}", safe=""))
    return " ".join(["*", *lines])


def acknowledged(payload: str) -> list[str] | None:
    """The rhids authmon says it let online (`* rhid rhid…`, base64); None for its plain poll
    (`none`). ValueError when the payload is not base64 text."""
    try:
        decoded = base64.b64decode(payload.replace(" ", "+"), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as error:
        raise ValueError("The payload is not base64 text.") from error
    if decoded.strip() == "none":
        return None
    return [word for word in decoded.split() if RHID.match(word)]

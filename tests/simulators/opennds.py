"""openNDS with a Forwarding Authentication Service (FAS), levels 0, 1, 2 and 3.

Built after openNDS src/http_microhttpd.c (construct_querystring, encode_and_redirect_to_splashpage,
try_to_authenticate, send_redirect_temp), src/client_list.c (client_reset: token and hid;
client_list_find_by_token), src/util.c (hash_str), and for level 3 src/main.c (authmon's start and
the gatewayhash), forward_authentication_service/libs/authmon.sh and post-request.php (the polls)
and src/ndsctl_thread.c (ndsctl_auth). See PROTOCOL_NOTES.md for the sources of each detail.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote

import httpx
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from werkzeug.wrappers import Request, Response

from .base import Online, Simulator, html, normalize_mac, random_mac, redirect

QUERYSEPARATOR = ", "  # src/common.h: separator of the encoded/encrypted payload
VERSION = "10.2.0"  # (verify) any recent release number; FAS scripts only display it


def sha256_hex(text: str) -> str:
    # hash_str() pipes the text through `sha256sum` and keeps the lower-case hex digest.
    return hashlib.sha256(text.encode()).hexdigest()


def uh_urlencode(text: str) -> str:
    """openNDS' uh_urlencode: keep alphanumerics and -_.~, everything else as %xx in lower-case hex."""
    out = []
    for byte in text.encode():
        char = chr(byte)
        out.append(char if char.isascii() and (char.isalnum() or char in "-_.~") else f"%{byte:02x}")
    return "".join(out)


def php_aes_256_cbc(data: bytes, faskey: str, iv: str) -> bytes:
    """What `openssl_encrypt($string, "aes-256-cbc", $key, 0, $iv)` computes, before its base64.

    PHP gives OpenSSL exactly 32 key bytes: a shorter faskey is padded with NUL bytes and a longer one
    is cut to its first 32 bytes (php_openssl_cipher_init; checked against php 8.2). The iv is the 16
    ASCII characters themselves. Padding is PKCS#7.
    """
    key = faskey.encode()[:32].ljust(32, b"\0")
    padder = padding.PKCS7(128).padder()
    padded = padder.update(data) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv.encode())).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


@dataclass
class _Client:
    mac: str
    ip: str
    token: str  # "%04hx%04hx" of two rand16(): 8 lower-case hex digits
    hid: str  # sha256_hex(token)


class OpenNDS(Simulator):
    def __init__(
        self,
        faskey: str,
        fas_level: int,
        splash_url: str,
        gateway_name: str = "Demo Cafe",
        authdir: str = "opennds_auth",
        client_type: str = "cpd_can",
    ) -> None:
        super().__init__()
        if fas_level not in (0, 1, 2, 3):
            raise ValueError("only fas_secure_enabled levels 0, 1, 2 and 3 are simulated")
        self.faskey = faskey
        self.fas_level = fas_level
        self.splash_url = splash_url  # config->fas_url
        self.gateway_name = gateway_name
        self.authdir = authdir
        self.client_type = client_type
        self.gateway_mac = random_mac()
        self.gateway_fqdn = "status.client"  # openNDS' default gatewayfqdn (verify)
        self.clientif = "br-lan"  # get_client_interface.sh: "[local if] [mesh node mac] [mesh if]"
        self.themespec = ""  # (verify) empty unless a themespec is configured
        self.cpi_query = ""  # (verify) set only after an RFC 8910 /login request
        self.clients: dict[str, _Client] = {}
        self.custom: dict[str, str] = {}  # level 3: the custom data each grant carried, decoded
        self._authmon_started = False

    # -- the device's arrival ----------------------------------------------------------------------
    def arrive(self, mac: str, ip: str, origin_url: str = "http://example.com/") -> str:
        """The URL openNDS redirects the device's browser to (it answers that redirect with a 307)."""
        client = self._new_client(normalize_mac(mac), ip)
        return self._splash_redirect(client, uh_urlencode(origin_url))

    def _new_client(self, mac: str, ip: str) -> _Client:
        token = f"{secrets.randbits(16):04x}{secrets.randbits(16):04x}"
        client = _Client(mac=mac, ip=ip, token=token, hid=sha256_hex(token))
        with self._lock:
            self.clients[mac] = client
        return client

    def _splash_redirect(self, client: _Client, originurl: str) -> str:
        """encode_and_redirect_to_splashpage(construct_querystring(...)); originurl is already encoded."""
        gatewayname = uh_urlencode(self.gateway_name)
        if self.fas_level == 0:
            # Level 0 prefixes "?authaction=http://<gw>/<authdir>/" and then appends the querystring,
            # which starts with its own "?": a form parser sees clientip inside authaction's value.
            query = f"?clientip={client.ip}&gatewayname={gatewayname}&tok={client.token}&redir={originurl}"
            return f"{self.splash_url}?authaction=http://{self.address}/{self.authdir}/{query}"
        fields = [
            ("hid", client.hid),
            ("clientip", client.ip),
            ("clientmac", client.mac),
            ("client_type", self.client_type),
            ("cpi_query", self.cpi_query),
            ("gatewayname", gatewayname),
            ("gatewayurl", uh_urlencode(f"http://{self.gateway_fqdn}")),
            ("version", VERSION),
            ("gatewayaddress", self.address),
            ("gatewaymac", self.gateway_mac),
        ]
        if self.fas_level >= 2:
            fields.append(("authdir", self.authdir))
        fields += [("originurl", originurl), ("clientif", self.clientif), ("themespec", self.themespec)]
        # Every field is followed by the separator, the last one too (custom parameters would follow).
        payload = "".join(f"{name}={value}{QUERYSEPARATOR}" for name, value in fields)
        if self.fas_level == 1:
            fas = base64.b64encode(payload.encode()).decode()
            # Raw standard base64 in the query, '+' and '/' and '=' unescaped, exactly as openNDS does.
            return f"{self.splash_url}?fas={fas}"
        # Levels 2 and 3: the php one-liner openNDS pipes to php-cli. iv = first 16 hex digits of the sha256
        # of base64(8 random bytes); fas = base64(openssl_encrypt(...)), and openssl_encrypt with options 0
        # already returns base64: so the ciphertext is base64 twice. Base64 of base64 text never holds
        # '+' or '/', so this value survives a query string unescaped.
        iv = hashlib.sha256(base64.b64encode(secrets.token_bytes(8))).hexdigest()[:16]
        once = base64.b64encode(php_aes_256_cbc(payload.encode(), self.faskey, iv))
        return f"{self.splash_url}?fas={base64.b64encode(once).decode()}&iv={iv}"

    # -- level 3: authmon ----------------------------------------------------------------------------
    @property
    def gateway_hash(self) -> str:
        """main.c: `libopennds.sh hash_str "<url_encoded_gw_name>"`, given to authmon as $2."""
        return sha256_hex(uh_urlencode(self.gateway_name))

    def authmon(self, rounds: int = 1, interval: float = 0.0, gateway_hash: str | None = None) -> list[str]:
        """authmon.sh, `rounds` times round its main loop (it loops for ever, every
        nat_traversal_poll_interval, 5 s by default): `clear` at its start, then each round `view`
        with payload `none`, `ndsctl auth` for up to 4 of the listed lines, and `view` with the
        acknowledgement list `* rhid…`. Each request as post-request.php makes it (form POST, payload
        in base64). Returns the FAS's answers; what authmon would log as an error is a refusal."""
        url = self.splash_url
        gateway_hash = gateway_hash or self.gateway_hash
        answers = []
        with httpx.Client(timeout=30, headers={"User-Agent": f"openNDS(authmon;NDS:{VERSION};)"}) as http:
            if not self._authmon_started:
                answers.append(self._post_request(http, url, "clear", gateway_hash, "none"))
                self._authmon_started = True
            for round_ in range(rounds):
                authlist = self._post_request(http, url, "view", gateway_hash, "none")
                answers.append(authlist)
                acklist = "*"
                if authlist[:1] == "*":
                    for authparams_enc in authlist[2:1026].split()[:4]:
                        authparams = unquote(authparams_enc)
                        if self.ndsctl_auth(authparams):
                            acklist = f"{acklist} {authparams.split()[0]}"
                answers.append(self._post_request(http, url, "view", gateway_hash, acklist))
                if interval and round_ < rounds - 1:
                    time.sleep(interval)
        return answers

    def _post_request(
        self, http: httpx.Client, url: str, action: str, gateway_hash: str, payload: str
    ) -> str:
        fields = {
            "auth_get": action,
            "gatewayhash": gateway_hash,
            "payload": base64.b64encode(payload.encode()).decode(),
        }
        try:
            response = http.post(url, data=fields)
        except httpx.HTTPError:
            response = None
        if response is None or response.status_code >= 400:
            # PHP's fopen() fails on an error status; post-request.php answers this, authmon logs it.
            self.refuse(f"authmon: {action} answered {response.status_code if response else 'nothing'}")
            return f"ERROR: Failed_to_open_stream_to: [{url}]"
        return response.text.strip()

    def ndsctl_auth(self, authparams: str) -> bool:
        """`ndsctl auth rhid sessionlength uploadrate downloadrate uploadquota downloadquota custom`:
        the client whose sha256(hid + faskey) is the rhid, if it is not online yet ("Yes")."""
        args = authparams.split()
        with self._lock:
            client = next(
                (c for c in self.clients.values() if sha256_hex(c.hid + self.faskey) == args[0]), None
            )
            if client is None or client.mac in self.online:
                return False
            minutes, up, down, _up_quota, down_quota = (int(value) for value in args[1:6])
            self.grant(
                Online(
                    mac=client.mac,
                    minutes=minutes or None,  # 0: the gateway's sessiontimeout
                    up_kbps=up or None,
                    down_kbps=down or None,
                    quota_mb=down_quota // 1000 or None,  # kB
                )
            )
            self.custom[client.mac] = base64.b64decode(args[6]).decode() if len(args) > 6 else ""
            return True

    # -- HTTP --------------------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        if request.method != "GET":
            return _error(511)  # libmicrohttpd_cb: "only allow get"
        mac = self.device(request)
        if mac is None:
            # The gateway finds the MAC from the IP in its neighbour table; without it: 503.
            self.refuse("openNDS: request from a device the gateway cannot identify")
            return _error(503)
        client = self.clients.get(mac) or self._new_client(mac, request.remote_addr or "127.0.0.1")
        host = request.headers.get("Host", self.address)
        if mac in self.online:
            return self._authenticated(request, client)
        if request.path == "/":
            return _error(511)
        if host not in (self.address, "127.0.0.1", self.gateway_fqdn):
            # is_foreign_hosts(): a request not addressed to the gateway is captured and sent to FAS.
            self.refuse(f"openNDS: {host} is not the gateway address {self.address}")
            return redirect(self._splash_redirect(client, uh_urlencode(request.url)), 307)
        if request.path != f"/{self.authdir}/":
            return _error(404)
        redir = request.args.get("redir")
        tok = request.args.get("tok")
        if redir is None or tok is None:
            self.refuse("openNDS: auth request without redir or tok")
            return _error(403)
        if not self._token_valid(client, tok):
            self.refuse(f"openNDS: invalid token for {mac}")
            # "user used an invalid token, redirect to splashpage but hold query 'redir' intact"
            return redirect(self._splash_redirect(client, uh_urlencode(redir)), 307)
        self.grant(Online(mac=mac))  # levels 0-2 carry no session length: the gateway's own default
        return redirect(redir, 307)  # send_redirect_temp: MHD_HTTP_TEMPORARY_REDIRECT

    def _token_valid(self, client: _Client, tok: str) -> bool:
        # try_to_authenticate: more than 8 characters is "hid mode" (rhid), else the raw token.
        if len(tok) > 8:
            return tok == sha256_hex(client.hid + self.faskey)
        return tok == client.token

    def _authenticated(self, request: Request, client: _Client) -> Response:
        if request.path == f"/{self.authdir}/":
            # An authenticated client at authdir is sent back to FAS with its query and the status.
            query = "&".join(f"{k}={v}" for k, v in parse_qsl(request.query_string.decode()))
            return redirect(f"{self.splash_url}?{query}&status=authenticated", 307)
        return html("<p>You are already logged in and have access to the Internet.</p>")


def _error(status: int) -> Response:
    titles = {
        403: "Error 403 - Forbidden - Access Denied to this Client!",
        404: "Error 404 - Not Found",
        503: "Error 503 - Service Unavailable. This may be a temporary condition.",
        511: "Network Authentication Required",
    }
    return Response(
        f"<html><head><title>Error {status}</title></head><body><h1>{titles[status]}</h1></body></html>",
        status,
        mimetype="text/html",
    )

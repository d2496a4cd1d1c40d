"""Ubiquiti UniFi Network with an external portal server: the classic controller and UniFi OS.

The guest's browser only visits our portal; the grant is a server-side API call (`authorize-guest`).
Built after Art-of-WiFi/UniFi-API-client src/Client.php (login paths, the stamgr payload) and the
issue threads cited in PROTOCOL_NOTES.md (CSRF on UniFi OS, error answers).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Request, Response

from .base import Online, Simulator, normalize_mac


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = Response(json.dumps(body), status, mimetype="application/json")
    response.headers.update(headers or {})
    return response


def _meta(rc: str, msg: str | None = None, data: list[Any] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"rc": rc}
    if msg:
        meta["msg"] = msg
    return {"meta": meta, "data": data or []}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class _Waiting:
    ap_mac: str
    ssid: str


class UniFi(Simulator):
    def __init__(self, unifi_os: bool, username: str, password: str, site: str = "default") -> None:
        super().__init__()
        self.unifi_os = unifi_os
        self.username = username
        self.password = password
        self.site = site
        self.waiting: dict[str, _Waiting] = {}  # guest stations seen, waiting for authorization
        self.preauthorized: dict[str, Online] = {}  # authorize-guest for a station not (yet) connected
        self._sessions: dict[str, str] = {}  # classic: unifises -> csrf_token; OS: jwt id -> csrfToken
        self._jwt_key = secrets.token_bytes(32)

    # -- the device's arrival ----------------------------------------------------------------------
    def arrive(
        self,
        mac: str,
        portal_base_url: str,
        ap_mac: str = "f0:9f:c2:12:34:56",
        original_url: str = "http://example.com/",
        ssid: str = "Demo Guest",
    ) -> str:
        """Where the AP's redirector sends a pending guest: the external portal's /guest/s/<site>/."""
        mac = normalize_mac(mac)
        with self._lock:
            self.waiting[mac] = _Waiting(ap_mac=normalize_mac(ap_mac), ssid=ssid)
            if mac in self.preauthorized:  # authorized before it connected: online as it arrives
                self.grant(self.preauthorized.pop(mac))
        # (verify) order ap, id, t, url, ssid as commonly reported; url and ssid percent-encoded
        return (
            f"{portal_base_url.rstrip('/')}/guest/s/{self.site}/?ap={normalize_mac(ap_mac)}&id={mac}"
            f"&t={int(time.time())}&url={quote(original_url, safe='')}&ssid={quote(ssid, safe='')}"
        )

    # -- HTTP --------------------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        path = request.path
        if self.unifi_os:
            if path == "/api/auth/login" and request.method == "POST":
                return self._os_login(request)
            if path == "/api/auth/logout" and request.method == "POST":
                return _json({})
            if path.startswith("/proxy/network/"):
                return self._os_network(request, path.removeprefix("/proxy/network"))
            if path == "/api/login":
                # The classic login path on a UniFi OS console is refused (reported 403 on UniFi OS 3.2)
                self.refuse("UniFi OS: classic /api/login used on a UniFi OS console")
                return _json({"error": {"code": 403, "message": "Forbidden"}}, 403)
            # (verify) network API without the /proxy/network prefix: not served by the console
            self.refuse(f"UniFi OS: {path} without the /proxy/network prefix")
            return _json({"error": {"code": 404, "message": "Not Found"}}, 404)
        if path == "/api/login" and request.method == "POST":
            return self._classic_login(request)
        if path == "/api/logout":
            return _json(_meta("ok"))
        if path.startswith("/api/"):
            session = request.cookies.get("unifises")
            if session not in self._sessions:
                self.refuse(f"UniFi: {path} without a logged-in session")
                return _json(_meta("error", "api.err.LoginRequired"), 401)
            # (verify) classic controllers accept the session cookie alone; X-Csrf-Token not enforced
            return self._network(request, path)
        return _json(_meta("error", "api.err.NotFound"), 404)

    def _credentials_ok(self, request: Request) -> bool:
        body = request.get_json(silent=True) or {}
        return (
            isinstance(body, dict)
            and body.get("username") == self.username
            and body.get("password") == self.password
        )

    def _classic_login(self, request: Request) -> Response:
        if not self._credentials_ok(request):
            self.refuse("UniFi: login with wrong credentials")
            return _json(_meta("error", "api.err.Invalid"), 400)
        session, csrf = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        self._sessions[session] = csrf
        response = _json(_meta("ok"))
        # Real cookies are also Secure (the controller is on https:8443); this one is plain http.
        response.set_cookie("unifises", session, path="/", httponly=True)
        response.set_cookie("csrf_token", csrf, path="/")
        return response

    def _os_login(self, request: Request) -> Response:
        if not self._credentials_ok(request):
            # Measured 403 on UniFi OS Server 5.1 (packetfence#9107); older consoles may answer 401 (verify)
            self.refuse("UniFi OS: login with wrong credentials")
            return _json({"error": {"code": 403, "message": "Forbidden"}}, 403)
        jti, csrf = secrets.token_hex(16), secrets.token_hex(16)
        self._sessions[jti] = csrf
        now = int(time.time())
        claims = {
            "userId": secrets.token_hex(8),
            "csrfToken": csrf,
            "iat": now,
            "exp": now + 7200,
            "jti": jti,
        }
        header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        body = _b64url(json.dumps(claims).encode())
        signature = _b64url(hmac.new(self._jwt_key, f"{header}.{body}".encode(), hashlib.sha256).digest())
        response = _json({"username": self.username, "isOwner": False}, headers={"X-CSRF-Token": csrf})
        response.set_cookie(
            "TOKEN", f"{header}.{body}.{signature}", path="/", httponly=True, samesite="Strict"
        )
        return response

    def _os_session(self, request: Request) -> dict[str, Any] | None:
        token = request.cookies.get("TOKEN", "")
        parts = token.split(".")
        if len(parts) != 3:
            return None
        expected = _b64url(
            hmac.new(self._jwt_key, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
        )
        if expected != parts[2]:
            return None
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        if claims.get("jti") not in self._sessions or claims.get("exp", 0) < time.time():
            return None
        return claims

    def _os_network(self, request: Request, path: str) -> Response:
        claims = self._os_session(request)
        if claims is None:
            self.refuse(f"UniFi OS: {path} without a valid TOKEN cookie")
            return _json({"error": {"code": 401, "message": "Unauthorized"}}, 401)
        if request.method not in ("GET", "HEAD"):
            sent = request.headers.get("X-CSRF-Token", "")
            if sent != claims["csrfToken"]:
                # The console's proxy refuses before the Network application sees the request.
                self.refuse(f"UniFi OS: {path} with a missing or wrong x-csrf-token")
                return _json({"message": "Invalid CSRF Token"}, 403)
        return self._network(request, path)

    # -- the Network application -------------------------------------------------------------------
    def _network(self, request: Request, path: str) -> Response:
        match = re.fullmatch(r"/api/s/([^/]+)/cmd/stamgr", path)
        if not match:
            return _json(_meta("error", "api.err.NotFound"), 404)
        if match.group(1) != self.site:
            self.refuse(f"UniFi: unknown site {match.group(1)!r}")
            return _json(_meta("error", "api.err.NoSiteContext"), 400)  # (verify) status code
        body = request.get_json(silent=True)
        if body is None and "json" in request.form:  # old clients post json=<payload> as a form
            body = json.loads(request.form["json"])
        if not isinstance(body, dict):
            self.refuse("UniFi: stamgr without a JSON body")
            return _json(_meta("error", "api.err.InvalidPayload"), 400)
        try:
            mac = normalize_mac(str(body.get("mac", "")))
        except ValueError:
            self.refuse(f"UniFi: stamgr with an invalid mac {body.get('mac')!r}")
            return _json(_meta("error", "api.err.InvalidPayload"), 400)  # (verify) message
        cmd = body.get("cmd")
        if cmd == "authorize-guest":
            return self._authorize(mac, body)
        if cmd == "unauthorize-guest":
            self.revoke(mac)
            return _json(_meta("ok"))
        self.refuse(f"UniFi: unknown stamgr command {cmd!r}")
        return _json(_meta("error", "api.err.UnknownCommand"), 400)  # (verify)

    def _authorize(self, mac: str, body: dict[str, Any]) -> Response:
        def number(name: str) -> int | None:
            value = body.get(name)
            return int(value) if value is not None else None

        online = Online(
            mac=mac,
            minutes=number("minutes"),
            up_kbps=number("up"),
            down_kbps=number("down"),
            quota_mb=number("bytes"),  # "bytes" is megabytes (Client.php: $MBytes)
        )
        now = int(time.time())
        record = {"_id": secrets.token_hex(12), "mac": mac, "authorized_by": "api", "start": now}
        if online.minutes is not None:
            record["end"] = now + online.minutes * 60
        if mac in self.waiting:
            self.grant(online)
        else:
            # (verify) the controller accepts authorizing a MAC that is not connected and applies it when
            # that station connects; nothing comes online now.
            self.preauthorized[mac] = online
        return _json(_meta("ok", data=[record]))

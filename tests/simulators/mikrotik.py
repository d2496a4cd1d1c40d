"""MikroTik RouterOS Hotspot: the login servlet the browser posts to, and the v7 REST API.

Built after RouterOS' HotSpot customisation manual (login.html parameters), its default login.html and
alogin.html, and the REST API manual (help.mikrotik.com); see PROTOCOL_NOTES.md.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Request, Response

from .base import Online, Simulator, normalize_mac

_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_routeros_time(text: str) -> int:
    """RouterOS time values in seconds: "1h30m", "90m", "1d2h", "00:30:00", "1d 02:00:00" or "45"."""
    text = text.strip().replace(" ", "")
    clock = re.fullmatch(r"(?:(\d+)d)?(\d+):(\d{1,2})(?::(\d{1,2}))?", text)
    if clock:
        days, hours, minutes, seconds = (int(part or 0) for part in clock.groups())
        return days * 86400 + hours * 3600 + minutes * 60 + seconds
    if text.isdigit():
        return int(text)
    parts = re.findall(r"(\d+)([wdhms])", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"invalid time value {text!r}")
    return sum(int(number) * _UNITS[unit] for number, unit in parts)


def format_routeros_time(seconds: int) -> str:
    """How RouterOS prints a time value back: "1h30m", "1d", "0s"."""
    out = []
    for unit, size in _UNITS.items():
        count, seconds = divmod(seconds, size)
        if count:
            out.append(f"{count}{unit}")
    return "".join(out) or "0s"


def parse_routeros_bytes(text: str) -> int:
    """limit-bytes-total: a number with an optional k/M/G suffix (binary multiples)."""
    match = re.fullmatch(r"(\d+)([kKMG]?)", text.strip())
    if not match:
        raise ValueError(f"invalid byte count {text!r}")
    return int(match.group(1)) * {"": 1, "k": 1024, "K": 1024, "M": 1024**2, "G": 1024**3}[match.group(2)]


def octal_escape(data: bytes) -> str:
    r"""How RouterOS prints $(chap-id) and $(chap-challenge): every byte as \ooo (e.g. \371\015)."""
    return "".join(f"\\{byte:03o}" for byte in data)


@dataclass
class _User:
    id: str
    name: str
    password: str
    profile: str = "default"
    limit_uptime: int | None = None  # seconds
    limit_bytes_total: int | None = None
    comment: str = ""

    def as_rest(self) -> dict[str, str]:
        # The REST API answers every value as a string, ids as "*<hex>".
        record = {
            ".id": self.id,
            "name": self.name,
            "password": self.password,
            "profile": self.profile,
            "server": "all",
            "disabled": "false",
            "dynamic": "false",
            "comment": self.comment,
        }
        if self.limit_uptime is not None:
            record["limit-uptime"] = format_routeros_time(self.limit_uptime)
        if self.limit_bytes_total is not None:
            record["limit-bytes-total"] = str(self.limit_bytes_total)
        return record


@dataclass
class _Host:
    ip: str
    chap_id: bytes
    chap_challenge: bytes
    original_url: str


class MikroTik(Simulator):
    def __init__(
        self, api_user: str, api_password: str, users: dict[str, str] | None = None, use_chap: bool = True
    ) -> None:
        super().__init__()
        self.api_user = api_user
        self.api_password = api_password
        self.use_chap = use_chap  # the server profile's login-by: chap (default) or http-pap only
        self.users: dict[str, _User] = {}
        self.hosts: dict[str, _Host] = {}
        self._next_id = 1
        for name, password in (users or {}).items():
            self._add_user(name, password)

    def _add_user(self, name: str, password: str, **extra: Any) -> _User:
        user = _User(id=f"*{self._next_id:X}", name=name, password=password, **extra)
        self._next_id += 1
        self.users[name] = user
        return user

    # -- the device's arrival ----------------------------------------------------------------------
    def arrive(
        self, mac: str, ip: str, portal_url: str, original_url: str = "http://example.com/"
    ) -> dict[str, str]:
        """The fields the router's edited login.html auto-submits (POST) to `portal_url`."""
        del portal_url  # the form's action; the fields themselves do not depend on it
        mac = normalize_mac(mac)
        host = self._challenge(mac, ip, original_url)
        login_only = f"{self.base_url}/login"
        return {
            "mac": mac.upper(),  # (verify) $(mac) prints upper case with colons
            "ip": ip,
            "username": "",
            "link-login": f"{login_only}?dst={quote(original_url, safe='')}",
            "link-login-only": login_only,
            "link-orig": original_url,
            "link-orig-esc": quote(original_url, safe=""),
            "mac-esc": quote(mac.upper(), safe=""),
            "error": "",
            "chap-id": octal_escape(host.chap_id) if self.use_chap else "",
            "chap-challenge": octal_escape(host.chap_challenge) if self.use_chap else "",
        }

    def _challenge(self, mac: str, ip: str, original_url: str) -> _Host:
        # A CHAP id is one byte; the challenge is 16 bytes (RADIUS CHAP-Challenge from a hotspot).
        host = _Host(ip, secrets.token_bytes(1), secrets.token_bytes(16), original_url)
        with self._lock:
            self.hosts[mac] = host
        return host

    # -- HTTP --------------------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        if request.path.startswith("/rest/"):
            return self._rest(request)
        if request.path == "/login" and request.method == "POST":
            return self._login(request)
        return Response("Not Found", 404)

    def _login(self, request: Request) -> Response:
        mac = self.device(request)
        host = self.hosts.get(mac) if mac else None
        username = request.form.get("username", "")
        password = request.form.get("password", "")
        dst = request.form.get("dst", "")
        if mac is None or host is None:
            self.refuse("MikroTik login: from a device the hotspot has no host entry for")
            return self._login_page(mac, "invalid username or password")
        user = self.users.get(username)
        if user is None or not self._password_ok(host, user, password):
            self.refuse(f"MikroTik login: invalid username or password for {username!r}")
            return self._login_page(mac, "invalid username or password", username)
        minutes = user.limit_uptime // 60 if user.limit_uptime else None
        quota = user.limit_bytes_total // 1024**2 if user.limit_bytes_total else None
        self.grant(Online(mac=mac, minutes=minutes, quota_mb=quota, username=username))
        return self._alogin(dst or f"{self.base_url}/status")

    def _password_ok(self, host: _Host, user: _User, password: str) -> bool:
        if not self.use_chap:
            return password == user.password
        expected = hashlib.md5(host.chap_id + user.password.encode() + host.chap_challenge).hexdigest()
        return password.lower() == expected

    def _login_page(self, mac: str | None, error: str, username: str = "") -> Response:
        """login.html again, with $(error) and a fresh challenge (each page view gets a new one)."""
        chap = ""
        if mac and mac in self.hosts and self.use_chap:
            old = self.hosts[mac]
            host = self._challenge(mac, old.ip, old.original_url)
            chap = (
                f'<input type="hidden" name="chap-id" value="{htmllib.escape(octal_escape(host.chap_id))}">'
                f'<input type="hidden" name="chap-challenge" '
                f'value="{htmllib.escape(octal_escape(host.chap_challenge))}">'
            )
        page = (
            "<html><head><title>internet hotspot > login</title></head><body>"
            f'<form name="login" action="{self.base_url}/login" method="post">'
            f'<input type="text" name="username" value="{htmllib.escape(username)}">'
            f'<input type="password" name="password">{chap}</form>'
            f'<div class="error">{htmllib.escape(error)}</div></body></html>'
        )
        return Response(page, 200, mimetype="text/html")

    @staticmethod
    def _alogin(link_redirect: str) -> Response:
        """alogin.html: shown after a successful login; it sends the browser on to $(link-redirect)."""
        target = htmllib.escape(link_redirect, quote=True)
        page = (
            "<html><head><title>mikrotik hotspot > redirect</title>"
            f'<meta http-equiv="refresh" content="2; url={target}">'
            f"<script>function startClock() {{ location.href = {json.dumps(link_redirect)}; }}</script>"
            '</head><body onLoad="startClock()">You are logged in<br><br>'
            f'If nothing happens, click <a href="{target}">here</a></body></html>'
        )
        return Response(page, 200, mimetype="text/html")

    # -- REST API (RouterOS v7) --------------------------------------------------------------------
    def _rest(self, request: Request) -> Response:
        auth = request.authorization
        if not (
            auth is not None
            and auth.type == "basic"
            and auth.username == self.api_user
            and auth.password == self.api_password
        ):
            self.refuse("MikroTik REST: missing or wrong HTTP basic credentials")
            response = _rest_error(401, "Unauthorized")
            response.headers["WWW-Authenticate"] = 'Basic realm="RouterOS"'  # (verify) realm text
            return response
        path = request.path.removeprefix("/rest").rstrip("/")
        if path == "/ip/hotspot/user":
            if request.method == "GET":
                return _rest_json([user.as_rest() for user in self.users.values()])
            if request.method == "PUT":
                return self._rest_add_user(request)
        match = re.fullmatch(r"/ip/hotspot/user/(\*[0-9A-Fa-f]+)", path)
        if match:
            user = next((u for u in self.users.values() if u.id == match.group(1)), None)
            if user is None:
                return _rest_error(404, "Not Found", "no such item")
            if request.method == "GET":
                return _rest_json(user.as_rest())
            if request.method == "DELETE":
                del self.users[user.name]
                return Response(status=204)
        return _rest_error(404, "Not Found")

    def _rest_add_user(self, request: Request) -> Response:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            self.refuse("MikroTik REST: add user without a JSON object")
            return _rest_error(400, "Bad Request", "JSON parsing error")  # (verify) detail text
        name = str(body.get("name", ""))
        if not name:
            self.refuse("MikroTik REST: add user without a name")
            return _rest_error(400, "Bad Request", "failure: name must be set")  # (verify) detail text
        if name in self.users:
            self.refuse(f"MikroTik REST: user {name!r} already exists")
            return _rest_error(
                400, "Bad Request", "failure: already have user with this name for this server"
            )
        extra: dict[str, Any] = {
            "profile": str(body.get("profile", "default")),
            "comment": str(body.get("comment", "")),
        }
        try:
            if "limit-uptime" in body:
                extra["limit_uptime"] = parse_routeros_time(str(body["limit-uptime"]))
            if "limit-bytes-total" in body:
                extra["limit_bytes_total"] = parse_routeros_bytes(str(body["limit-bytes-total"]))
        except ValueError as error:
            self.refuse(f"MikroTik REST: {error}")
            return _rest_error(400, "Bad Request", f"failure: {error}")  # (verify) detail text
        user = self._add_user(name, str(body.get("password", "")), **extra)
        return _rest_json(user.as_rest())  # (verify) PUT answers the created record with its .id


def _rest_json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status, mimetype="application/json")


def _rest_error(status: int, message: str, detail: str | None = None) -> Response:
    # (verify) RouterOS REST error shape: {"error": <status>, "message": <reason>, "detail": <text>}
    body: dict[str, Any] = {"error": status, "message": message}
    if detail:
        body["detail"] = detail
    return _rest_json(body, status)

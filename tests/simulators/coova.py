"""CoovaChilli's UAM server (the "redir" process) on uamip 127.0.0.1 and uamport <this port>.

Built after coova/coova-chilli src/redir.c: bstring_buildurl and redir_md_param (the redirect URL and
its md), redir_getreq (the /logon parameters), is_local_user (CHAP and PAP checks against local users),
redir_reply (302 answers, res values). Users here play the part of chilli's localusers file.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from werkzeug.wrappers import Request, Response

from .base import Online, Simulator, normalize_mac, random_mac, redirect


def redir_urlencode(text: str) -> str:
    """chilli's redir_urlencode: keep A-Z a-z 0-9 - _ . ! ~ *, the rest as %xx in lower-case hex."""
    out = []
    for byte in text.encode():
        char = chr(byte)
        keep = char.isascii() and (char.isalnum() or char in "-_.!~*")
        out.append(char if keep else f"%{byte:02x}")
    return "".join(out)


def redir_urldecode(text: str) -> str:
    """chilli's redir_urldecode: %xx to the byte, nothing else ('+' stays '+')."""
    out = bytearray()
    i = 0
    raw = text.encode()
    while i < len(raw):
        if raw[i] == ord("%"):
            if i + 2 < len(raw):
                try:
                    out.append(int(raw[i + 1 : i + 3], 16))
                except ValueError:
                    out.append(ord("_"))
            i += 3
        else:
            out.append(raw[i])
            i += 1
    return out.decode(errors="replace")


def redir_getparam(query: str, name: str) -> str | None:
    """chilli's redir_getparam: the first "<name>=" at the start or after an '&', url-decoded."""
    key = f"{name}="
    if query.startswith(key):
        start = len(key)
    else:
        at = query.find(f"&{key}")
        if at < 0:
            return None
        start = at + 1 + len(key)
    end = query.find("&", start)
    return redir_urldecode(query[start : end if end >= 0 else len(query)])


def dashed(mac: str) -> str:
    return normalize_mac(mac).upper().replace(":", "-")


@dataclass
class _Session:
    mac: str
    ip: str
    challenge: bytes  # 16 random octets; in the URL as lower-case hex
    sessionid: str
    userurl: str
    authenticated: bool = False


class CoovaChilli(Simulator):
    def __init__(
        self, uamsecret: str | None, users: dict[str, str], splash_url: str, nasid: str = "demo-nas"
    ) -> None:
        super().__init__()
        self.uamsecret = uamsecret
        self.users = dict(users)
        self.splash_url = splash_url  # uamserver
        self.nasid = nasid  # radiusnasid
        self.nas_mac = dashed(random_mac())  # "called": the NAS' own MAC, AA-BB-CC-DD-EE-FF
        self.sessions: dict[str, _Session] = {}
        self._units = 0

    @property
    def uamip(self) -> str:
        return "127.0.0.1"

    # -- the device's arrival ----------------------------------------------------------------------
    def arrive(self, mac: str, ip: str, original_url: str = "http://example.com/") -> str:
        """The res=notyet redirect chilli answers a captured HTTP request with."""
        mac = normalize_mac(mac)
        self._units += 1
        # (verify) chilli's session ids are hex of start time and a per-connection unit number
        sessionid = f"{int(time.time()):08x}{self._units:08x}"
        session = _Session(mac, ip, secrets.token_bytes(16), sessionid, original_url)
        with self._lock:
            self.sessions[mac] = session
        return self.build_url(session, "notyet", hexchal=session.challenge.hex(), userurl=original_url)

    def build_url(
        self,
        session: _Session,
        res: str,
        hexchal: str | None = None,
        uid: str | None = None,
        userurl: str | None = None,
    ) -> str:
        """bstring_buildurl: the parameters in chilli's order, then md over everything before it."""
        url = f"{self.splash_url}{'&' if '?' in self.splash_url else '?'}res={res}&uamip={self.uamip}"
        url += f"&uamport={self.port}"
        if hexchal:
            url += f"&challenge={hexchal}"
        url += f"&called={redir_urlencode(self.nas_mac)}"
        if uid:
            url += f"&uid={redir_urlencode(uid)}"
        url += f"&mac={redir_urlencode(dashed(session.mac))}&ip={session.ip}"
        url += f"&nasid={redir_urlencode(self.nasid)}&sessionid={redir_urlencode(session.sessionid)}"
        if userurl:
            url += f"&userurl={redir_urlencode(userurl)}"
        if self.uamsecret:
            # redir_md_param: MD5 over the URL so far followed by the uamsecret, upper-case hex
            url += f"&md={hashlib.md5((url + self.uamsecret).encode()).hexdigest().upper()}"
        return url

    # -- HTTP --------------------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        mac = self.device(request)
        session = self.sessions.get(mac) if mac else None
        if session is None:
            # cb_getstate() finds no session for this client: chilli closes the connection without an
            # answer. (verify) a 403 with no body stands in for the dropped connection.
            self.refuse("CoovaChilli: request from a device with no session")
            return Response(status=403)
        query = request.query_string.decode()
        path = request.path.strip("/")
        if path in ("logon", "login"):
            return self._logon(session, query)
        if path in ("logoff", "logout"):
            session.authenticated = False
            self.revoke(session.mac)
            session.challenge = secrets.token_bytes(16)
            return redirect(
                self.build_url(session, "logoff", session.challenge.hex(), userurl=session.userurl)
            )
        return redirect(self.build_url(session, "notyet", session.challenge.hex(), userurl=session.userurl))

    def _logon(self, session: _Session, query: str) -> Response:
        username = redir_getparam(query, "username")
        if username is None:
            self.refuse("CoovaChilli: logon without a username")
            return Response(status=403)  # chilli: protocol error, connection closed (verify)
        userurl_param = redir_getparam(query, "userurl")
        if userurl_param is not None:
            session.userurl = redir_urldecode(userurl_param)  # chilli decodes userurl twice
        if session.authenticated:
            return redirect(self.build_url(session, "already", userurl=session.userurl))
        if self._credentials_ok(session, username, query):
            session.authenticated = True
            self.grant(Online(mac=session.mac, username=username))
            return redirect(self.build_url(session, "success", uid=username, userurl=session.userurl))
        self.refuse(f"CoovaChilli: wrong CHAP response or password for {username!r}")
        # On reject chilli issues a new challenge (challengetimeout is set by default (verify)).
        session.challenge = secrets.token_bytes(16)
        return redirect(
            self.build_url(session, "failed&reason=reject", session.challenge.hex(), userurl=session.userurl)
        )

    def _credentials_ok(self, session: _Session, username: str, query: str) -> bool:
        password = self.users.get(username)
        if password is None:
            return False
        # The challenge the client must answer: md5(challenge + uamsecret), or the challenge itself.
        if self.uamsecret:
            newchal = hashlib.md5(session.challenge + self.uamsecret.encode()).digest()
        else:
            newchal = session.challenge
        response = redir_getparam(query, "response")
        if response is not None:  # CHAP: md5(ident + password + newchal), ident from "ident" or 0
            ident_text = redir_getparam(query, "ident") or "0"
            ident = int(ident_text) if ident_text.isdigit() else 0
            expected = hashlib.md5(bytes([ident & 0xFF]) + password.encode() + newchal).digest()
            return _unhex(response, 16) == expected
        pap = redir_getparam(query, "password")
        if pap is not None:  # PAP: hex of password XOR newchal, repeated every 16 octets
            sent = _unhex(pap, len(pap) // 2)
            plain = bytes(b ^ newchal[i % 16] for i, b in enumerate(sent)).split(b"\0", 1)[0]
            return plain == password.encode()
        return False


def _unhex(text: str, length: int) -> bytes:
    """redir_hextochar: pairs of hex digits, missing or bad pairs count as 0."""
    out = bytearray()
    for n in range(length):
        pair = text[2 * n : 2 * n + 2]
        try:
            out.append(int(pair, 16) if pair else 0)
        except ValueError:
            out.append(0)
    return bytes(out)

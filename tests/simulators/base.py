"""What every controller simulator shares: a real HTTP server on loopback, the record of devices let
online, the reasons for every refusal, and how a request says which device sent it."""

from __future__ import annotations

import re
import secrets
import threading
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

# On loopback every device is 127.0.0.1; a real gateway knows the sender by its LAN address. The
# test's phone sends this header on every request so the simulator can tell devices apart.
DEVICE_HEADER = "X-Device-Mac"

_MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")


def normalize_mac(mac: str) -> str:
    """Any spelling (dashes, upper case, no separators) to lower-case colon form."""
    raw = mac.strip().lower().replace("-", ":").replace(".", "")
    if ":" not in raw and len(raw) == 12:
        raw = ":".join(raw[i : i + 2] for i in range(0, 12, 2))
    if not _MAC.match(raw):
        raise ValueError(f"not a MAC address: {mac!r}")
    return raw


def random_mac() -> str:
    """A locally administered unicast MAC, for the gateway's or the AP's own address."""
    first = (secrets.randbits(8) & 0xFC) | 0x02
    return ":".join(f"{b:02x}" for b in [first, *secrets.token_bytes(5)])


@dataclass
class Online:
    mac: str
    minutes: int | None = None  # session length the grant carried (None: the controller's default)
    up_kbps: int | None = None
    down_kbps: int | None = None
    quota_mb: int | None = None  # data limit
    username: str | None = None  # credentials used (MikroTik/Coova/Meraki sign-on)


class Simulator:
    """A controller on 127.0.0.1:<free port>. Subclasses implement `handle`."""

    def __init__(self) -> None:
        self.online: dict[str, Online] = {}
        self.refusals: list[str] = []
        self._lock = threading.RLock()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> Self:
        if self._server is None:
            self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
            # A short poll so that stop() returns quickly (shutdown waits for the next poll).
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()  # the listening socket, else a ResourceWarning
            if self._thread is not None:
                self._thread.join(timeout=10)
            self._server = None
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return self._server.server_port

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"http://{self.address}"

    # -- state -------------------------------------------------------------------------------------
    def is_online(self, mac: str) -> bool:
        with self._lock:
            return normalize_mac(mac) in self.online

    def grant(self, online: Online) -> None:
        with self._lock:
            self.online[online.mac] = online

    def revoke(self, mac: str) -> None:
        with self._lock:
            self.online.pop(normalize_mac(mac), None)

    def refuse(self, reason: str) -> None:
        with self._lock:
            self.refusals.append(reason)

    @staticmethod
    def device(request: Request) -> str | None:
        """The MAC of the device whose browser sent this request, or None if it did not say."""
        value = request.headers.get(DEVICE_HEADER)
        if not value:
            return None
        try:
            return normalize_mac(value)
        except ValueError:
            return None

    # -- HTTP --------------------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def _wsgi(self, environ: dict, start_response):  # type: ignore[no-untyped-def]
        request = Request(environ)
        with self._lock:  # one request at a time: the state is small and the tests are not load tests
            response = self.handle(request)
        return response(environ, start_response)


def html(body: str, status: int = 200) -> Response:
    return Response(f"<!DOCTYPE html><html><body>{body}</body></html>", status, mimetype="text/html")


def redirect(location: str, status: int = 302) -> Response:
    """A redirect with the Location exactly as given (werkzeug would re-quote it otherwise)."""
    response = Response(f'<html><body><a href="{location}">continue</a></body></html>', status)
    response.headers["Location"] = location
    response.autocorrect_location_header = False
    return response

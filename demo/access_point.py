"""A venue's Wi-Fi for the demo (`make run`): a Meraki access point in click-through mode, played
on loopback so the whole guest flow can be tried in a browser without one: the access point sends a
browser that is not online yet to the splash page, the splash page sends it back to the grant
address, and the access point lets it online.

Each browser is one device: its MAC address is made up on the first visit and kept in a cookie.
Only the demo uses this; the tests drive every controller through the simulators in
`tests/simulators/`, which check every detail of each protocol.

    python -m demo.access_point --site http://127.0.0.1:5000 --hotspot demo-meraki --port 5001
"""

from __future__ import annotations

import argparse
import secrets
import time
from collections.abc import Callable, Iterable
from html import escape
from typing import Any
from urllib.parse import urlencode

from werkzeug.serving import run_simple
from werkzeug.wrappers import Request, Response

COOKIE = "demo_access_point_device"


def _made_up_mac() -> str:
    """Locally administered and unicast, as phones' private Wi-Fi addresses are."""
    first = (secrets.randbits(8) & 0xFC) | 0x02
    return ":".join(f"{byte:02x}" for byte in [first, *secrets.token_bytes(5)])


def _page(title: str, body: str) -> Response:
    return Response(
        f'<!doctype html><html lang="en"><meta name="viewport" content="width=device-width">'
        f'<title>{escape(title)}</title><body style="font-family:system-ui;max-width:30rem;margin:2rem auto;'
        f'padding:0 1rem"><h1>{escape(title)}</h1>{body}</body></html>',
        content_type="text/html; charset=utf-8",
    )


class DemoAccessPoint:
    def __init__(self, site: str, hotspot: str) -> None:
        self.splash = f"{site.rstrip('/')}/wifi/{hotspot}"
        self.online_until: dict[str, float] = {}  # MAC -> when its session ends (time.time())

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        mac = request.cookies.get(COOKIE) or _made_up_mac()
        if request.path.rstrip("/") == "/splash/grant":
            response = self.grant(request, mac)
        else:
            response = self.browse(request, mac)
        response.set_cookie(COOKIE, mac, httponly=True, samesite="Lax")
        return response(environ, start_response)

    def browse(self, request: Request, mac: str) -> Response:
        """Any page the guest opens: what the Wi-Fi lets through, or the redirect to the splash."""
        seconds_left = self.online_until.get(mac, 0) - time.time()
        if seconds_left > 0:
            return _page(
                "You are online",
                f"<p>This browser is device <code>{mac}</code> on the demo venue's Wi-Fi, online for "
                f"{int(seconds_left // 60)} more minutes.</p>",
            )
        base = request.host_url.rstrip("/")
        query = urlencode(
            {
                "base_grant_url": f"{base}/splash/grant",
                "user_continue_url": request.url,
                "node_mac": "02:00:00:00:00:01",
                "client_ip": request.remote_addr or "127.0.0.1",
                "client_mac": mac,
            }
        )
        return Response(status=302, headers={"Location": f"{self.splash}?{query}"})

    def grant(self, request: Request, mac: str) -> Response:
        duration = request.args.get("duration", "")
        seconds = int(duration) if duration.isdigit() else 3600
        self.online_until[mac] = time.time() + seconds
        continue_url = request.args.get("continue_url", "")
        if not continue_url.startswith(("http://", "https://")):
            return _page("You are online", "<p>The splash page did not say where to go next.</p>")
        return Response(status=302, headers={"Location": continue_url})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", default="http://127.0.0.1:5000")
    parser.add_argument("--hotspot", default="demo-meraki")
    parser.add_argument("--port", type=int, default=5001)
    options = parser.parse_args()
    run_simple("127.0.0.1", options.port, DemoAccessPoint(options.site, options.hotspot), threaded=True)


if __name__ == "__main__":
    main()

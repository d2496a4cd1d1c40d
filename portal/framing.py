"""The portal inside a merchant's website: who may frame which page, and a session cookie that
still works in a third-party iframe.

Every site page says `frame-ancestors 'none'`, except the customer portal's, which may be framed
by the origins its merchant listed (`Merchant.embed_origins`). A framed portal page sets its session
cookie `Secure; SameSite=None; Partitioned` (CHIPS): a browser keeps it for the merchant's website
only, apart from the same portal opened directly. CSRF tokens are checked as everywhere else."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Flask, g, has_request_context, request, url_for
from flask.sessions import SecureCookieSessionInterface
from werkzeug.wrappers import Response

EMBED_ARG = "embed"  # ?embed=1: the widget asks for the page framed
FRAME_DESTINATIONS = ("iframe", "frame")
# What a CSP host-source can say. The core accepts IPv6 loopback origins too, which CSP cannot
# name: those are left out, so such a page is simply not framable there.
CSP_ORIGIN = re.compile(r"^https?://[a-z0-9.-]+(:[0-9]{1,5})?$")


def framed() -> bool:
    """This request is a customer portal page inside a frame: the browser says so (Sec-Fetch-Dest,
    sent by Chromium, Firefox and Safari 16.4+ to https and loopback origins), or, from browsers
    that do not say, the widget asked for it (?embed=1). A top-level page with ?embed=1 keeps
    its SameSite=Lax cookie."""
    if not has_request_context() or request.blueprint != "customer":
        return False
    destination = request.headers.get("Sec-Fetch-Dest", "")
    if destination:  # the browser says where the page goes: believed over any parameter
        return destination in FRAME_DESTINATIONS
    return request.args.get(EMBED_ARG) == "1"


def unframed_url() -> str:
    """This page's address without the embed marker: what "open in a new window" opens. A form's
    address that only takes POST (redeem, log out) cannot be opened: the portal's home then."""
    rule = request.url_rule
    if rule is None or "GET" not in (rule.methods or ()):
        return url_for("customer.dashboard")
    query = urlencode([(key, value) for key, value in request.args.items(multi=True) if key != EMBED_ARG])
    return request.path + (f"?{query}" if query else "")


def frame_ancestors() -> str:
    merchant = g.get("merchant")
    if request.blueprint != "customer" or merchant is None:
        return "'none'"
    origins = [each for each in merchant.embed_origins if CSP_ORIGIN.match(each)]
    return " ".join(origins) or "'none'"


class FramingSessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, with the cookie's attributes chosen per request: a cookie set
    inside a third-party frame must be SameSite=None (so the frame gets it back) and Secure (which
    SameSite=None requires), and is Partitioned so that it lives only under that merchant's site."""

    def get_cookie_samesite(self, app: Flask) -> str | None:
        return "None" if framed() else super().get_cookie_samesite(app)

    def get_cookie_secure(self, app: Flask) -> bool:
        return True if framed() else super().get_cookie_secure(app)

    def get_cookie_partitioned(self, app: Flask) -> bool:
        return True if framed() else super().get_cookie_partitioned(app)


def _keep_embed_on_redirect(response: Response) -> None:
    """A browser that does not send Sec-Fetch-Dest knows it is framed only from ?embed=1: keep it
    on the portal's own redirects (to the login page, back after it), which set the cookies."""
    location = response.headers.get("Location", "")
    if request.args.get(EMBED_ARG) != "1" or not location.startswith(f"/p/{g.merchant.slug}/"):
        return
    parts = urlsplit(location)
    if (EMBED_ARG, "1") not in parse_qsl(parts.query):
        query = f"{parts.query}&{EMBED_ARG}=1" if parts.query else f"{EMBED_ARG}=1"
        response.headers["Location"] = urlunsplit(parts._replace(query=query))


def add_framing_headers(response: Response) -> Response:
    """X-Frame-Options where nothing may frame the page (its CSP frame-ancestors is in headers)."""
    if frame_ancestors() == "'none'":
        response.headers.setdefault("X-Frame-Options", "DENY")  # browsers older than frame-ancestors
    if request.blueprint == "customer" and g.get("merchant") is not None:
        response.vary.add("Sec-Fetch-Dest")  # the cookie and the page differ when framed
        if response.status_code in (301, 302, 303, 307, 308):
            _keep_embed_on_redirect(response)
    return response


def _template_context() -> dict[str, Any]:
    return {"embed_mode": framed(), "unframed_url": unframed_url}


def init_framing(app: Flask) -> None:
    app.session_interface = FramingSessionInterface()
    app.after_request(add_framing_headers)
    app.context_processor(_template_context)

"""The core's security headers, on every response (the staff UI, the embed page, the API):

- Content-Security-Policy: scripts, styles and pictures from the core only, forms post to it, and
  no page of it is shown inside another site (its staff pages could be clicked on unseen; the
  portal, which may be framed, is the site's). A response with a policy of its own keeps it.
- nosniff; HSTS where the session cookie is Secure (the core is served over https then).
- Referrer-Policy: same-origin (as the staff pages' own <meta> says); nothing from a page whose
  address holds a one-time link (the staff password reset).
- Cache-Control: no-store on everything that did not choose its caching itself (widget.js and the
  static files did): staff pages and the API's answers are someone's data. Decided without
  looking up who is logged in, so that it holds when the database is down too."""

from __future__ import annotations

from flask import Flask, current_app, request
from werkzeug.wrappers import Response

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HSTS = "max-age=31536000"
TOKEN_ARG = "token"  # a view argument that is a one-time link


def add_security_headers(response: Response) -> Response:
    policy = response.headers.get("Content-Security-Policy")
    if policy is None:
        response.headers["Content-Security-Policy"] = POLICY
    elif "frame-ancestors" not in policy:
        response.headers["Content-Security-Policy"] = f"{policy}; frame-ancestors 'none'"
    response.headers.setdefault("X-Frame-Options", "DENY")  # browsers older than frame-ancestors
    response.headers["X-Content-Type-Options"] = "nosniff"
    if current_app.config["SESSION_COOKIE_SECURE"]:
        response.headers["Strict-Transport-Security"] = HSTS
    token_page = TOKEN_ARG in (request.view_args or {})
    response.headers["Referrer-Policy"] = "no-referrer" if token_page else "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_headers(app: Flask) -> None:
    app.after_request(add_security_headers)

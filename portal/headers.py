"""The site's security headers, on every response:

- Content-Security-Policy: scripts, styles, pictures and connections from the site only; the one
  inline style (the merchant's accent colours, in base.html) carries this response's nonce;
  forms post to the site, except on the Wi-Fi splash, whose forms post to the venue's controller
  and whose sign-up redirects to its grant address (each hotspot's own, so no list fits); which
  sites may frame the page is framing's.
- nosniff; HSTS where the session cookie is Secure (the site is served over https then).
- Referrer-Policy: origins only to other sites; nothing at all from a page whose address holds a
  one-time link (activation, password reset, e-mail change).
- Cache-Control: no-store on a logged-in customer's pages, on one-time link pages and on the
  splash (a returning guest is greeted by name), unless the response chose its caching itself."""

from __future__ import annotations

import secrets

from flask import Flask, current_app, g, request
from flask_login import current_user
from werkzeug.wrappers import Response

from .framing import frame_ancestors

HSTS = "max-age=31536000"
TOKEN_ARG = "token"  # a view argument that is a one-time link


def csp_nonce() -> str:
    """This response's nonce, for a template's inline `<style>`."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return str(g.csp_nonce)


def content_security_policy() -> str:
    styles = f"'self' 'nonce-{g.csp_nonce}'" if "csp_nonce" in g else "'self'"
    directives = [
        "default-src 'self'",
        "script-src 'self'",
        f"style-src {styles}",
        "img-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
    ]
    if request.blueprint != "captive":
        directives.append("form-action 'self'")
    directives.append(f"frame-ancestors {frame_ancestors()}")
    return "; ".join(directives)


def _token_page() -> bool:
    return TOKEN_ARG in (request.view_args or {})


def _personal() -> bool:
    if _token_page() or request.blueprint == "captive":
        return True
    return request.blueprint == "customer" and bool(current_user.is_authenticated)


def add_security_headers(response: Response) -> Response:
    policy = response.headers.get("Content-Security-Policy")
    if policy is None:
        response.headers["Content-Security-Policy"] = content_security_policy()
    elif "frame-ancestors" not in policy:  # a response's own policy (the logo's) is not framed either
        response.headers["Content-Security-Policy"] = f"{policy}; frame-ancestors {frame_ancestors()}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if current_app.config["SESSION_COOKIE_SECURE"]:
        response.headers["Strict-Transport-Security"] = HSTS
    referrer = "no-referrer" if _token_page() else "strict-origin-when-cross-origin"
    response.headers["Referrer-Policy"] = referrer
    if "Cache-Control" not in response.headers and _personal():
        response.headers["Cache-Control"] = "no-store"
    return response


def init_headers(app: Flask) -> None:
    app.after_request(add_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce

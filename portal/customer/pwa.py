"""What makes each merchant's portal an installable app: its web app manifest and its service
worker, both served under /p/<merchant>/ so that the app's scope is that merchant's portal."""

from __future__ import annotations

import json

from flask import Response, current_app, g, send_from_directory, url_for
from flask_babel import gettext as _

from ..i18n import current_locale
from .blueprint import bp

THEME_COLOUR = "#0b57d0"  # --accent in portal.css
BACKGROUND_COLOUR = "#f6f7f9"  # --bg in portal.css


@bp.route("/manifest.webmanifest")
def manifest() -> Response:
    portal = url_for(".dashboard")
    icons = [
        {"src": url_for("static", filename="icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": url_for("static", filename="icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {
            "src": url_for("static", filename="icons/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]
    body = {
        "id": portal,
        "name": g.merchant.name,
        "short_name": g.merchant.name,
        "description": _("Your loyalty card, points and credit"),
        "lang": current_locale(),
        "start_url": portal,
        "scope": portal,
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": icons,
    }
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")


@bp.route("/sw.js")
def service_worker() -> Response:
    """The same script for every merchant; served from here because a service worker's scope can be
    no wider than the folder it is served from."""
    response = send_from_directory(str(current_app.static_folder), "sw.js", mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response

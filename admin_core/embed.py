"""Putting the portal on a merchant's own website: the widget script merchants paste
(`/widget.js`, public) and, for the merchant's staff, the page with the code to paste
(`/embed/<m>`).

The core cannot see the site's URL map: the portal's address is the site's root (SITE_URL, env
FLASK_SITE_URL, for a core deployed on a host of its own; else the host this page is asked on,
right wherever the site serves the core at /core) + `p/<m>/`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request, url_for
from markupsafe import escape
from werkzeug.wrappers import Response

from .models import Merchant, StaffLevel
from .staff.auth import current_staff, staff_required
from .staff.blueprint import forbidden, not_found

STATIC = Path(__file__).resolve().parent / "static"
WIDGET_MAX_AGE = 3600  # merchants' pages load it on every visit; a fix reaches them within the hour

bp = Blueprint("embed", __name__, template_folder="templates")


@cache
def _widget_script() -> tuple[bytes, str]:
    script = (STATIC / "widget.js").read_bytes()
    return script, hashlib.sha256(script).hexdigest()


@bp.route("/widget.js")
def widget() -> Response:
    script, digest = _widget_script()
    response = Response(script, mimetype="text/javascript")
    response.set_etag(digest)
    response.cache_control.public = True
    response.cache_control.max_age = WIDGET_MAX_AGE
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(request)


@dataclass(frozen=True)
class EmbedCode:
    """What a merchant pastes, as text to show (the page escapes it once more)."""

    portal_url: str
    script: str
    iframe: str


def embed_code(merchant: Merchant, site_root: str, widget_url: str) -> EmbedCode:
    portal = f"{site_root.rstrip('/')}/p/{merchant.slug}/"
    name, address = escape(merchant.name), escape(portal)
    script = (
        f'<div data-loyalty-portal="{address}"><a href="{address}">{name}</a></div>\n'
        f'<script src="{escape(widget_url)}" async></script>'
    )
    # Without the script the frame cannot follow its content: a height that fits most pages.
    iframe = (
        f'<iframe src="{escape(portal)}?embed=1" title="{name}" loading="lazy" '
        'style="width:100%;height:720px;border:0"></iframe>'
    )
    return EmbedCode(portal, script, iframe)


@bp.route("/embed/<m>")
@staff_required(StaffLevel.ADMIN, StaffLevel.MANAGER)
def page(m: str) -> str:
    merchant = current_staff().merchant
    if m != merchant.slug:
        abort(404)  # another merchant's page: as if there were none
    site = current_app.config.get("SITE_URL") or request.host_url
    code = embed_code(merchant, site, url_for(".widget", _external=True))
    return render_template(
        "embed/page.html",
        merchant=merchant,
        code=code,
        may_change=current_staff().level is StaffLevel.ADMIN,
    )


bp.register_error_handler(403, forbidden)  # staff pages' refusals, as the staff UI shows them
bp.register_error_handler(404, not_found)

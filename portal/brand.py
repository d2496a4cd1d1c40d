"""A merchant's logo as the site serves it, for the portal and the Wi-Fi splash alike (a splash
shows it even where the portal is off)."""

from __future__ import annotations

from flask import Blueprint, abort, request
from werkzeug.wrappers import Response

from admin_api_client import NotFound

from .core import core_client

bp = Blueprint("brand", __name__)
YEAR = 365 * 24 * 3600


@bp.route("/logo/<m>")
def logo(m: str) -> Response:
    try:
        found = core_client().for_merchant(m).settings.logo()
    except NotFound:
        abort(404)
    response = Response(found.data, mimetype=found.content_type)
    response.set_etag(found.digest)
    # Pages ask for ?v=<digest>: a new logo is a new address, so an old one may be kept for good.
    fresh = request.args.get("v", "") and found.digest.startswith(request.args["v"])
    response.cache_control.public = True
    response.cache_control.max_age = YEAR if fresh else 300
    # An SVG opened on its own runs nothing and fetches nothing.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(request)

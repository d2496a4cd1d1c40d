"""A merchant's logo and reward pictures as the site serves them, for the portal and the Wi-Fi
splash alike (a splash shows the logo even where the portal is off)."""

from __future__ import annotations

from flask import Blueprint, abort, request
from werkzeug.wrappers import Response

from admin_api_client import NotFound
from admin_api_client.settings import Logo

from .core import core_client

bp = Blueprint("brand", __name__)
YEAR = 365 * 24 * 3600


@bp.route("/logo/<m>")
def logo(m: str) -> Response:
    try:
        return _image(core_client().for_merchant(m).settings.logo())
    except NotFound:
        abort(404)


@bp.route("/logo/<m>/rewards/<int:reward_id>")
def reward_picture(m: str, reward_id: int) -> Response:
    try:
        return _image(core_client().for_merchant(m).settings.reward_picture(reward_id))
    except NotFound:
        abort(404)


def _image(found: Logo) -> Response:
    response = Response(found.data, mimetype=found.content_type)
    response.set_etag(found.digest)
    # Pages ask for ?v=<digest>: a new image is a new address, so an old one may be kept for good.
    fresh = request.args.get("v", "") and found.digest.startswith(request.args["v"])
    response.cache_control.public = True
    response.cache_control.max_age = YEAR if fresh else 300
    # An SVG opened on its own runs nothing and fetches nothing.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(request)

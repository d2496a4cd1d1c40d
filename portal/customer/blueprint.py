"""The customer portal's blueprint: every page lives under /p/<merchant>/ and knows its merchant."""

from __future__ import annotations

import re

from flask import Blueprint, abort, g

from admin_api_client import NotFound, Unauthorized

from ..merchants import portal_merchant
from .session import end_stale_session

bp = Blueprint("customer", __name__, url_prefix="/p/<m>", template_folder="templates")
bp.register_error_handler(Unauthorized, end_stale_session)
SLUG = re.compile(r"^[a-z0-9-]{1,64}$")


@bp.url_value_preprocessor
def load_merchant(_endpoint: str | None, values: dict[str, str] | None) -> None:
    slug = (values or {}).pop("m", "")
    if not SLUG.match(slug):
        abort(404)
    try:
        merchant = portal_merchant(slug)
    except NotFound:
        abort(404)
    if not merchant.portal_enabled:
        abort(404)
    g.merchant = merchant


@bp.url_defaults
def add_merchant(_endpoint: str, values: dict[str, str]) -> None:
    if "m" not in values and "merchant" in g:
        values["m"] = g.merchant.slug

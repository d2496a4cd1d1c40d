"""A logged-in customer's card in a wallet (site key only): which wallets the merchant offers, the
signed Apple .pkpass, and the Google Wallet save link."""

from __future__ import annotations

import re
from typing import Any

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..context import current_core
from ..services.wallet_google import save_url
from ..services.wallet_pass import CONTENT_TYPE
from ..services.wallet_passes import SiteLinks, card_pass
from ..wallet_labels import pass_labels
from .auth import authenticate, portal_merchant, require_site

blp = Blueprint(
    "wallet_passes", __name__, description="A customer's card in Apple or Google Wallet (site key only)"
)
blp.before_request(authenticate)
blp.before_request(require_site)

SITE_ROOT = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~-]+)*/?$")


class GoogleSaveSchema(Schema):
    save_url = fields.String(required=True, metadata={"description": "Google's save page, with the JWT"})


class PassQuerySchema(Schema):
    site_url = fields.String(
        required=True,
        validate=[validate.Length(max=300), validate.Regexp(SITE_ROOT)],
        metadata={"description": "The site's public root: the pass's web service and links are on it"},
    )


@blp.route("/<number>/wallet/apple", methods=["GET"])
@blp.arguments(PassQuerySchema, location="query")
@blp.response(200, description="The signed pass (application/vnd.apple.pkpass)")
def read_apple_pass(query: dict[str, Any], number: str) -> Response:
    """404 wallet_not_offered when the merchant has no Apple credentials."""
    merchant, core = portal_merchant(), current_core()
    with core.db.write() as session:
        served = card_pass(
            session, merchant, number, core.wallet_keys, SiteLinks(query["site_url"].rstrip("/")), pass_labels
        )
    response = Response(served.data, mimetype=CONTENT_TYPE)
    response.last_modified = served.updated_at
    return response


@blp.route("/<number>/wallet/google", methods=["GET"])
@blp.arguments(PassQuerySchema, location="query")
@blp.response(200, GoogleSaveSchema)
def read_google_save(query: dict[str, Any], number: str) -> dict[str, str]:
    """The link that saves the card to Google Wallet: Google's save page with a JWT signed by the
    merchant's service account. 404 wallet_not_offered without the merchant's Google credentials."""
    merchant, core = portal_merchant(), current_core()
    with core.db.write() as session:
        url = save_url(
            session, merchant, number, core.wallet_keys, query["site_url"].rstrip("/"), pass_labels
        )
    return {"save_url": url}

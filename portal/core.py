"""The site's handle on the admin core."""

from __future__ import annotations

from flask import current_app, g
from flask_login import current_user

from admin_api_client import CoreClient

CLIENT_EXTENSION = "loyalty_portal.core_client"


def core_client() -> CoreClient:
    client: CoreClient = current_app.extensions[CLIENT_EXTENSION]
    return client


def merchant_core() -> CoreClient:
    """The client acting for the merchant of this request (/p/<m>/…). For a logged-in customer it
    carries their session's credentials version and id, so every call about their card fails with
    `Unauthorized` once the password has changed elsewhere or the session was logged out."""
    user = current_user
    if user.is_authenticated and user.merchant == g.merchant.slug:
        return core_client().for_merchant(
            g.merchant.slug, card_version=user.credentials_version, card_session=user.session_id
        )
    return core_client().for_merchant(g.merchant.slug)

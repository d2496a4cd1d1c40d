"""The site's handle on the admin core."""

from __future__ import annotations

from flask import current_app, g

from admin_api_client import CoreClient

CLIENT_EXTENSION = "loyalty_portal.core_client"


def core_client() -> CoreClient:
    client: CoreClient = current_app.extensions[CLIENT_EXTENSION]
    return client


def merchant_core() -> CoreClient:
    """The client acting for the merchant of this request (/p/<m>/…)."""
    return core_client().for_merchant(g.merchant.slug)

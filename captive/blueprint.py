"""The splash's blueprint and what its views share: the hotspot of the request, its adapter, the
pages that refuse."""

from __future__ import annotations

import hashlib
import hmac

from flask import Blueprint, current_app, g, render_template, request

from admin_api_client import NotFound, Splash
from portal.core import core_client
from portal.links import site_url

from .adapters import Adapter, Incoming, SiteSettings, adapter_for
from .settings import wifi_settings

bp = Blueprint("captive", __name__, template_folder="templates")


def load_splash(hotspot: str) -> Splash | None:
    """The hotspot, when it exists and is switched on; its merchant becomes the request's."""
    try:
        splash = core_client().wifi.get_splash(hotspot)
    except NotFound:
        return None
    if not splash.enabled:
        return None
    g.merchant = splash.merchant
    return splash


def adapter(splash: Splash) -> Adapter:
    settings = wifi_settings(current_app)
    site = SiteSettings(settings.meraki_domains, settings.controller_timeout, settings.controller_networks)
    return adapter_for(splash.kind, site)


def incoming() -> Incoming:
    """The controller's parameters: a query string, or the form a router's login page posted."""
    source = request.form if request.method == "POST" else request.args
    query = request.query_string.decode("latin-1")
    return Incoming(source.to_dict(), f"{request.base_url}?{query}" if query else request.base_url)


def guest_password(nonce: str) -> str:
    """A per-guest controller password that a retry of the same visit finds again."""
    key = str(current_app.secret_key).encode()
    return hmac.new(key, f"wifi-guest:{nonce}".encode(), hashlib.sha256).hexdigest()[:20]


def confirmation_secret(nonce: str) -> str:
    """The secret of the link confirming the address of the card a visit creates; a retry of the
    same visit finds the same one (the core keeps only its hash)."""
    key = str(current_app.secret_key).encode()
    return hmac.new(key, f"wifi-confirmation:{nonce}".encode(), hashlib.sha256).hexdigest()


def online_url(splash: Splash) -> str:
    return site_url("captive.online", hotspot=splash.id)


def landing_url(splash: Splash) -> str | None:
    """Where a guest goes once online: the venue's page, else the merchant's portal when it is on.
    Never the address the controller's redirect named."""
    if splash.landing_url:
        return splash.landing_url
    if splash.merchant.portal_enabled:
        return site_url("customer.dashboard", m=splash.merchant.slug)
    return None


def refused(message: str, status: int) -> tuple[str, int]:
    """No grant and no redirect: a page that says why, and how to start again."""
    return render_template("captive/refused.html", message=message), status

"""The Wi-Fi splash's throttling, on the site's limiter (portal.limits): sends per address and per
device; sign-ups per address and hotspot, and per e-mail address."""

from __future__ import annotations

import hashlib
from typing import Any, TypeVar

from flask import request

from portal.limits import Rule, client_ip, customer_key, mark_limits

from .state import state_device

View = TypeVar("View", bound=Any)

WIFI_PER_IP = "RATELIMIT_WIFI_PER_IP"
WIFI_PER_DEVICE = "RATELIMIT_WIFI_PER_DEVICE"
WIFI_SIGNUPS_PER_IP = "RATELIMIT_WIFI_SIGNUPS_PER_IP"
WIFI_SIGNUPS_PER_EMAIL = "RATELIMIT_WIFI_SIGNUPS_PER_EMAIL"

DEFAULTS = {
    # Sends of a Wi-Fi splash from one address: a venue's guests usually share its one public
    # address, so this only stops floods; a stadium gate's burst must get through...
    WIFI_PER_IP: "3000 per minute",
    # ...while one device gets a few tries (a mistake, a double tap, a retry) and no more.
    WIFI_PER_DEVICE: "10 per minute",
    # Sign-ups (not one-tap returns) at one hotspot from one address. Where the controller's
    # redirect is not signed (Meraki click-through, UniFi, MikroTik), anyone anywhere can make one
    # with any MAC: this caps the cards and confirmation e-mails one address can cause. A person
    # fills the form in half a minute at best; a venue's guests together stay well below...
    WIFI_SIGNUPS_PER_IP: "20 per minute; 200 per hour",
    # ...and one e-mail address is typed on a splash a few times a day, at any venue.
    WIFI_SIGNUPS_PER_EMAIL: "10 per hour",
}


def device_key() -> str:
    """The device a splash form was made for, as its signed state says."""
    return customer_key("device", state_device(request.form.get("state", "")))


def _wifi_sign_up() -> bool:
    """A splash form's sign-up: not the one tap of a returning guest, not a change of language,
    not the controller's redirect posted by a router's login page."""
    form = request.form
    return bool(form.get("state")) and "returning" not in form and "lang" not in form


def wifi_signup_ip_key() -> str:
    if not _wifi_sign_up():
        return ""
    return f"{(request.view_args or {}).get('hotspot', '-')}:{client_ip()}"


def wifi_signup_email_key() -> str:
    """Across every venue of the site: the splash's merchant is not known before the view runs."""
    email = request.form.get("email", "").strip().lower()
    if not (email and _wifi_sign_up()):
        return ""
    return f"wifi-email:{hashlib.sha256(email.encode()).hexdigest()[:32]}"


RULES: dict[str, Rule] = {
    "wifi-ip": (WIFI_PER_IP, client_ip, None),
    "wifi-device": (WIFI_PER_DEVICE, device_key, None),
    "wifi-signup-ip": (WIFI_SIGNUPS_PER_IP, wifi_signup_ip_key, None),
    "wifi-signup-email": (WIFI_SIGNUPS_PER_EMAIL, wifi_signup_email_key, None),
}


def limit_wifi(view: View) -> View:
    """Under `@bp.route` of the Wi-Fi splash."""
    return mark_limits(view, *RULES)

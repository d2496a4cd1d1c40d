"""Wi-Fi registration: a venue's hotspot controller sends the guest's phone to our splash page
(/wifi/<hotspot>); they sign up, or are recognised, and we make the controller let them online.
One adapter per controller in `adapters/`."""

from __future__ import annotations

from flask import Flask

from loyalty_common.controller_addresses import parse_networks

DEFAULTS = {
    # Seconds a splash page works for, from the controller's redirect to the sign-up.
    "WIFI_STATE_MAX_AGE": 15 * 60,
    # Seconds in which the same splash state sent again (a double tap, a retry after the controller
    # did not answer) gets the same grant; later it is refused.
    "WIFI_REPLAY_GRACE": 120,
    # Meraki grant and login URLs must be https:// under one of these domains.
    "WIFI_MERAKI_DOMAINS": "network-auth.com",
    # Seconds to wait for a controller's API (UniFi, MikroTik REST).
    "WIFI_CONTROLLER_TIMEOUT": 5.0,
    # Non-public networks controllers may be called in (a VPN to the venues): see
    # loyalty_common/controller_addresses.py.
    "WIFI_CONTROLLER_NETWORKS": "",
    # Seconds the "you are online" page waits before going on to the venue's landing page.
    "WIFI_ONLINE_DELAY": 5,
}


def init_captive(app: Flask) -> None:
    for setting, value in DEFAULTS.items():
        app.config.setdefault(setting, value)
    parse_networks(app.config["WIFI_CONTROLLER_NETWORKS"])  # a wrong value stops the site here
    from . import confirm_views, views  # noqa: F401  (the routes)
    from .blueprint import bp

    app.register_blueprint(bp)

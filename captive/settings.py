"""The splash's settings, read once when the site is built: a bad value stops it with one line."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask

from loyalty_common.controller_addresses import Networks, parse_networks
from loyalty_common.settings import checked, duration, seconds, whole

EXTENSION = "loyalty_site.wifi_settings"

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


@dataclass(frozen=True)
class WifiSettings:
    state_max_age: timedelta
    replay_grace: timedelta
    meraki_domains: tuple[str, ...]
    controller_timeout: float
    controller_networks: Networks
    online_delay: int

    @classmethod
    def read(cls, config: Mapping[str, Any]) -> WifiSettings:
        return cls(
            state_max_age=seconds(config, "WIFI_STATE_MAX_AGE"),
            replay_grace=timedelta(seconds=whole(config, "WIFI_REPLAY_GRACE")),
            meraki_domains=tuple(str(config["WIFI_MERAKI_DOMAINS"]).replace(",", " ").split()),
            controller_timeout=duration(config, "WIFI_CONTROLLER_TIMEOUT"),
            controller_networks=checked(
                "WIFI_CONTROLLER_NETWORKS", parse_networks, config["WIFI_CONTROLLER_NETWORKS"]
            ),
            online_delay=whole(config, "WIFI_ONLINE_DELAY"),
        )


def init_wifi_settings(app: Flask) -> None:
    for setting, value in DEFAULTS.items():
        app.config.setdefault(setting, value)
    app.extensions[EXTENSION] = WifiSettings.read(app.config)


def wifi_settings(app: Flask) -> WifiSettings:
    found: WifiSettings = app.extensions[EXTENSION]
    return found

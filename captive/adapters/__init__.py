"""One adapter per hotspot controller kind."""

from __future__ import annotations

from .base import (
    Adapter,
    Arrival,
    ControllerError,
    ForgedRedirect,
    FormPost,
    Grant,
    Granted,
    GrantRequest,
    Incoming,
    Polled,
    Redirect,
    SiteSettings,
)
from .coova import CoovaChilli
from .meraki import Meraki
from .mikrotik import MikroTik
from .opennds import OpenNDS
from .unifi import UniFi

__all__ = [
    "Adapter",
    "Arrival",
    "ControllerError",
    "ForgedRedirect",
    "FormPost",
    "Grant",
    "GrantRequest",
    "Granted",
    "Incoming",
    "Polled",
    "Redirect",
    "SiteSettings",
    "adapter_for",
]


def adapter_for(kind: str, site: SiteSettings) -> Adapter:
    adapters: dict[str, Adapter] = {
        "opennds": OpenNDS(),
        "meraki": Meraki(site.meraki_domains),
        "unifi": UniFi(site.timeout, site.controller_networks),
        "mikrotik": MikroTik(site.timeout, site.controller_networks),
        "coova": CoovaChilli(),
    }
    return adapters[kind]

"""What every controller adapter does: turn the controller's redirect into a verified arrival, and
a sign-up into the grant its protocol asks for.

Nothing a controller puts in the query string is trusted as it comes: addresses are checked against
the hotspot's settings, or proven by a signature or a shared secret, before a browser or a
credential is sent there."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

from admin_api_client import Splash
from loyalty_common.controller_addresses import Networks


class ForgedRedirect(Exception):
    """The controller's redirect does not verify: no splash, no grant, no redirect."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ControllerError(Exception):
    """The controller refused a server-side grant, or did not answer."""


@dataclass(frozen=True)
class Incoming:
    """The controller's redirect as it reached the splash: its parameters (query string, or the
    form a router's login page posted) and the URL it came to."""

    params: dict[str, str]
    url: str  # scheme://host/path?query, as the browser asked for it

    def get(self, name: str) -> str:
        return self.params.get(name, "").strip()


@dataclass(frozen=True)
class Arrival:
    """A verified redirect: the device, and what its grant needs (kept in the signed splash
    state between the form and the grant)."""

    mac: str | None
    ip: str | None
    grant: dict[str, str] = field(default_factory=dict)
    online: bool = False  # the controller says the device is online already (it came back)
    # The controller's own name for this connection, when it has one (openNDS' hid): the visit is
    # named after it, so that the same redirect sent again cannot sign up a second guest.
    connection: str | None = None
    # The controller fetches its grants (openNDS level 3): the visit waits for its acknowledgement.
    polled: bool = False


@dataclass(frozen=True)
class Redirect:
    """The guest's browser goes to `url` (a GET)."""

    url: str


@dataclass(frozen=True)
class FormPost:
    """The guest's browser posts `fields` to `url` (a page that submits itself, or a button)."""

    url: str
    fields: dict[str, str]


@dataclass(frozen=True)
class Granted:
    """The grant was made from our side: on to the "you are online" page."""


@dataclass(frozen=True)
class Polled:
    """The controller fetches the grant: it is held for the gateway of `gateway_hash`, which asks
    for the device by `rhid`, and the visit is stored once the gateway says it let it online."""

    rhid: str
    gateway_hash: str


Grant = Redirect | FormPost | Granted | Polled


@dataclass(frozen=True)
class GrantRequest:
    splash: Splash
    arrival: Arrival
    online_url: str  # ours: where the device lands once online
    guest: str  # names per-guest credentials: the same for the same visit
    guest_password: str  # theirs, derived from the visit and the site's secret: the same too


@dataclass(frozen=True)
class SiteSettings:
    meraki_domains: tuple[str, ...]
    timeout: float
    controller_networks: Networks = ()  # non-public networks controllers may be called in


class Adapter(Protocol):
    def arrive(self, splash: Splash, incoming: Incoming) -> Arrival: ...

    def grant(self, request: GrantRequest) -> Grant: ...


def with_query(url: str, **params: Any) -> str:
    given = {name: value for name, value in params.items() if value is not None}
    return f"{url}{'&' if '?' in url else '?'}{urlencode(given)}"


def same_address(url: str, address: str) -> bool:
    """True when `url` is http(s) on exactly the configured host[:port]."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and parts.netloc.lower() == address.lower()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def setting(splash: Splash, name: str) -> Any:
    """A setting the core checked when the hotspot was saved: its absence is a configuration
    error, said plainly."""
    try:
        return splash.settings[name]
    except KeyError:
        raise ControllerError(f"The hotspot has no '{name}' setting.") from None

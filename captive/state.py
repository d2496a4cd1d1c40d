"""The splash state: what the controller's verified redirect said, carried signed (itsdangerous)
from the splash page to the sign-up and the grant. It is short-lived, bound to its hotspot, and
names its visit (`nonce`): the core lets a device online once per state."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .adapters import Arrival
from .settings import wifi_settings

SALT = "loyalty-portal.wifi-splash-state"


class StateRefused(Exception):
    def __init__(self, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


@dataclass(frozen=True)
class SplashState:
    hotspot: str
    nonce: str
    arrival: Arrival


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt=SALT)


def _nonce(hotspot: str, arrival: Arrival) -> str:
    """The visit's name: random, or derived from the controller's name for the connection, so that
    every splash of one connection names the same visit (the core lets it online once)."""
    if arrival.connection is None:
        return secrets.token_urlsafe(16)
    key = str(current_app.secret_key).encode()
    digest = hmac.new(key, f"wifi-connection:{hotspot}:{arrival.connection}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def new_state(hotspot: str, arrival: Arrival) -> tuple[str, SplashState]:
    """A fresh state for a verified arrival, and the signed token the splash form carries."""
    state = SplashState(hotspot, _nonce(hotspot, arrival), arrival)
    body = {
        "h": hotspot,
        "n": state.nonce,
        "m": arrival.mac,
        "i": arrival.ip,
        "g": arrival.grant,
        "p": arrival.polled,
    }
    return _serializer().dumps(body), state


def read_state(token: str, hotspot: str) -> SplashState:
    """The state of a form sent to `hotspot`'s splash; StateRefused when it was altered, made for
    another hotspot, or is older than WIFI_STATE_MAX_AGE."""
    try:
        body: Any = _serializer().loads(
            token, max_age=int(wifi_settings(current_app).state_max_age.total_seconds())
        )
    except SignatureExpired:
        raise StateRefused(expired=True) from None
    except BadSignature:
        raise StateRefused(expired=False) from None
    if not isinstance(body, dict) or body.get("h") != hotspot:
        raise StateRefused(expired=False)
    arrival = Arrival(body["m"], body["i"], body["g"], polled=bool(body.get("p")))
    return SplashState(body["h"], body["n"], arrival)


def state_device(token: str) -> str:
    """The device a state was made for, to count its sends by; "" for a state that is not ours."""
    try:
        body: Any = _serializer().loads(token)
    except BadSignature:
        return ""
    return str(body.get("m") or "") if isinstance(body, dict) else ""

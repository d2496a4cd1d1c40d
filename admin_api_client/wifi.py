"""The Wi-Fi part of the API: hotspots (a merchant's key) and what the splash needs (the site's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from .client import CoreClient
from .errors import NotFound
from .models import Merchant
from .transport import segment
from .wifi_grants import GrantCalls


@dataclass(frozen=True)
class Guest:
    """A device seen before at the merchant. Not who its guest is: a MAC proves nothing."""

    needs_consent: bool  # the venue's terms or privacy wording changed since they accepted it


@dataclass(frozen=True)
class Splash:
    """A hotspot as its splash page sees it: secrets included (site key only)."""

    id: str
    kind: str
    enabled: bool
    settings: dict[str, Any]
    session_minutes: int
    up_kbps: int | None
    down_kbps: int | None
    quota_mb: int | None
    landing_url: str | None
    contact: str  # email | phone | either
    terms_version: str
    privacy_version: str
    merchant: Merchant
    store_code: str
    store_name: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Splash:
        return cls(
            id=data["id"],
            kind=data["kind"],
            enabled=data["enabled"],
            settings=data["settings"],
            session_minutes=data["session_minutes"],
            up_kbps=data.get("up_kbps"),
            down_kbps=data.get("down_kbps"),
            quota_mb=data.get("quota_mb"),
            landing_url=data.get("landing_url") or None,
            contact=data["contact"],
            terms_version=data["terms_version"],
            privacy_version=data["privacy_version"],
            merchant=Merchant.from_json(data["merchant"]),
            store_code=data["store"]["code"],
            store_name=data["store"]["name"],
        )


@dataclass(frozen=True)
class Wordings:
    terms_version: str
    terms_text: str
    privacy_version: str
    privacy_text: str


@dataclass(frozen=True)
class Visit:
    """A guest let online. `replayed`: the same splash state was sent before, and this is the
    answer it got then (at `visited_at`). Nothing is said of a card an address had already."""

    outcome: str  # created | existing | returning
    card_number: str | None  # a new card's
    visited_at: datetime
    replayed: bool
    confirm_until: datetime | None = None  # a new card's address: its confirmation link works until

    @property
    def created(self) -> bool:
        return self.outcome == "created"


@dataclass(frozen=True)
class ConfirmedCard:
    """A card whose e-mail address was just confirmed, to be mailed to it."""

    number: str
    email: str
    first_name: str
    locale: str | None


@dataclass(frozen=True)
class Hotspot:
    """A hotspot as its merchant sees it: secrets masked."""

    id: str
    store: str
    kind: str
    settings: dict[str, Any]
    splash_path: str
    options: dict[str, Any]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Hotspot:
        named = {"id", "store", "kind", "settings", "splash_path"}
        options = {name: value for name, value in data.items() if name not in named}
        return cls(data["id"], data["store"], data["kind"], data["settings"], data["splash_path"], options)


class WifiCalls:
    """`client.wifi`: the calls of the Wi-Fi registration."""

    def __init__(self, client: CoreClient) -> None:
        self._client = client

    @property
    def grants(self) -> GrantCalls:
        """Grants a hotspot's gateway fetches (openNDS level 3)."""
        return GrantCalls(self._client)

    # The splash (site key)

    def get_splash(self, hotspot: str) -> Splash:
        """NotFound when there is no such hotspot."""
        return Splash.from_json(self._client._request("GET", f"/wifi/hotspots/{segment(hotspot)}").json())

    def find_guest(self, hotspot: str, mac: str) -> Guest | None:
        """The guest of a device seen before at the hotspot's merchant."""
        path = f"/wifi/hotspots/{segment(hotspot)}/devices/{segment(mac)}"
        try:
            body = self._client._request("GET", path).json()
        except NotFound:
            return None
        return Guest(body["needs_consent"])

    def get_wordings(self, hotspot: str) -> Wordings:
        body = self._client._request("GET", f"/wifi/hotspots/{segment(hotspot)}/wordings").json()
        return Wordings(
            body["terms_version"], body["terms_text"], body["privacy_version"], body["privacy_text"]
        )

    def record_visit(
        self,
        hotspot: str,
        nonce: str,
        *,
        device_mac: str | None = None,
        ip_address: str | None = None,
        locale: str | None = None,
        returning: bool = False,
        first_name: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        terms: bool = False,
        privacy: bool = False,
        marketing: bool = False,
        confirmation: str | None = None,
    ) -> Visit:
        """Let a guest online once per splash state (`nonce`): a sign-up, or the device's guest
        (`returning`). Invalid with the broken rule's code, `unknown_device` or `consent_required`.
        `confirmation`: the secret of the link that will confirm a new card's e-mail address."""
        payload = {
            "nonce": nonce,
            "device_mac": device_mac,
            "ip_address": ip_address,
            "locale": locale,
            "returning": returning,
            "first_name": first_name,
            "email": email,
            "phone": phone,
            "terms": terms,
            "privacy": privacy,
            "marketing": marketing,
            "confirmation": confirmation,
        }
        response = self._client._write(f"/wifi/hotspots/{segment(hotspot)}/visits", payload, f"wifi:{nonce}")
        body = response.json()
        return Visit(
            outcome=body["outcome"],
            card_number=body.get("card"),
            visited_at=datetime.fromisoformat(body["visited_at"]),
            replayed=response.headers.get("Idempotent-Replayed") == "true",
            confirm_until=datetime.fromisoformat(body["confirm_until"])
            if body.get("confirm_until")
            else None,
        )

    def confirm_address(self, hotspot: str, token: str) -> ConfirmedCard:
        """Follow a confirmation link (Gone when invalid, used or expired)."""
        path = f"/wifi/hotspots/{segment(hotspot)}/confirmations"
        body = self._client._request("POST", path, {"token": token}).json()
        return ConfirmedCard(body["card"], body["email"], body["first_name"], body.get("locale"))

    # A merchant's hotspots (merchant key)

    def list_hotspots(self) -> list[Hotspot]:
        """Every page of them."""
        found: list[Hotspot] = []
        path: str | None = "/hotspots?limit=100"
        while path is not None:
            body = self._client._request("GET", path).json()
            found += [Hotspot.from_json(each) for each in body["hotspots"]]
            cursor = body.get("next_cursor")
            path = f"/hotspots?limit=100&cursor={quote(cursor, safe='')}" if cursor else None
        return found

    def create_hotspot(
        self, store: str, kind: str, settings: dict[str, Any], *, id: str | None = None, **options: Any
    ) -> Hotspot:
        """`options`: session_minutes, up_kbps, down_kbps, quota_mb, landing_url, contact,
        terms_version, privacy_version, terms_text, privacy_text, guest_retention_days, enabled."""
        payload = {
            "store": store,
            "kind": kind,
            "settings": settings,
            **options,
            **({"id": id} if id else {}),
        }
        return Hotspot.from_json(self._client._request("POST", "/hotspots", payload).json())

    def update_hotspot(self, hotspot: str, **changes: Any) -> Hotspot:
        path = f"/hotspots/{segment(hotspot)}"
        return Hotspot.from_json(self._client._request("PATCH", path, changes).json())

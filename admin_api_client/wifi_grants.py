"""`client.wifi.grants`: grants a hotspot's gateway fetches (openNDS FAS level 3, site key). The
splash holds a device's grant with its sign-up; the gateway's polls list and acknowledge them;
the visit is stored on the acknowledgement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .client import CoreClient
from .errors import NotFound
from .transport import segment


@dataclass(frozen=True)
class HeldGrant:
    """A device's grant waiting for its gateway. `replayed`: the same splash state was sent
    before, and this is the answer it got then (at `held_at`)."""

    held_at: datetime
    expires_at: datetime
    replayed: bool


@dataclass(frozen=True)
class GrantState:
    state: str  # waiting | online | gone
    outcome: str | None = None  # online: created | existing | returning (None: no visit stored)
    card_number: str | None = None  # online: a new card's
    emailed: bool = False  # online: a new card's address was sent its confirmation link


@dataclass(frozen=True)
class GatewayGrant:
    rhid: str
    session_minutes: int
    up_kbps: int | None
    down_kbps: int | None
    quota_mb: int | None


@dataclass(frozen=True)
class AcknowledgedVisit:
    """A visit stored on the gateway's word whose new card's address is to get its link."""

    rhid: str
    nonce: str
    email: str
    locale: str | None
    confirm_until: datetime


class GrantCalls:
    def __init__(self, client: CoreClient) -> None:
        self._client = client

    def _gateway(self, hotspot: str, gateway_hash: str) -> str:
        return f"/wifi/hotspots/{segment(hotspot)}/gateways/{segment(gateway_hash)}"

    def hold(self, hotspot: str, nonce: str, rhid: str, gateway_hash: str, **visit: Any) -> HeldGrant:
        """Hold the device's grant for its gateway with the sign-up (`visit`: record_visit's fields
        but `confirmation`), checked now: Invalid as record_visit would be."""
        payload = {"nonce": nonce, "rhid": rhid, "gateway_hash": gateway_hash, **visit}
        response = self._client._write(f"/wifi/hotspots/{segment(hotspot)}/grants", payload, f"wifi:{nonce}")
        body = response.json()
        return HeldGrant(
            held_at=datetime.fromisoformat(body["held_at"]),
            expires_at=datetime.fromisoformat(body["expires_at"]),
            replayed=response.headers.get("Idempotent-Replayed") == "true",
        )

    def state(self, hotspot: str, nonce: str) -> GrantState:
        path = f"/wifi/hotspots/{segment(hotspot)}/grants/{segment(nonce)}"
        body = self._client._request("GET", path).json()
        return GrantState(body["state"], body.get("outcome"), body.get("card"), bool(body.get("emailed")))

    def pending(self, hotspot: str, gateway_hash: str, limit: int = 50) -> list[GatewayGrant] | None:
        """The gateway's grants waiting for it, newest first; None for a gateway not known here."""
        try:
            body = self._client._request(
                "GET", f"{self._gateway(hotspot, gateway_hash)}/grants?limit={limit}"
            ).json()
        except NotFound:
            return None
        return [
            GatewayGrant(
                each["rhid"],
                each["session_minutes"],
                each.get("up_kbps"),
                each.get("down_kbps"),
                each.get("quota_mb"),
            )
            for each in body["grants"]
        ]

    def acknowledge(
        self, hotspot: str, gateway_hash: str, confirmations: dict[str, str]
    ) -> list[AcknowledgedVisit]:
        """The gateway let these devices online (each rhid with the secret of the link that would
        confirm a new card's address). NotFound for a gateway not known here."""
        grants = [{"rhid": rhid, "confirmation": secret} for rhid, secret in confirmations.items()]
        path = f"{self._gateway(hotspot, gateway_hash)}/acknowledged"
        body = self._client._request("POST", path, {"grants": grants}).json()
        return [
            AcknowledgedVisit(
                each["rhid"],
                each["nonce"],
                each["email"],
                each.get("locale"),
                datetime.fromisoformat(each["confirm_until"]),
            )
            for each in body["visits"]
        ]

    def clear(self, hotspot: str, gateway_hash: str) -> int:
        """The gateway restarted: its unacknowledged grants go. NotFound for an unknown gateway."""
        return int(
            self._client._request("POST", f"{self._gateway(hotspot, gateway_hash)}/cleared").json()["cleared"]
        )

"""The merchant's portal settings and logo: changed with a merchant's key, read by the site."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .client import CoreClient
from .models import Merchant


@dataclass(frozen=True)
class Level:
    """A tier as the portal shows it."""

    name: str
    threshold: int  # points earned in the period
    benefits: str = ""
    multiplier: float = 1.0  # purchase points are multiplied by it


@dataclass(frozen=True)
class Program:
    """The rules the portal shows: points per currency unit spent, levels, expiry."""

    points_per_unit: int
    currency: str
    points_validity_months: int | None  # None: points never expire
    tier_period_months: int
    tiers: tuple[Level, ...]  # lowest first
    terms_url: str | None
    privacy_url: str | None


@dataclass(frozen=True)
class Logo:
    content_type: str
    data: bytes
    digest: str


class SettingsCalls:
    """`client.settings`."""

    def __init__(self, client: CoreClient) -> None:
        self._client = client

    def get(self) -> Merchant:
        return Merchant.from_json(self._client._request("GET", "/merchant").json())

    def update(self, **changes: Any) -> Merchant:
        """portal_enabled, header_text, footer_text, accent_color, accent_text_color,
        default_locale, offered_locales, timezone, currency, embed_origins, points_per_unit,
        points_validity_months (0: never), tier_period_months, terms_url, privacy_url,
        staff_2fa_required. Invalid with the broken rule's code (e.g. `low_contrast`)."""
        return Merchant.from_json(self._client._request("PATCH", "/merchant", changes).json())

    def set_logo(self, data: bytes) -> Merchant:
        """PNG, JPEG or SVG; Invalid (`invalid_logo`, `unsafe_svg`, `logo_too_large`) otherwise."""
        answer = self._client._request("PUT", "/merchant/logo", content=data)
        return Merchant.from_json(answer.json())

    def remove_logo(self) -> Merchant:
        return Merchant.from_json(self._client._request("DELETE", "/merchant/logo").json())

    def program(self) -> Program:
        """The merchant's program rules (site key)."""
        body = self._client._request("GET", "/portal/program").json()
        return Program(
            points_per_unit=body["points_per_unit"],
            currency=body["currency"],
            points_validity_months=body.get("points_validity_months"),
            tier_period_months=body["tier_period_months"],
            tiers=tuple(
                Level(tier["name"], tier["threshold"], tier.get("benefits", ""), tier.get("multiplier", 1.0))
                for tier in body["tiers"]
            ),
            terms_url=body.get("terms_url"),
            privacy_url=body.get("privacy_url"),
        )

    def logo(self) -> Logo:
        """The logo the portal shows (site key); NotFound when there is none."""
        return self._image("/portal/merchant/logo")

    def reward_picture(self, reward_id: int) -> Logo:
        """A reward's uploaded picture (site key), checked like the logo; NotFound when none."""
        return self._image(f"/portal/rewards/{reward_id}/picture")

    def _image(self, path: str) -> Logo:
        answer = self._client._request("GET", path)
        return Logo(answer.headers["content-type"], answer.content, answer.headers.get("etag", "").strip('"'))

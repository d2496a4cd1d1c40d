"""The merchant's portal settings and logo: changed with a merchant's key, read by the site."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .client import CoreClient
from .models import Merchant


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

    def logo(self) -> Logo:
        """The logo the portal shows (site key); NotFound when there is none."""
        answer = self._client._request("GET", "/portal/merchant/logo")
        return Logo(answer.headers["content-type"], answer.content, answer.headers.get("etag", "").strip('"'))

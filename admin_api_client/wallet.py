"""The card in Apple Wallet: whether the merchant offers it, and the signed pass (site key)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode

import httpx

from .client import CoreClient, _segment


@dataclass(frozen=True)
class PassFile:
    data: bytes
    content_type: str
    last_modified: datetime | None


def pass_file(response: httpx.Response) -> PassFile:
    modified = response.headers.get("last-modified")
    return PassFile(
        response.content,
        response.headers.get("content-type", ""),
        parsedate_to_datetime(modified) if modified else None,
    )


class WalletCalls:
    """`client.wallet`."""

    def __init__(self, client: CoreClient) -> None:
        self._client = client

    def offers_apple(self, number: str) -> bool:
        body = self._client._request("GET", f"/portal/cards/{_segment(number)}/wallet").json()
        return bool(body["apple"])

    def apple_pass(self, number: str, site_url: str) -> PassFile:
        """The card's signed .pkpass; NotFound (`wallet_not_offered`) without the merchant's
        credentials. `site_url`: the site's public root, where the pass's web service is."""
        query = urlencode({"site_url": site_url})
        return pass_file(
            self._client._request("GET", f"/portal/cards/{_segment(number)}/wallet/apple?{query}")
        )

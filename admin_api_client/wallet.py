"""The card in a wallet: which wallets the merchant offers, the signed Apple pass and the Google
Wallet save link (site key)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode

import httpx

from .client import CoreClient
from .transport import segment


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

    def apple_pass(self, number: str, site_url: str) -> PassFile:
        """The card's signed .pkpass; NotFound (`wallet_not_offered`) without the merchant's
        credentials. `site_url`: the site's public root, where the pass's web service is."""
        query = urlencode({"site_url": site_url})
        return pass_file(
            self._client._request("GET", f"/portal/cards/{segment(number)}/wallet/apple?{query}")
        )

    def google_save_url(self, number: str, site_url: str) -> str:
        """Google's save page with the card's signed JWT; NotFound (`wallet_not_offered`) without
        the merchant's Google credentials. `site_url`: the site's public root (the JWT's origin)."""
        query = urlencode({"site_url": site_url})
        body = self._client._request("GET", f"/portal/cards/{segment(number)}/wallet/google?{query}").json()
        return str(body["save_url"])


@dataclass(frozen=True)
class UpdatedSerials:
    serials: list[str]
    last_updated: str  # the tag to ask with next time


class PassKitCalls:
    """`client.passkit`: the core's half of Apple's PassKit web service (site key). `token` is the
    pass's authentication token, as the device sent it."""

    def __init__(self, client: CoreClient) -> None:
        self._client = client

    @staticmethod
    def _registration(device: str, pass_type: str, serial: str) -> str:
        return f"/wallet/apple/devices/{segment(device)}/registrations/{segment(pass_type)}/{segment(serial)}"

    def register_device(self, device: str, pass_type: str, serial: str, token: str, push_token: str) -> bool:
        """True when new; False when the device had registered this pass already."""
        answer = self._client._request(
            "POST",
            self._registration(device, pass_type, serial),
            {"push_token": push_token},
            {"X-Pass-Token": token},
        )
        return bool(answer.json()["created"])

    def unregister_device(self, device: str, pass_type: str, serial: str, token: str) -> None:
        self._client._request(
            "DELETE", self._registration(device, pass_type, serial), headers={"X-Pass-Token": token}
        )

    def updated_serials(self, device: str, pass_type: str, since: str | None) -> UpdatedSerials:
        query = f"?{urlencode({'since': since})}" if since else ""
        body = self._client._request(
            "GET", f"/wallet/apple/devices/{segment(device)}/registrations/{segment(pass_type)}{query}"
        ).json()
        return UpdatedSerials(list(body["serials"]), body["last_updated"])

    def latest_pass(
        self, pass_type: str, serial: str, token: str, site_url: str, if_modified_since: str | None
    ) -> PassFile | None:
        """None: not changed since `if_modified_since` (an HTTP date, as the device sent it)."""
        headers = {"X-Pass-Token": token}
        if if_modified_since:
            headers["If-Modified-Since"] = if_modified_since
        path = f"/wallet/apple/passes/{segment(pass_type)}/{segment(serial)}"
        answer = self._client._request("GET", f"{path}?{urlencode({'site_url': site_url})}", headers=headers)
        return None if answer.status_code == 304 else pass_file(answer)

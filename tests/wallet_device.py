"""A device holding the demo card's pass, as Apple's Wallet speaks to the web service."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from admin_core.context import Core

from .conftest import login
from .pkpass import open_pass
from .wallet_fixtures import PASS_TYPE, authority, set_up_wallet

ANNA, PASSWORD = "7000100001", "demo-password"
DEVICE, PUSH_TOKEN = "a1b2c3d4e5f60718293a4b5c6d7e8f90", "ab" * 32
V1 = "/wallet/apple/v1"


class Device:
    """An iPhone holding the pass: its Wallet talks to the web service with the pass's token."""

    def __init__(self, client: FlaskClient, pass_json: dict[str, Any], device: str = DEVICE) -> None:
        self.client, self.serial, self.token, self.device = (
            client,
            pass_json["serialNumber"],
            pass_json["authenticationToken"],
            device,
        )

    def auth(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"ApplePass {token or self.token}"}

    def registration(self, serial: str | None = None, pass_type: str = PASS_TYPE) -> str:
        return f"{V1}/devices/{self.device}/registrations/{pass_type}/{serial or self.serial}"

    def register(self, **options: Any) -> int:
        headers = options.pop("headers", self.auth())
        body = options.pop("body", {"pushToken": PUSH_TOKEN})
        return self.client.post(self.registration(**options), json=body, headers=headers).status_code

    def unregister(self, token: str | None = None) -> int:
        return self.client.delete(self.registration(), headers=self.auth(token)).status_code

    def updated(self, since: str | None = None) -> Any:
        query = f"?passesUpdatedSince={since}" if since else ""
        return self.client.get(f"{V1}/devices/{self.device}/registrations/{PASS_TYPE}{query}")

    def latest(self, token: str | None = None, since: str | None = None, serial: str | None = None) -> Any:
        headers = self.auth(token) | ({"If-Modified-Since": since} if since else {})
        return self.client.get(f"{V1}/passes/{PASS_TYPE}/{serial or self.serial}", headers=headers)


def wallet_phone(client: FlaskClient, core: Core) -> Device:
    """The demo merchant with Apple credentials; Anna downloads her pass into Wallet."""
    set_up_wallet(core)
    login(client, ANNA, PASSWORD)
    served = client.get("/p/demo/card/wallet/apple")
    body = open_pass(served.data, authority().root.certificate).json
    return Device(client.application.test_client(), body)  # Wallet has no portal session

"""Apple's PassKit web service at /wallet/apple/v1/, as a device speaks to it: registering a pass,
asking what changed, fetching the latest pass, unregistering; wrong tokens, unknown passes and
repeats answered as Apple specifies."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from admin_core.context import Core
from admin_core.models import WalletPass, WalletRegistration
from admin_core.services import utcnow

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


@pytest.fixture
def phone(client: FlaskClient, core: Core, demo: dict[str, Any]) -> Device:
    set_up_wallet(core)
    login(client, ANNA, PASSWORD)
    served = client.get("/p/demo/card/wallet/apple")
    body = open_pass(served.data, authority().root.certificate).json
    return Device(client.application.test_client(), body)  # Wallet has no portal session


def registered(core: Core) -> list[str]:
    with core.db.read() as session:
        return list(session.scalars(select(WalletRegistration.device_id)))


def test_a_device_registers_once_and_a_repeat_is_not_new(phone: Device, core: Core) -> None:
    assert phone.register() == 201
    assert phone.register() == 200
    assert registered(core) == [DEVICE]


def test_wrong_or_missing_tokens_are_401_and_unknown_passes_404(phone: Device, core: Core) -> None:
    assert phone.register(headers=phone.auth("0" * 64)) == 401
    assert phone.register(headers={}) == 401
    assert phone.register(headers={"Authorization": f"Bearer {phone.token}"}) == 401
    assert phone.register(serial="f" * 32) == 404
    assert phone.register(pass_type="pass.other.type") == 404
    assert phone.register(body={"pushToken": 7}) == 400
    assert phone.register(body={"pushToken": "not hex!"}) == 400
    assert registered(core) == []
    assert phone.latest(token="0" * 64).status_code == 401
    assert phone.latest(serial="f" * 32).status_code == 404


def test_the_device_lists_its_changed_passes_and_fetches_them(phone: Device, core: Core) -> None:
    assert phone.updated().status_code == 204  # nothing registered yet
    phone.register()
    listed = phone.updated()
    assert listed.status_code == 200 and listed.json["serialNumbers"] == [phone.serial]
    with core.db.write() as session:  # the pass was last changed a minute ago
        session.execute(update(WalletPass).values(updated_at=utcnow() - timedelta(minutes=1)))
    tag = phone.updated().json["lastUpdated"]
    assert phone.updated(since=tag).status_code == 204
    assert phone.updated(since="not-a-tag").status_code == 400
    latest = phone.latest()
    assert latest.status_code == 200 and latest.mimetype == "application/vnd.apple.pkpass"
    assert open_pass(latest.data, authority().root.certificate).json["serialNumber"] == phone.serial
    assert phone.latest(since=latest.headers["Last-Modified"]).status_code == 304


def test_unregistering_stops_the_listing_and_a_repeat_is_fine(phone: Device, core: Core) -> None:
    phone.register()
    assert phone.unregister(token="0" * 64) == 401
    assert phone.unregister() == 200
    assert phone.unregister() == 200
    assert registered(core) == [] and phone.updated().status_code == 204


def test_device_logs_are_taken(phone: Device) -> None:
    answer = phone.client.post(f"{V1}/log", json={"logs": ["Web service error: 500"] * 50})
    assert answer.status_code == 200
    assert phone.client.post(f"{V1}/log", data="junk").status_code == 200

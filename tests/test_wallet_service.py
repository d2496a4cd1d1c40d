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

from .pkpass import open_pass
from .wallet_device import DEVICE, V1, Device, wallet_phone
from .wallet_fixtures import authority


@pytest.fixture
def phone(client: FlaskClient, core: Core, demo: dict[str, Any]) -> Device:
    return wallet_phone(client, core)


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

"""The pass follows the card live: a till operation marks the card's pass changed and queues a
push; `core send-pushes` tells APNs (here an HTTP/2 stand-in) with the pass type as topic and a
provider token from the merchant's .p8 key; the device then finds the serial updated, fetches the
new pass with the new points, and gets 304 once it has it."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from admin_core.apns import apns_sender
from admin_core.context import Core
from admin_core.models import Card, WalletPass, WalletPush, WalletRegistration
from admin_core.services import utcnow
from admin_core.services.wallet_push import deliver_due

from .pkpass import open_pass
from .simulators.apns import ApnsStandIn, Push, apns_stand_in
from .wallet_device import PUSH_TOKEN, Device, wallet_phone
from .wallet_fixtures import APNS_KEY_ID, PASS_TYPE, TEAM, apns_key, authority

ANNA = "7000100001"


@pytest.fixture
def phone(client: FlaskClient, core: Core, demo: dict[str, Any]) -> Device:
    return wallet_phone(client, core)


@pytest.fixture
def apns(core: Core, monkeypatch: pytest.MonkeyPatch) -> Iterator[ApnsStandIn]:
    with apns_stand_in() as stand_in:
        monkeypatch.setattr(core, "settings", replace(core.settings, apns_url=stand_in.url))
        yield stand_in


def till_operation(client: FlaskClient, demo: dict[str, Any], key: str, amount: int = 25) -> None:
    answer = client.post(
        f"/core/api/v1/cards/{ANNA}/operations",
        json={"kind": "earn_points", "amount": amount, "store": "MAIN"},
        headers={"Authorization": f"Bearer {demo['api_key']}", "Idempotency-Key": key},
    )
    assert answer.status_code == 201, answer.json


def send_pushes(core_app: Flask) -> str:
    result = core_app.test_cli_runner().invoke(args=["core", "send-pushes", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


def queued(core: Core) -> int:
    with core.db.read() as session:
        return (
            session.scalar(select(func.count()).select_from(WalletPush).where(WalletPush.sent_at.is_(None)))
            or 0
        )


def last_changed_a_minute_ago(core: Core) -> None:
    with core.db.write() as session:
        session.execute(update(WalletPass).values(updated_at=utcnow() - timedelta(minutes=1)))


def check_provider_token(push: Push) -> None:
    scheme, _, token = push.headers["authorization"].partition(" ")
    assert scheme == "bearer"
    header, claims, signature = token.split(".")

    def decoded(part: str) -> bytes:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))

    assert json.loads(decoded(header)) == {"alg": "ES256", "kid": APNS_KEY_ID}
    assert json.loads(decoded(claims))["iss"] == TEAM
    raw = decoded(signature)
    key = serialization.load_pem_private_key(apns_key(), None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    key.public_key().verify(
        encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
        f"{header}.{claims}".encode(),
        ec.ECDSA(hashes.SHA256()),
    )


def test_the_whole_flow_from_till_to_lock_screen(
    phone: Device,
    core: Core,
    core_app: Flask,
    demo: dict[str, Any],
    apns: ApnsStandIn,
) -> None:
    assert phone.register() == 201
    last_changed_a_minute_ago(core)
    tag = phone.updated().json["lastUpdated"]
    first = phone.latest()
    assert phone.updated(since=tag).status_code == 204

    till_operation(phone.client, demo, "till-wallet-1")
    assert apns.pushes == [] and queued(core) == 1  # the till's request sent nothing

    assert "sent 1" in send_pushes(core_app)
    (push,) = apns.wait_for(1)
    assert push.path == f"/3/device/{PUSH_TOKEN}" and push.body == b"{}"
    assert push.headers["apns-topic"] == PASS_TYPE
    check_provider_token(push)

    listed = phone.updated(since=tag)
    assert listed.status_code == 200 and listed.json["serialNumbers"] == [phone.serial]
    latest = phone.latest(since=first.headers["Last-Modified"])
    assert latest.status_code == 200
    body = open_pass(latest.data, authority().root.certificate).json
    assert body["storeCard"]["primaryFields"][0]["value"] == 1275
    assert phone.latest(since=latest.headers["Last-Modified"]).status_code == 304

    assert phone.unregister() == 200
    till_operation(phone.client, demo, "till-wallet-2")
    assert queued(core) == 0 and "sent" not in send_pushes(core_app)


def test_changes_before_the_worker_comes_make_one_push(
    phone: Device,
    core: Core,
    demo: dict[str, Any],
    apns: ApnsStandIn,
) -> None:
    phone.register()
    for attempt in range(3):
        till_operation(phone.client, demo, f"till-burst-{attempt}")
    assert queued(core) == 1


def test_a_device_apns_says_is_gone_loses_its_registration(
    phone: Device,
    core: Core,
    core_app: Flask,
    demo: dict[str, Any],
    apns: ApnsStandIn,
) -> None:
    phone.register()
    apns.answers[PUSH_TOKEN] = (410, "Unregistered")
    till_operation(phone.client, demo, "till-gone-1")
    assert "devices gone 1" in send_pushes(core_app)
    with core.db.read() as session:
        assert session.scalars(select(WalletRegistration)).all() == []
    assert queued(core) == 0


def test_an_apns_outage_loses_no_push(
    phone: Device,
    core: Core,
    demo: dict[str, Any],
    apns: ApnsStandIn,
) -> None:
    phone.register()
    apns.down = True
    till_operation(phone.client, demo, "till-outage-1")
    with apns_sender(core) as send:
        report = deliver_due(core.db, send)
    assert report.retrying == 1 and queued(core) == 1
    with apns_sender(core) as send:  # not due again yet: back-off
        assert deliver_due(core.db, send).handled == 0
    apns.down = False
    with apns_sender(core) as send:
        report = deliver_due(core.db, send, now=utcnow() + timedelta(minutes=5))
    assert report.sent == 1 and queued(core) == 0
    assert len(apns.wait_for(2)) == 2


def test_a_name_change_reaches_the_pass_too(
    phone: Device,
    core: Core,
    demo: dict[str, Any],
) -> None:
    phone.register()
    with core.db.write() as session:
        card = session.scalars(select(Card).where(Card.number == ANNA)).one()
        card.customer.last_name = "Rossi-Bianchi"
    assert queued(core) == 1

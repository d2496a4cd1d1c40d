"""The card in Google Wallet follows the ledger: a till operation queues a patch of the card's
object in the wallet's one push queue; `core send-pushes` writes the merchant's class (once) and
the object with the new points to the Wallet API (here a stand-in that checks the service
account's token), asking Google to notify the holder at most 3 times a day. An outage loses
nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from admin_core.context import Core
from admin_core.google_wallet import TokenCache
from admin_core.models import GoogleWalletObject, Merchant, WalletPush
from admin_core.services import utcnow
from admin_core.services.card_changes import set_blocked
from admin_core.services.merchants import get_merchant
from admin_core.services.staff import StaffScope
from admin_core.services.wallet_google_credentials import remove_credentials
from admin_core.services.wallet_push import PushReport, deliver_due
from admin_core.wallet_cli import wallet_sender

from .conftest import login
from .simulators.apns import apns_stand_in
from .simulators.google_wallet import GoogleStandIn, google_stand_in
from .test_wallet_apple import ANNA, queued, send_pushes, till_operation
from .wallet_device import wallet_phone
from .wallet_fixtures import ISSUER, SERVICE_ACCOUNT, google_account, set_up_google_wallet

PASSWORD = "demo-password"


@pytest.fixture
def google(core: Core, monkeypatch: pytest.MonkeyPatch) -> Iterator[GoogleStandIn]:
    with google_stand_in() as stand_in:
        stand_in.accounts[SERVICE_ACCOUNT] = google_account()[1].public_key()
        google = {"google_api_url": stand_in.url, "google_token_url": stand_in.token_url}
        monkeypatch.setattr(core, "settings", replace(core.settings, **google))
        yield stand_in


@pytest.fixture
def saved(client: FlaskClient, core: Core, demo: dict[str, Any]) -> FlaskClient:
    """Anna asked to save her card to Google Wallet."""
    set_up_google_wallet(core)
    login(client, ANNA, PASSWORD)
    assert client.get("/p/demo/card/wallet/google").status_code == 302
    return client


def deliver(core: Core, tokens: TokenCache | None = None, minutes: int = 0) -> PushReport:
    with wallet_sender(core, tokens or TokenCache()) as send:
        return deliver_due(core.db, send, now=utcnow() + timedelta(minutes=minutes))


def test_a_till_operation_patches_the_object_with_the_new_points(
    saved: FlaskClient, core: Core, core_app: Flask, demo: dict[str, Any], google: GoogleStandIn
) -> None:
    till_operation(saved, demo, "google-till-1")
    assert queued(core) == 1 and google.writes == []  # the till's request sent nothing

    assert "sent 1" in send_pushes(core_app)
    kinds = [(each.method, each.kind) for each in google.writes]
    assert kinds == [("POST", "loyaltyClass"), ("POST", "loyaltyObject")]  # Google had neither
    loyalty_class, loyalty_object = (each.body for each in google.writes)
    assert loyalty_class["id"] == f"{ISSUER}.loyalty_{demo_id(core)}"
    assert loyalty_class["hexBackgroundColor"].startswith("#")
    assert loyalty_object["classId"] == loyalty_class["id"]
    assert loyalty_object["loyaltyPoints"]["balance"] == {"int": 1275}
    assert loyalty_object["barcode"]["value"] == ANNA
    assert loyalty_object["notifyPreference"] == "notifyOnUpdate"

    till_operation(saved, demo, "google-till-2")
    assert "sent 1" in send_pushes(core_app)
    (patch,) = google.writes[2:]  # the class is as Google has it: not written again
    assert (patch.method, patch.kind, patch.resource_id) == ("PATCH", "loyaltyObject", loyalty_object["id"])
    assert google.resources["loyaltyObject"][patch.resource_id]["loyaltyPoints"]["balance"] == {"int": 1300}
    assert queued(core) == 0


def demo_id(core: Core) -> int:
    with core.db.read() as session:
        return get_merchant(session, "demo").id


def test_a_blocked_card_turns_inactive_in_google_wallet(
    saved: FlaskClient, core: Core, demo: dict[str, Any], google: GoogleStandIn
) -> None:
    set_blocked(core.db, StaffScope.merchant(demo_id(core)), ANNA, True)
    assert queued(core) == 1
    assert deliver(core).sent == 1
    assert google.objects_written()[-1].body["state"] == "INACTIVE"


def test_changes_before_the_worker_comes_make_one_patch(
    saved: FlaskClient, core: Core, demo: dict[str, Any], google: GoogleStandIn
) -> None:
    for attempt in range(3):
        till_operation(saved, demo, f"google-burst-{attempt}")
    assert queued(core) == 1
    assert deliver(core).sent == 1
    assert google.objects_written()[-1].body["loyaltyPoints"]["balance"] == {"int": 1325}


def test_no_patch_for_a_card_never_saved(
    client: FlaskClient, core: Core, demo: dict[str, Any], google: GoogleStandIn
) -> None:
    set_up_google_wallet(core)
    till_operation(client, demo, "google-unsaved")
    assert queued(core) == 0


def test_an_outage_of_google_loses_nothing(
    saved: FlaskClient, core: Core, demo: dict[str, Any], google: GoogleStandIn
) -> None:
    google.down = True
    till_operation(saved, demo, "google-outage-1")
    assert deliver(core).retrying == 1 and queued(core) == 1
    assert deliver(core).handled == 0  # not due again yet: back-off
    till_operation(saved, demo, "google-outage-2")  # still waiting: no second patch queued
    assert queued(core) == 1
    google.down = False
    assert deliver(core, minutes=5).sent == 1 and queued(core) == 0
    assert google.objects_written()[-1].body["loyaltyPoints"]["balance"] == {"int": 1300}


def test_google_stopped_for_good_by_a_server_is_retried_without_a_trace_of_it(
    saved: FlaskClient,
    core: Core,
    demo: dict[str, Any],
    google: GoogleStandIn,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    nowhere = {"google_api_url": "http://127.0.0.1:9", "google_token_url": "http://127.0.0.1:9/token"}
    monkeypatch.setattr(core, "settings", replace(core.settings, **nowhere))  # nothing listens
    till_operation(saved, demo, "google-nobody")
    report = deliver(core)
    assert report.retrying == 1 and queued(core) == 1
    with core.db.read() as session:
        push = session.scalars(select(WalletPush)).one()
        assert push.last_error and "Connect" in push.last_error and push.attempts == 1


def test_a_token_google_no_longer_takes_is_renewed(
    saved: FlaskClient, core: Core, demo: dict[str, Any], google: GoogleStandIn
) -> None:
    tokens = TokenCache()
    till_operation(saved, demo, "google-token-1")
    assert deliver(core, tokens).sent == 1
    till_operation(saved, demo, "google-token-2")
    assert deliver(core, tokens).sent == 1 and google.token_requests == 1  # the token kept
    google.tokens.clear()  # revoked
    till_operation(saved, demo, "google-token-3")
    assert deliver(core, tokens).retrying == 1
    assert deliver(core, tokens, minutes=5).sent == 1 and google.token_requests == 2


def test_the_holder_is_notified_at_most_three_times_a_day(
    saved: FlaskClient, core: Core, demo: dict[str, Any], google: GoogleStandIn
) -> None:
    for attempt in range(5):
        till_operation(saved, demo, f"google-notify-{attempt}")
        assert deliver(core).sent == 1
    notified = ["notifyPreference" in each.body for each in google.objects_written()]
    assert notified == [True, True, True, False, False]
    balances = [each.body["loyaltyPoints"]["balance"]["int"] for each in google.objects_written()]
    assert balances == [1275, 1300, 1325, 1350, 1375]  # every change still reaches the card
    with core.db.write() as session:  # a day later
        google_object = session.scalars(select(GoogleWalletObject)).one()
        google_object.notified_at = [
            (datetime.fromisoformat(each) - timedelta(hours=24)).isoformat()
            for each in google_object.notified_at
        ]
    till_operation(saved, demo, "google-notify-tomorrow")
    assert deliver(core).sent == 1
    assert google.objects_written()[-1].body["notifyPreference"] == "notifyOnUpdate"


def test_removed_credentials_give_the_patch_up(
    saved: FlaskClient, core: Core, demo: dict[str, Any], google: GoogleStandIn
) -> None:
    till_operation(saved, demo, "google-removed")
    remove_credentials(core.db, demo_id(core))
    assert deliver(core).failed == 1 and google.writes == []
    with core.db.read() as session:
        assert session.scalars(select(WalletPush)).one().failed_at is not None
    assert deliver(core, minutes=60).handled == 0  # given up: not tried again


def test_one_change_reaches_both_wallets_through_one_queue(
    client: FlaskClient,
    core: Core,
    core_app: Flask,
    demo: dict[str, Any],
    google: GoogleStandIn,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    phone = wallet_phone(client, core)  # Anna's card in Apple Wallet, on her iPhone
    assert phone.register() == 201
    set_up_google_wallet(core)
    assert client.get("/p/demo/card/wallet/google").status_code == 302  # and in Google Wallet
    till_operation(client, demo, "both-wallets")
    assert queued(core) == 2
    with apns_stand_in() as apns:
        monkeypatch.setattr(core, "settings", replace(core.settings, apns_url=apns.url))
        assert "sent 2" in send_pushes(core_app)
        assert len(apns.wait_for(1)) == 1
    assert google.objects_written()[-1].body["loyaltyPoints"]["balance"] == {"int": 1275}


@pytest.mark.both_backends  # the database refuses a push with no target, or with two
def test_a_push_names_one_target(
    saved: FlaskClient, core: Core, demo: dict[str, Any], google: GoogleStandIn
) -> None:
    with core.db.read() as session:
        google_object = session.scalars(select(GoogleWalletObject.id)).one()
    for targets in ({}, {"google_object_id": google_object, "registration_id": google_object}):
        with pytest.raises(IntegrityError), core.db.write() as session:
            now = utcnow()
            session.add(WalletPush(created_at=now, next_attempt_at=now, attempts=0, **targets))


def test_an_account_google_refuses_gives_the_patch_up(
    saved: FlaskClient, core: Core, demo: dict[str, Any], google: GoogleStandIn
) -> None:
    google.accounts.clear()  # the key was deleted in Google's console
    till_operation(saved, demo, "google-refused-account")
    assert deliver(core).failed == 1 and google.writes == []
    with core.db.read() as session:
        assert "token: Google answered 400" in (session.scalars(select(WalletPush)).one().last_error or "")


def test_a_new_accent_rewrites_the_class_with_the_next_patch(
    saved: FlaskClient, core: Core, demo: dict[str, Any], google: GoogleStandIn
) -> None:
    till_operation(saved, demo, "google-accent-1")
    assert deliver(core).sent == 1
    with core.db.write() as session:
        session.execute(update(Merchant).where(Merchant.slug == "demo").values(accent_color="#123456"))
    till_operation(saved, demo, "google-accent-2")
    assert deliver(core).sent == 1
    classes = [each for each in google.writes if each.kind == "loyaltyClass"]
    assert [each.method for each in classes] == ["POST", "PATCH"]
    assert google.resources["loyaltyClass"][classes[0].resource_id]["hexBackgroundColor"] == "#123456"

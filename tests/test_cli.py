"""The `flask core …` commands of the public contract."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from flask import Flask
from flask.testing import FlaskClient

from admin_core.demo import PASSWORD

from .conftest import login


@pytest.mark.both_backends  # the demo loaded twice on each backend
def test_demo_prints_the_contract_json_and_is_idempotent(core_app: Flask, client: FlaskClient) -> None:
    runner = core_app.test_cli_runner()
    first = runner.invoke(args=["core", "demo"])
    assert first.exit_code == 0, first.output
    demo = json.loads(first.stdout)
    assert demo["merchant"] == "demo"
    activated = [card for card in demo["cards"] if card["activated"]]
    waiting = [card for card in demo["cards"] if not card["activated"]]
    assert activated and waiting and all("email" in card for card in waiting)
    assert len(demo["stores"]) >= 2
    assert set(demo) >= {"api_key", "staff", "hotspots"}

    second = runner.invoke(args=["core", "demo"])
    assert json.loads(second.stdout) == demo
    api = core_app.test_client()
    card = api.get(
        f"/api/v1/cards/{activated[0]['number']}", headers={"Authorization": f"Bearer {demo['api_key']}"}
    )
    assert card.json["balances"]["points"] == 1250  # loading twice did not double anything
    assert activated[0]["password"] == PASSWORD


def test_create_merchant_and_api_key(core_app: Flask) -> None:
    runner = core_app.test_cli_runner()
    made = runner.invoke(args=["core", "create-merchant", "bakery", "The Bakery", "--enable-portal"])
    assert made.exit_code == 0, made.output
    again = runner.invoke(args=["core", "create-merchant", "bakery", "The Bakery"])
    assert again.exit_code != 0 and "exists already" in again.output
    bad = runner.invoke(args=["core", "create-merchant", "Not A Slug", "X"])
    assert bad.exit_code != 0 and "slug" in bad.output

    key = runner.invoke(args=["core", "create-api-key", "bakery"]).stdout.strip()
    assert key.startswith("lpk_")
    answer = core_app.test_client().get("/api/v1/cards/123456", headers={"Authorization": f"Bearer {key}"})
    assert answer.json["error"]["code"] == "card_not_found"  # authenticated, and scoped to the bakery
    assert runner.invoke(args=["core", "create-api-key", "ghost"]).exit_code != 0
    assert runner.invoke(args=["core", "create-api-key"]).exit_code != 0
    assert runner.invoke(args=["core", "create-api-key", "--site"]).stdout.startswith("lpk_")


@pytest.mark.both_backends  # the migrations run again on each backend
def test_init_db_is_safe_to_repeat(core_app: Flask) -> None:
    result = core_app.test_cli_runner().invoke(args=["core", "init-db"])
    assert result.exit_code == 0, result.output


def test_the_site_app_carries_the_core_commands(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["core", "--help"])
    for command in ["init-db", "demo", "send-mail", "create-merchant", "create-api-key"]:
        assert command in result.output


def test_demo_offers_google_wallet_with_a_local_key_that_verifies_the_save_link(
    core_app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    runner = core_app.test_cli_runner()
    key_file = tmp_path / "google.json"
    first = runner.invoke(args=["core", "demo", "--google-key-file", str(key_file)])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["google_wallet"]["service_account_file"] == str(key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    made = key_file.read_bytes()
    again = runner.invoke(args=["core", "demo", "--google-key-file", str(key_file)])
    assert json.loads(again.stdout) == json.loads(first.stdout) and key_file.read_bytes() == made

    login(client, "7000100001", PASSWORD)
    location = client.get("/p/demo/card/wallet/google").headers["Location"]
    account = json.loads(made)
    key = serialization.load_pem_private_key(account["private_key"].encode(), None)
    claims = jwt.decode(
        location.rsplit("/", 1)[1],
        key.public_key(),
        algorithms=["RS256"],
        audience="google",
    )
    assert claims["iss"] == account["client_email"]
    assert claims["payload"]["loyaltyObjects"][0]["accountId"] == "7000100001"

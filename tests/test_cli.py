"""The `flask core …` commands of the public contract."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from admin_core.demo import PASSWORD


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

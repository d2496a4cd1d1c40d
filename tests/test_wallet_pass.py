"""The card as an Apple Wallet pass: offered only where the merchant brought credentials; a real,
signed .pkpass that Wallet's checks accept, showing the card's number and current points."""

from __future__ import annotations

import io
from typing import Any

from flask.testing import FlaskClient
from PIL import Image

from admin_core.context import Core
from admin_core.services.logos import set_logo
from admin_core.services.merchants import get_merchant

from .conftest import login
from .pkpass import OpenedPass, open_pass
from .wallet_fixtures import PASS_TYPE, TEAM, authority, set_up_wallet

ANNA, PASSWORD = "7000100001", "demo-password"
LOCALES = ("en", "it", "bg", "nb")


def download(client: FlaskClient) -> OpenedPass:
    answer = client.get("/p/demo/card/wallet/apple")
    assert answer.status_code == 200, answer.text[:500]
    assert answer.mimetype == "application/vnd.apple.pkpass"
    assert answer.headers["Last-Modified"]
    return open_pass(answer.data, authority().root.certificate)


def test_without_credentials_there_is_no_button_and_no_pass(
    client: FlaskClient, demo: dict[str, Any]
) -> None:
    login(client, ANNA, PASSWORD)
    assert "Add to Apple Wallet" not in client.get("/p/demo/card").text
    assert client.get("/p/demo/card/wallet/apple").status_code == 404


def test_the_pass_needs_a_logged_in_customer(client: FlaskClient, core: Core, demo: dict[str, Any]) -> None:
    set_up_wallet(core)
    answer = client.get("/p/demo/card/wallet/apple")
    assert answer.status_code == 302 and "/p/demo/login" in answer.headers["Location"]


def test_the_served_pass_is_signed_and_shows_the_card(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    set_up_wallet(core)
    login(client, ANNA, PASSWORD)
    page = client.get("/p/demo/card").text
    assert 'href="/p/demo/card/wallet/apple"' in page and "Add to Apple Wallet" in page
    opened = download(client)
    assert opened.chain == [authority().wwdr.certificate]
    body = opened.json
    assert (body["formatVersion"], body["passTypeIdentifier"], body["teamIdentifier"]) == (1, PASS_TYPE, TEAM)
    assert body["serialNumber"] != ANNA and len(body["authenticationToken"]) >= 16
    assert body["webServiceURL"] == "http://localhost/wallet/apple"
    assert body["organizationName"] == body["logoText"] == "Demo Café & Market"
    assert body["backgroundColor"].startswith("rgb(")
    assert [code["message"] for code in body["barcodes"]] == [ANNA, ANNA]
    assert body["barcodes"][0]["format"] == "PKBarcodeFormatCode128"
    card = body["storeCard"]
    assert card["primaryFields"][0]["value"] == 1250
    secondary = {field["key"]: field for field in card["secondaryFields"]}
    assert secondary["tier"]["value"] == "Silver"
    assert (secondary["credit"]["value"], secondary["credit"]["currencyCode"]) == (15.5, "EUR")
    assert card["auxiliaryFields"][0]["key"] == "next_reward"
    backs = {field["key"]: field["value"] for field in card["backFields"]}
    assert backs["portal"] == "http://localhost/p/demo/" and backs["rules"] == "http://localhost/p/demo/rules"
    for locale in LOCALES:
        strings = opened.files[f"{locale}.lproj/pass.strings"].decode()
        assert '"points" = ' in strings and '"next_reward" = ' in strings
    assert {"icon.png", "icon@2x.png", "icon@3x.png"} <= set(opened.files)
    with Image.open(io.BytesIO(opened.files["icon@3x.png"])) as icon:
        assert icon.size == (87, 87)
    again = download(client)
    assert again.json["serialNumber"] == body["serialNumber"]  # stable: the same pass in the wallet


def test_the_merchant_s_logo_becomes_the_pass_s_logo_and_icon(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    set_up_wallet(core)
    logo = io.BytesIO()
    Image.new("RGB", (400, 100), "navy").save(logo, "PNG")
    with core.db.read() as session:
        merchant_id = get_merchant(session, "demo").id
    set_logo(core.db, merchant_id, logo.getvalue())
    login(client, ANNA, PASSWORD)
    files = download(client).files
    for name, box in (("logo.png", (160, 50)), ("logo@2x.png", (320, 100)), ("icon@2x.png", (58, 58))):
        with Image.open(io.BytesIO(files[name])) as image:
            assert image.width <= box[0] and image.height <= box[1] and max(image.size) in box, name

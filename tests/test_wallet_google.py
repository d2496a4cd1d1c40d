"""The card in Google Wallet: offered only where the merchant brought credentials; the save link
is Google's save page with a JWT that the service account's public key verifies, holding the
merchant's class and the card's object as they are now."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import jwt
import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from admin_core.context import EXTENSION, Core
from admin_core.models import Card, GoogleWalletObject, Merchant
from admin_core.services.merchants import get_merchant
from admin_core.services.wallet_google import save_url
from admin_core.wallet_labels import pass_labels

from .conftest import login
from .wallet_fixtures import ISSUER, SERVICE_ACCOUNT, google_account, set_up_google_wallet, set_up_wallet

ANNA, PASSWORD = "7000100001", "demo-password"
SAVE = "https://pay.google.com/gp/v/save/"


def saved_claims(client: FlaskClient) -> dict[str, Any]:
    answer = client.get("/p/demo/card/wallet/google")
    assert answer.status_code == 302, answer.text[:500]
    location = answer.headers["Location"]
    assert location.startswith(SAVE)
    token = location.removeprefix(SAVE)
    claims: dict[str, Any] = jwt.decode(
        token, google_account()[1].public_key(), algorithms=["RS256"], audience="google"
    )
    assert jwt.get_unverified_header(token)["kid"]
    return claims


def test_without_credentials_there_is_no_button_and_a_page_says_so(
    client: FlaskClient, demo: dict[str, Any]
) -> None:
    login(client, ANNA, PASSWORD)
    assert "Save to Google Wallet" not in client.get("/p/demo/card").text
    answer = client.get("/p/demo/card/wallet/google")
    assert answer.status_code == 404 and "Google Wallet is not available" in answer.text


def test_the_save_link_needs_a_logged_in_customer(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    set_up_google_wallet(core)
    answer = client.get("/p/demo/card/wallet/google")
    assert answer.status_code == 302 and "/p/demo/login" in answer.headers["Location"]


def test_the_save_link_is_signed_by_the_service_account_and_holds_the_card(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    set_up_google_wallet(core)
    with core.db.write() as session:
        session.execute(update(Merchant).where(Merchant.slug == "demo").values(accent_color="#7a1f5c"))
    login(client, ANNA, PASSWORD)
    page = client.get("/p/demo/card").text
    assert 'href="/p/demo/card/wallet/google"' in page and "Save to Google Wallet" in page
    assert "Add to Apple Wallet" not in page
    claims = saved_claims(client)
    assert (claims["iss"], claims["typ"]) == (SERVICE_ACCOUNT, "savetowallet")
    assert claims["origins"] == ["http://localhost"]
    (loyalty_class,) = claims["payload"]["loyaltyClasses"]
    (loyalty_object,) = claims["payload"]["loyaltyObjects"]
    assert loyalty_class["id"] == loyalty_object["classId"] and loyalty_class["id"].startswith(f"{ISSUER}.")
    assert loyalty_class["programName"] == "Demo Café & Market"
    assert loyalty_class["hexBackgroundColor"] == "#7a1f5c"
    assert loyalty_class["programLogo"]["sourceUri"]["uri"].startswith("http://localhost/")
    with core.db.read() as session:
        card = session.scalars(select(Card).where(Card.number == ANNA)).one()
        serial = session.scalars(select(GoogleWalletObject.serial)).one()
    assert loyalty_object["id"] == f"{ISSUER}.{serial}" and ANNA not in serial
    assert loyalty_object["accountId"] == ANNA
    assert loyalty_object["accountName"] == f"{card.customer.first_name} {card.customer.last_name}"
    assert loyalty_object["loyaltyPoints"]["balance"] == {"int": card.points}
    assert loyalty_object["barcode"] == {"type": "CODE_128", "value": ANNA, "alternateText": ANNA}
    assert loyalty_object["state"] == "ACTIVE"
    labels = loyalty_object["loyaltyPoints"]["localizedLabel"]
    assert labels["defaultValue"]["value"] == "Points"
    assert {each["language"] for each in labels["translatedValues"]} == {"it", "bg", "nb"}
    assert saved_claims(client)["payload"]["loyaltyObjects"][0]["id"] == loyalty_object["id"]  # stable


def test_the_origins_name_the_pages_the_portal_is_embedded_in(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    set_up_google_wallet(core)
    with core.db.write() as session:
        session.execute(
            update(Merchant).where(Merchant.slug == "demo").values(embed_origins=["https://shop.example"])
        )
    login(client, ANNA, PASSWORD)
    assert saved_claims(client)["origins"] == ["http://localhost", "https://shop.example"]


def test_both_buttons_show_where_both_wallets_are_offered(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    set_up_wallet(core)
    set_up_google_wallet(core)
    login(client, ANNA, PASSWORD)
    for page in (client.get("/p/demo/card").text, client.get("/p/demo/").text):  # the dashboard too
        assert "Add to Apple Wallet" in page and "Save to Google Wallet" in page
    assert urlsplit(client.get("/p/demo/card/wallet/google").headers["Location"]).netloc == "pay.google.com"


@pytest.mark.both_backends  # the unique card_id decides which first save makes the object
def test_two_first_saves_at_once_make_one_object(live: tuple[str, Any]) -> None:
    _base, core_app = live
    core = core_app.extensions[EXTENSION]
    set_up_google_wallet(core)
    with core.db.read() as session:
        merchant = get_merchant(session, "demo")
    start = threading.Barrier(2)

    def first_save() -> str:
        start.wait(timeout=10)
        with core_app.app_context(), core.db.write() as session:
            url = save_url(session, merchant, ANNA, core.wallet_keys, "http://localhost", pass_labels)
        return str(
            jwt.decode(url.removeprefix(SAVE), options={"verify_signature": False})["payload"][
                "loyaltyObjects"
            ][0]["id"]
        )

    with ThreadPoolExecutor(2) as pool:
        ids = set(pool.map(lambda _: first_save(), range(2)))
    with core.db.read() as session:
        assert len(session.scalars(select(GoogleWalletObject)).all()) == 1
    assert len(ids) == 1

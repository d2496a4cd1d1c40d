"""The merchant's Google credentials: the issuer id and the service account's JSON key, checked on
upload with a refusal that says what is wrong; stored with the key sealed; shown again only
masked; in the API and the staff UI, for the admin only."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from admin_core.context import Core
from admin_core.errors import Invalid
from admin_core.models import GoogleWalletSettings
from admin_core.services.merchants import create_api_key, get_merchant
from admin_core.services.wallet_google_credentials import check_upload, find_settings, opened

from .test_staff import ADMIN, MANAGER, log_in, token
from .wallet_fixtures import ISSUER, SERVICE_ACCOUNT, google_account, set_up_google_wallet


def key_file(**changes: Any) -> bytes:
    body = json.loads(google_account()[0])
    body.update(changes)
    return json.dumps({name: value for name, value in body.items() if value is not None}).encode()


def refused(issuer: str, data: bytes | None) -> str:
    with pytest.raises(Invalid) as error:
        check_upload(issuer, data)
    return error.value.code


def test_a_service_account_key_passes() -> None:
    checked = check_upload(ISSUER, google_account()[0])
    assert (checked.issuer_id, checked.service_account_email) == (ISSUER, SERVICE_ACCOUNT)
    assert (
        checked.private_key.public_key().public_numbers() == google_account()[1].public_key().public_numbers()
    )


@pytest.mark.parametrize(
    ("issuer", "data", "code"),
    [
        ("12ab", key_file(), "invalid_issuer_id"),
        ("", key_file(), "invalid_issuer_id"),
        (ISSUER, None, "service_account_required"),
        (ISSUER, b"{not json", "malformed_service_account"),
        (ISSUER, b"\xff\xfe", "malformed_service_account"),
        (ISSUER, b"[1, 2]", "not_service_account"),
        (ISSUER, key_file(type="authorized_user"), "not_service_account"),
        (ISSUER, key_file(client_email=None), "not_service_account"),
        (ISSUER, key_file(client_email="not an address"), "not_service_account"),
        (ISSUER, key_file(private_key_id="../x"), "not_service_account"),
        (ISSUER, key_file(private_key=None), "service_account_key_unreadable"),
        (
            ISSUER,
            key_file(private_key="-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
            "service_account_key_unreadable",
        ),
        (ISSUER, b" " * (64 * 1024 + 1), "malformed_service_account"),
    ],
)
def test_each_broken_upload_says_what_is_wrong(issuer: str, data: bytes | None, code: str) -> None:
    assert refused(issuer, data) == code


def test_the_stored_key_is_sealed_and_opens_with_the_wallet_key(core: Core, demo: dict[str, Any]) -> None:
    set_up_google_wallet(core)
    with core.db.read() as session:
        row = find_settings(session, get_merchant(session, "demo").id)
        assert row is not None and "PRIVATE KEY" not in row.private_key
        credentials = opened(row, core.wallet_keys)
    assert credentials.service_account_email == SERVICE_ACCOUNT


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def api(core_app: Flask, demo: dict[str, Any]) -> tuple[FlaskClient, dict[str, str]]:
    return core_app.test_client(), {"Authorization": f"Bearer {demo['api_key']}"}


def test_the_api_uploads_shows_masked_and_removes(core_app: Flask, demo: dict[str, Any]) -> None:
    client, headers = api(core_app, demo)
    path = "/api/v1/merchant/wallet/google"
    assert client.get(path, headers=headers).json == {"configured": False}
    answer = client.put(
        path, json={"issuer_id": ISSUER, "service_account": b64(google_account()[0])}, headers=headers
    )
    assert answer.status_code == 200, answer.json
    shown = client.get(path, headers=headers).json
    assert shown["configured"] and shown["private_key"] == "********"
    assert (shown["issuer_id"], shown["service_account_email"]) == (ISSUER, SERVICE_ACCOUNT)
    assert "BEGIN" not in str(shown)
    assert client.delete(path, headers=headers).status_code == 204
    assert client.get(path, headers=headers).json == {"configured": False}


def test_the_api_says_what_is_wrong_and_stores_nothing(
    core_app: Flask, demo: dict[str, Any], core: Core
) -> None:
    client, headers = api(core_app, demo)
    path = "/api/v1/merchant/wallet/google"
    for body, code in (
        ({"issuer_id": ISSUER, "service_account": b64(b"{")}, "malformed_service_account"),
        ({"issuer_id": ISSUER, "service_account": "%%%"}, "malformed_service_account"),
        ({"issuer_id": ISSUER, "service_account": b64(key_file(type="user"))}, "not_service_account"),
        ({"issuer_id": "x", "service_account": b64(key_file())}, "invalid_issuer_id"),
        ({"issuer_id": ISSUER}, "service_account_required"),
    ):
        answer = client.put(path, json=body, headers=headers)
        assert answer.status_code == 422 and answer.json["error"]["code"] == code, answer.json
    with core.db.read() as session:
        assert session.scalars(select(GoogleWalletSettings)).all() == []


def test_a_site_key_cannot_touch_the_credentials(app: Flask, demo: dict[str, Any]) -> None:
    answer = app.test_client().get("/core/api/v1/merchant/wallet/google", headers={"X-Merchant": "demo"})
    assert answer.status_code in (401, 403)


def test_the_site_s_own_key_is_refused_the_credentials(
    core_app: Flask, core: Core, demo: dict[str, Any]
) -> None:
    headers = {"Authorization": f"Bearer {create_api_key(core.db, None)}", "X-Merchant": "demo"}
    body = {"issuer_id": ISSUER, "service_account": b64(key_file())}
    api = core_app.test_client()
    for method, sent in (("GET", None), ("PUT", body), ("DELETE", None)):
        answer = api.open("/api/v1/merchant/wallet/google", method=method, json=sent, headers=headers)
        assert answer.status_code == 403 and answer.json["error"]["code"] == "merchant_only", method
    with core.db.read() as session:
        assert session.scalars(select(GoogleWalletSettings)).all() == []


def upload_form(staff: FlaskClient, data: bytes | None, issuer: str = ISSUER) -> Any:
    page = staff.get("/wallet/google").text
    form: dict[str, Any] = {"csrf_token": token(page), "issuer_id": issuer}
    if data is not None:
        form["service_account"] = (io.BytesIO(data), "key.json")
    return staff.post("/wallet/google", data=form, content_type="multipart/form-data")


def test_the_admin_uploads_the_credentials_in_the_staff_ui(core_app: Flask, demo: dict[str, Any]) -> None:
    staff = core_app.test_client()
    log_in(staff, ADMIN)
    assert "Google Wallet" in staff.get("/").text
    for data, message in (
        (b"{oops", "This file is not JSON: upload the key file as Google gave it."),
        (key_file(type="user"), "This JSON file is not a service account key."),
        (key_file(private_key="nope"), "The private key in this file cannot be read."),
        (None, "Upload the service account&#39;s JSON key file."),
    ):
        wrong = upload_form(staff, data)
        assert wrong.status_code == 422 and message in wrong.text, wrong.text[-2000:]
    assert upload_form(staff, key_file(), issuer="abc").status_code == 422
    saved = upload_form(staff, key_file())
    assert saved.status_code == 302
    page = staff.get("/wallet/google").text
    assert SERVICE_ACCOUNT in page and ISSUER in page and "********" in page and "BEGIN" not in page
    removed = staff.post("/wallet/google/remove", data={"csrf_token": token(page)})
    assert removed.status_code == 302 and "Remove the credentials" not in staff.get("/wallet/google").text


def test_only_the_admin_sees_the_google_wallet_page(core_app: Flask, demo: dict[str, Any]) -> None:
    staff = core_app.test_client()
    log_in(staff, MANAGER)
    assert staff.get("/wallet/google").status_code == 403
    assert "Google Wallet" not in staff.get("/").text

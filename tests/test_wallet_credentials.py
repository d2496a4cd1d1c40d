"""The merchant's Apple credentials: checked on upload, each refusal saying what is wrong; stored
with the keys sealed; shown again only masked; in the API and the staff UI."""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from admin_core.context import Core
from admin_core.errors import Invalid
from admin_core.models import WalletSettings
from admin_core.services.merchants import get_merchant
from admin_core.services.wallet_credentials import AppleUpload, check_upload, find_settings, opened

from .test_staff import ADMIN, MANAGER, log_in, token
from .wallet_fixtures import PASS_TYPE, TEAM, authority, p12, pass_certificate, pem_upload, set_up_wallet


def refused(upload: AppleUpload) -> str:
    with pytest.raises(Invalid) as error:
        check_upload(upload)
    return error.value.code


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class TestChecks:
    def test_a_pem_certificate_with_its_key_and_the_wwdr_passes(self) -> None:
        checked = check_upload(pem_upload())
        assert (checked.team_id, checked.pass_type_id) == (TEAM, PASS_TYPE)
        assert checked.intermediate == authority().wwdr.certificate
        assert checked.apns is not None and checked.apns.key_id == "KEY1234567"

    def test_a_p12_is_opened_with_its_password_and_gives_the_wwdr_it_holds(self) -> None:
        checked = check_upload(
            AppleUpload(TEAM, PASS_TYPE, p12=p12(pass_certificate(), "s3cret"), password="s3cret")
        )
        assert checked.certificate == pass_certificate().certificate
        assert checked.intermediate == authority().wwdr.certificate
        assert checked.apns is None

    def test_a_wrong_p12_password_is_said_so(self) -> None:
        upload = AppleUpload(TEAM, PASS_TYPE, p12=p12(pass_certificate(), "s3cret"), password="guess")
        assert refused(upload) == "wrong_password"

    def test_a_file_that_is_no_p12_is_malformed(self) -> None:
        assert refused(AppleUpload(TEAM, PASS_TYPE, p12=b"not a p12 at all", password="x")) == "malformed_p12"

    def test_an_expired_certificate_is_refused(self) -> None:
        expired = authority().pass_certificate(
            PASS_TYPE, TEAM, not_after=datetime.now(UTC) - timedelta(hours=1)
        )
        assert refused(pem_upload(expired)) == "certificate_expired"

    def test_a_certificate_without_apple_s_pass_type_marker_is_refused(self) -> None:
        plain = authority().pass_certificate(PASS_TYPE, TEAM, marked=False)
        assert refused(pem_upload(plain)) == "not_pass_type_certificate"

    def test_a_key_of_another_certificate_is_refused(self) -> None:
        other = authority().pass_certificate(PASS_TYPE, TEAM)
        assert refused(pem_upload(private_key=other.key_pem)) == "key_mismatch"

    def test_garbage_in_any_file_is_malformed(self) -> None:
        assert (
            refused(pem_upload(certificate=b"-----BEGIN CERTIFICATE-----\nnope")) == "malformed_certificate"
        )
        assert refused(pem_upload(private_key=b"\x30\x03\x02\x01\x00")) == "malformed_key"
        assert refused(pem_upload(intermediate=b"junk")) == "malformed_intermediate"
        assert refused(pem_upload(apns_key=b"junk")) == "malformed_apns_key"

    def test_the_pass_certificate_must_come_from_the_wwdr_given(self) -> None:
        stranger = authority().root  # not the issuer of the pass certificate
        assert refused(pem_upload(intermediate=stranger.certificate_pem)) == "intermediate_mismatch"
        assert refused(pem_upload(intermediate=None)) == "intermediate_required"

    def test_ids_must_match_the_certificate(self) -> None:
        assert refused(pem_upload(pass_type_id="pass.other.merchant")) == "pass_type_mismatch"
        assert refused(pem_upload(team_id="OTHER12345")) == "team_mismatch"
        assert refused(pem_upload(team_id="short")) == "invalid_team_id"
        assert refused(pem_upload(pass_type_id="com.example")) == "invalid_pass_type_id"
        assert refused(pem_upload(apns_key_id="?")) == "invalid_apns_key_id"
        assert refused(pem_upload(certificate=None)) == "credentials_required"


def test_stored_keys_are_sealed_and_open_with_the_wallet_key(core: Core, demo: dict[str, Any]) -> None:
    set_up_wallet(core)
    with core.db.read() as session:
        row = find_settings(session, get_merchant(session, "demo").id)
        assert row is not None
        assert "PRIVATE KEY" not in row.private_key and "PRIVATE KEY" not in (row.apns_key or "")
        credentials = opened(row, core.wallet_keys)
    assert credentials.certificate == pass_certificate().certificate


def api(core_app: Flask, demo: dict[str, Any]) -> tuple[FlaskClient, dict[str, str]]:
    return core_app.test_client(), {"Authorization": f"Bearer {demo['api_key']}"}


def test_the_api_uploads_shows_masked_and_removes(core_app: Flask, demo: dict[str, Any]) -> None:
    client, headers = api(core_app, demo)
    assert client.get("/api/v1/merchant/wallet/apple", headers=headers).json == {"configured": False}
    body = {
        "team_id": TEAM,
        "pass_type_id": PASS_TYPE,
        "p12": b64(p12(pass_certificate(), "pw")),
        "password": "pw",
    }
    answer = client.put("/api/v1/merchant/wallet/apple", json=body, headers=headers)
    assert answer.status_code == 200, answer.json
    shown = client.get("/api/v1/merchant/wallet/apple", headers=headers).json
    assert shown["configured"] and shown["private_key"] == "********" and shown["apns_auth"] == "certificate"
    assert shown["pass_type_id"] == PASS_TYPE and "pw" not in str(shown) and "BEGIN" not in str(shown)
    assert client.delete("/api/v1/merchant/wallet/apple", headers=headers).status_code == 204
    assert client.get("/api/v1/merchant/wallet/apple", headers=headers).json == {"configured": False}


def test_the_api_says_what_is_wrong_with_an_upload(core_app: Flask, demo: dict[str, Any], core: Core) -> None:
    client, headers = api(core_app, demo)
    body = {
        "team_id": TEAM,
        "pass_type_id": PASS_TYPE,
        "p12": b64(p12(pass_certificate(), "pw")),
        "password": "no",
    }
    answer = client.put("/api/v1/merchant/wallet/apple", json=body, headers=headers)
    assert answer.status_code == 422 and answer.json["error"]["code"] == "wrong_password"
    answer = client.put("/api/v1/merchant/wallet/apple", json={**body, "p12": "%%%"}, headers=headers)
    assert answer.status_code == 422 and answer.json["error"]["code"] == "malformed_p12"
    with core.db.read() as session:
        assert session.scalars(select(WalletSettings)).all() == []


def test_a_site_key_cannot_touch_the_credentials(app: Flask, demo: dict[str, Any]) -> None:
    answer = app.test_client().get("/core/api/v1/merchant/wallet/apple", headers={"X-Merchant": "demo"})
    assert answer.status_code in (401, 403)


def upload_form(staff: FlaskClient, files: dict[str, bytes], **fields: str) -> Any:
    page = staff.get("/wallet").text
    data: dict[str, Any] = {"csrf_token": token(page), "team_id": TEAM, "pass_type_id": PASS_TYPE, **fields}
    for name, content in files.items():
        data[name] = (io.BytesIO(content), f"{name}.bin")
    return staff.post("/wallet", data=data, content_type="multipart/form-data")


def test_the_admin_uploads_the_credentials_in_the_staff_ui(core_app: Flask, demo: dict[str, Any]) -> None:
    staff = core_app.test_client()
    log_in(staff, ADMIN)
    assert "Apple Wallet" in staff.get("/").text
    wrong = upload_form(staff, {"p12": p12(pass_certificate(), "pw")}, password="nope")
    assert wrong.status_code == 422 and "The password does not open this file." in wrong.text
    saved = upload_form(staff, {"p12": p12(pass_certificate(), "pw")}, password="pw")
    assert saved.status_code == 302
    page = staff.get("/wallet").text
    assert PASS_TYPE in page and "********" in page and "BEGIN" not in page
    removed = staff.post("/wallet/remove", data={"csrf_token": token(page)})
    assert removed.status_code == 302 and "Remove the credentials" not in staff.get("/wallet").text


def test_only_the_admin_sees_the_wallet_page(core_app: Flask, demo: dict[str, Any]) -> None:
    staff = core_app.test_client()
    log_in(staff, MANAGER)
    assert staff.get("/wallet").status_code == 403

"""The merchant's Google Wallet credentials (merchant key): the issuer id and the service account's
JSON key, checked on upload, never shown again (the key comes back masked)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from ..context import current_core
from ..services.wallet_google_credentials import (
    check_upload,
    find_settings,
    remove_credentials,
    save_credentials,
    summary,
)
from .auth import scope
from .wallet_admin import blp, decoded, file_field


class GoogleUploadSchema(Schema):
    issuer_id = fields.String(required=True, validate=validate.Length(max=32))
    service_account = file_field("The service account's JSON key file, as Google's console gives it")


class GoogleSettingsSchema(Schema):
    configured = fields.Boolean(required=True)
    issuer_id = fields.String()
    service_account_email = fields.String()
    private_key_id = fields.String(allow_none=True)
    private_key = fields.String(metadata={"description": "Masked"})
    updated_at = fields.DateTime()


def _read() -> dict[str, object]:
    with current_core().db.read() as session:
        return summary(find_settings(session, scope().merchant.id))


@blp.route("/google", methods=["GET"])
@blp.response(200, GoogleSettingsSchema)
def read_google() -> dict[str, object]:
    return _read()


@blp.route("/google", methods=["PUT"])
@blp.arguments(GoogleUploadSchema)
@blp.response(200, GoogleSettingsSchema)
def upload_google(payload: dict[str, Any]) -> dict[str, object]:
    """Upload or replace. Errors (422): invalid_issuer_id, service_account_required,
    malformed_service_account, not_service_account, service_account_key_unreadable."""
    core = current_core()
    credentials = check_upload(payload["issuer_id"], decoded(payload, "service_account"))
    save_credentials(core.db, core.wallet_keys, scope().merchant.id, credentials)
    return _read()


@blp.route("/google", methods=["DELETE"])
@blp.response(204)
def delete_google() -> None:
    """The button stops being offered; cards saved in Google Wallet keep what they last showed."""
    remove_credentials(current_core().db, scope().merchant.id)

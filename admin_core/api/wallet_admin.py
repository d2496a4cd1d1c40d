"""The merchant's Apple Wallet credentials (merchant key): checked on upload, never shown again
(the keys come back masked). The staff UI's /core/wallet calls the same services. The Google
credentials' routes (wallet_google_admin) are on the same blueprint."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..context import current_core
from ..errors import Forbidden, Invalid
from ..services.wallet_credentials import (
    MAX_FILE,
    AppleUpload,
    check_upload,
    find_settings,
    remove_credentials,
    save_credentials,
    summary,
)
from .auth import authenticate, scope

blp = Blueprint(
    "wallet_admin", __name__, description="The merchant's Apple and Google Wallet credentials (merchant key)"
)
blp.before_request(authenticate)

FILE_SIZE = validate.Length(max=MAX_FILE * 2)


@blp.before_request
def _merchant_key_only() -> None:
    if scope().site:
        raise Forbidden("merchant_only", "Only the merchant's own key manages its wallet credentials.")


def file_field(description: str) -> fields.String:
    return fields.String(validate=FILE_SIZE, metadata={"description": f"{description}, base64"})


class AppleUploadSchema(Schema):
    team_id = fields.String(required=True, validate=validate.Length(max=10))
    pass_type_id = fields.String(required=True, validate=validate.Length(max=255))
    p12 = file_field("The Pass Type ID certificate with its key, as a .p12 file")
    password = fields.String(load_default="", validate=validate.Length(max=200))
    certificate = file_field("Or: the Pass Type ID certificate (PEM or DER)")
    private_key = file_field("and its private key (PEM or DER; encrypted with `password`, or not)")
    intermediate = file_field("Apple's WWDR certificate that issued it, unless the .p12 holds it")
    apns_key = file_field("The APNs auth key (.p8); none: pushes use the pass certificate")
    apns_key_id = fields.String(load_default="", validate=validate.Length(max=10))
    apns_team_id = fields.String(load_default="", validate=validate.Length(max=10))


class AppleSettingsSchema(Schema):
    configured = fields.Boolean(required=True)
    team_id = fields.String()
    pass_type_id = fields.String()
    certificate_subject = fields.String()
    certificate_expires_at = fields.DateTime()
    private_key = fields.String(metadata={"description": "Masked"})
    apns_auth = fields.String(metadata={"description": "`token` (.p8 key) or `certificate`"})
    apns_key_id = fields.String(allow_none=True)
    apns_key = fields.String(allow_none=True, metadata={"description": "Masked; None: not set"})
    updated_at = fields.DateTime()


def decoded(payload: dict[str, Any], name: str) -> bytes | None:
    value = payload.get(name)
    if not value:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid(f"malformed_{name}", f"'{name}' is not base64.") from None


def _read() -> dict[str, object]:
    with current_core().db.read() as session:
        return summary(find_settings(session, scope().merchant.id))


@blp.route("/apple", methods=["GET"])
@blp.response(200, AppleSettingsSchema)
def read_apple() -> dict[str, object]:
    return _read()


@blp.route("/apple", methods=["PUT"])
@blp.arguments(AppleUploadSchema)
@blp.response(200, AppleSettingsSchema)
def upload_apple(payload: dict[str, Any]) -> dict[str, object]:
    """Upload or replace. Errors (422): wrong_password, certificate_expired,
    certificate_not_yet_valid, not_pass_type_certificate, key_mismatch, pass_type_mismatch,
    team_mismatch, intermediate_required, intermediate_mismatch, malformed_p12,
    malformed_certificate, malformed_key, malformed_intermediate, malformed_apns_key,
    invalid_team_id, invalid_pass_type_id, invalid_apns_key_id, credentials_required."""
    upload = AppleUpload(
        team_id=payload["team_id"],
        pass_type_id=payload["pass_type_id"],
        p12=decoded(payload, "p12"),
        password=payload["password"],
        certificate=decoded(payload, "certificate"),
        private_key=decoded(payload, "private_key"),
        intermediate=decoded(payload, "intermediate"),
        apns_key=decoded(payload, "apns_key"),
        apns_key_id=payload["apns_key_id"],
        apns_team_id=payload["apns_team_id"],
    )
    core = current_core()
    save_credentials(core.db, core.wallet_keys, scope().merchant.id, check_upload(upload))
    return _read()


@blp.route("/apple", methods=["DELETE"])
@blp.response(204)
def delete_apple() -> None:
    """The passes stop being offered; those in wallets keep what they last showed."""
    remove_credentials(current_core().db, scope().merchant.id)

"""The core's half of Apple's PassKit web service (site key only; the site answers Apple at
/wallet/apple/v1/…). The pass type and serial name the merchant; `X-Pass-Token` carries the
pass's authentication token from the device's `Authorization: ApplePass …`."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..context import current_core
from ..services import utcnow
from ..services.wallet_devices import (
    authenticated_pass,
    last_modified_second,
    modified_since,
    register_device,
    unregister_device,
    updated_serials,
)
from ..services.wallet_pass import CONTENT_TYPE
from ..services.wallet_passes import SiteLinks, merchant_credentials, render_pass
from ..wallet_labels import pass_labels
from .auth import authenticate_site
from .wallet_passes import PassQuerySchema

blp = Blueprint("wallet_service", __name__, description="Apple's PassKit web service (site key only)")
blp.before_request(authenticate_site)

PASS_TOKEN = {"parameters": [{"in": "header", "name": "X-Pass-Token", "schema": {"type": "string"}}]}


class RegistrationSchema(Schema):
    push_token = fields.String(required=True, validate=validate.Length(max=200))


class RegisteredSchema(Schema):
    created = fields.Boolean(required=True, metadata={"description": "False: it was registered already"})


class SinceQuerySchema(Schema):
    since = fields.String(load_default=None, validate=validate.Length(max=32))


class SerialsSchema(Schema):
    serials = fields.List(fields.String(), required=True)
    last_updated = fields.String(required=True)


def _token() -> str | None:
    return request.headers.get("X-Pass-Token")


@blp.route("/devices/<device>/registrations/<pass_type>/<serial>", methods=["POST"])
@blp.arguments(RegistrationSchema)
@blp.response(200, RegisteredSchema)
@blp.doc(**PASS_TOKEN)
def register(payload: dict[str, Any], device: str, pass_type: str, serial: str) -> dict[str, bool]:
    """404 pass_not_found, 401 invalid_pass_token, 422 invalid_device / invalid_push_token."""
    core = current_core()
    with core.db.write() as session:
        wallet_pass, _merchant = authenticated_pass(session, core.wallet_keys, pass_type, serial, _token())
        return {"created": register_device(session, wallet_pass, device, payload["push_token"])}


@blp.route("/devices/<device>/registrations/<pass_type>/<serial>", methods=["DELETE"])
@blp.response(204)
@blp.doc(**PASS_TOKEN)
def unregister(device: str, pass_type: str, serial: str) -> None:
    core = current_core()
    with core.db.write() as session:
        wallet_pass, _merchant = authenticated_pass(session, core.wallet_keys, pass_type, serial, _token())
        unregister_device(session, wallet_pass, device)


@blp.route("/devices/<device>/registrations/<pass_type>", methods=["GET"])
@blp.arguments(SinceQuerySchema, location="query")
@blp.response(200, SerialsSchema)
def list_updated(query: dict[str, Any], device: str, pass_type: str) -> dict[str, Any]:
    """The device's passes of this type changed since the tag `since` (every one without)."""
    with current_core().db.read() as session:
        serials, tag = updated_serials(session, device, pass_type, query["since"])
    return {"serials": serials, "last_updated": tag}


@blp.route("/passes/<pass_type>/<serial>", methods=["GET"])
@blp.arguments(PassQuerySchema, location="query")
@blp.response(200, description="The signed pass; 304 when not changed since If-Modified-Since")
@blp.doc(**PASS_TOKEN)
def latest_pass(query: dict[str, Any], pass_type: str, serial: str) -> Response:
    core = current_core()
    with core.db.read() as session:
        wallet_pass, merchant = authenticated_pass(session, core.wallet_keys, pass_type, serial, _token())
        if not modified_since(wallet_pass, request.if_modified_since):
            response = Response(status=304)
        else:
            credentials = merchant_credentials(session, merchant.id, core.wallet_keys)
            links = SiteLinks(query["site_url"].rstrip("/"))
            served = render_pass(
                session, merchant, wallet_pass, credentials, core.wallet_keys, links, pass_labels, utcnow()
            )
            response = Response(served.data, mimetype=CONTENT_TYPE)
        response.last_modified = last_modified_second(wallet_pass)
        return response

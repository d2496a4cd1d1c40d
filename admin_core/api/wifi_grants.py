"""Grants a hotspot's gateway fetches (openNDS FAS level 3; site key only): the splash holds a
device's grant with its sign-up, the gateway's polls (through the site) list and acknowledge
them, and only an acknowledged grant stores its visit."""

from __future__ import annotations

import re
from typing import Any

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import Session

from ..context import current_core
from ..errors import NotFound
from ..services import utcnow, wifi_grants
from .auth import authenticate_site
from .idempotent import IDEMPOTENCY_DOC, run_once
from .wifi import VisitInSchema, _hotspot

blp = Blueprint(
    "wifi_grants", __name__, description="Grants a Wi-Fi gateway fetches: openNDS level 3 (site key only)"
)
blp.before_request(authenticate_site)

HASH = re.compile(r"^[0-9a-f]{64}$")
MOST = 50  # grants one poll may list


def _digest(**options: Any) -> fields.String:
    return fields.String(validate=validate.Regexp(HASH, error="A lower-case SHA-256 hex digest."), **options)


class HoldInSchema(VisitInSchema):
    class Meta:
        exclude = ("confirmation",)  # the link's secret comes with the gateway's acknowledgement

    rhid = _digest(
        required=True, metadata={"description": "sha256(hid + faskey): the gateway's name of the device"}
    )
    gateway_hash = _digest(required=True, metadata={"description": "The gateway's gatewayhash"})


class HeldSchema(Schema):
    held_at = fields.DateTime(required=True)
    expires_at = fields.DateTime(required=True, metadata={"description": "Unacknowledged, it lapses then"})


class GrantSchema(Schema):
    rhid = fields.String(required=True)
    session_minutes = fields.Integer(required=True)
    up_kbps = fields.Integer(allow_none=True)
    down_kbps = fields.Integer(allow_none=True)
    quota_mb = fields.Integer(allow_none=True)


class GrantsSchema(Schema):
    grants = fields.List(fields.Nested(GrantSchema), required=True)


class PendingQuerySchema(Schema):
    limit = fields.Integer(load_default=MOST, validate=validate.Range(1, MOST))


class AcknowledgementSchema(Schema):
    rhid = _digest(required=True)
    confirmation = fields.String(
        required=True,
        validate=validate.Length(32, 128),
        metadata={"description": "The secret of the link confirming a new card's address, if it gets one"},
    )


class AcknowledgedInSchema(Schema):
    grants = fields.List(
        fields.Nested(AcknowledgementSchema), required=True, validate=validate.Length(max=MOST)
    )


class AcknowledgedVisitSchema(Schema):
    rhid = fields.String(required=True)
    nonce = fields.String(required=True)
    email = fields.String(required=True, metadata={"description": "As the guest typed it"})
    locale = fields.String(allow_none=True)
    confirm_until = fields.DateTime(required=True)


class AcknowledgedSchema(Schema):
    visits = fields.List(
        fields.Nested(AcknowledgedVisitSchema),
        required=True,
        metadata={"description": "The new cards whose address is to be mailed its confirmation link"},
    )


class ClearedSchema(Schema):
    cleared = fields.Integer(required=True)


class GrantStateSchema(Schema):
    state = fields.Enum(wifi_grants.GrantState, by_value=True, required=True)
    outcome = fields.String(
        allow_none=True, metadata={"description": "Once online: created, existing, returning"}
    )
    card = fields.String(allow_none=True, metadata={"description": "Once online: a new card's number"})
    emailed = fields.Boolean()


def _gateway_id(public_id: str, gateway_hash: str) -> int | None:
    """The hotspot's gateway of this hash: known once a guest's redirect of its decrypted here and
    they signed up. None while the hotspot knows no gateway at all (a new one polls before its
    first guest: there is nothing for it, nor anything to hide)."""
    with current_core().db.read() as session:
        hotspot = _hotspot(session, public_id)
        gateway = wifi_grants.find_gateway(session, hotspot.id, gateway_hash)
        if gateway is not None and hotspot.enabled:
            return gateway.id
        if (
            hotspot.enabled
            and HASH.match(gateway_hash)
            and not wifi_grants.knows_gateways(session, hotspot.id)
        ):
            return None
    raise NotFound("gateway_not_found", "No such gateway at this hotspot.")


@blp.route("/hotspots/<public_id>/grants", methods=["POST"])
@blp.arguments(HoldInSchema)
@blp.response(201, HeldSchema)
@blp.doc(**IDEMPOTENCY_DOC)
def post_grant(payload: dict[str, Any], public_id: str) -> Response:
    """Hold a device's grant for its gateway, with the sign-up (checked now, stored as a visit
    once the gateway acknowledges it). Once per Idempotency-Key (the splash state's nonce). Errors
    as a visit's: 422 with the sign-up rule's code, unknown_device, consent_required,
    idempotency_key_reused; 404 hotspot_not_found."""
    core = current_core()
    with core.db.read() as session:
        hotspot = _hotspot(session, public_id)
    if not hotspot.enabled:
        raise NotFound("hotspot_not_found", "No such hotspot.")
    ip_address = str(payload["ip_address"]) if payload["ip_address"] else None
    visit = {name: value for name, value in payload.items() if name not in ("nonce", "rhid", "gateway_hash")}

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        now = utcnow()
        expires_at = wifi_grants.hold(
            session,
            session.merge(hotspot, load=False),
            payload["gateway_hash"],
            payload["rhid"],
            payload["nonce"],
            {**visit, "ip_address": ip_address},
            now,
        )
        return 201, HeldSchema().dump({"held_at": now, "expires_at": expires_at})

    fingerprint = {**payload, "ip_address": ip_address}
    return run_once(hotspot.merchant_id, f"wifi/{public_id}/grants", fingerprint, work)


@blp.route("/hotspots/<public_id>/grants/<nonce>", methods=["GET"])
@blp.response(200, GrantStateSchema)
def read_grant(public_id: str, nonce: str) -> dict[str, Any]:
    """Where one splash state's grant stands: waiting, online (with what its visit may say), gone."""
    core = current_core()
    with core.db.read() as session:
        hotspot_id = _hotspot(session, public_id).id
    state, outcome = wifi_grants.state_of(core.db, hotspot_id, nonce)
    return {"state": state, **(outcome or {})}


@blp.route("/hotspots/<public_id>/gateways/<gateway_hash>/grants", methods=["GET"])
@blp.arguments(PendingQuerySchema, location="query")
@blp.response(200, GrantsSchema)
def list_grants(query: dict[str, int], public_id: str, gateway_hash: str) -> dict[str, Any]:
    """The gateway's grants waiting for it, newest first. 404 gateway_not_found."""
    gateway_id = _gateway_id(public_id, gateway_hash)
    if gateway_id is None:
        return {"grants": []}
    return {"grants": wifi_grants.pending(current_core().db, gateway_id, query["limit"])}


@blp.route("/hotspots/<public_id>/gateways/<gateway_hash>/acknowledged", methods=["POST"])
@blp.arguments(AcknowledgedInSchema)
@blp.response(200, AcknowledgedSchema)
def post_acknowledged(payload: dict[str, Any], public_id: str, gateway_hash: str) -> dict[str, Any]:
    """The gateway let these devices online: their visits are stored (once, however often this is
    sent). 404 gateway_not_found."""
    core = current_core()
    gateway_id = _gateway_id(public_id, gateway_hash)
    if gateway_id is None:
        return {"visits": []}
    confirmations = {each["rhid"]: each["confirmation"] for each in payload["grants"]}
    visits = wifi_grants.acknowledge(core.db, gateway_id, confirmations, core.settings.activation_max_age)
    return {"visits": visits}


@blp.route("/hotspots/<public_id>/gateways/<gateway_hash>/cleared", methods=["POST"])
@blp.response(200, ClearedSchema)
def post_cleared(public_id: str, gateway_hash: str) -> dict[str, int]:
    """The gateway restarted: the grants it had not acknowledged are dropped. 404 gateway_not_found."""
    gateway_id = _gateway_id(public_id, gateway_hash)
    return {"cleared": 0 if gateway_id is None else wifi_grants.clear(current_core().db, gateway_id)}

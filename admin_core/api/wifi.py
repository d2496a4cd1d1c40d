"""What the splash needs (site key only): a hotspot's whole configuration, secrets included, to
check its controller's redirects and make grants; and the visits that let guests online."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import Session

from ..context import current_core
from ..errors import NotFound
from ..models import ContactRequired, Hotspot, HotspotKind
from ..services import wifi, wifi_confirmation
from ..services.hotspots import find_hotspot
from .auth import authenticate_site
from .idempotent import IDEMPOTENCY_DOC, run_once
from .schemas import MerchantSchema, StoreSchema

blp = Blueprint("wifi", __name__, description="The Wi-Fi splash's hotspots and visits (site key only)")
blp.before_request(authenticate_site)


class GuestSchema(Schema):
    """Not who the guest is: a MAC proves nothing, anyone can name one."""

    needs_consent = fields.Boolean(required=True, metadata={"description": "Wordings changed since"})


class SplashSchema(Schema):
    id = fields.String(required=True)
    kind = fields.Enum(HotspotKind, by_value=True, required=True)
    enabled = fields.Boolean(required=True)
    settings = fields.Dict(required=True, metadata={"description": "The controller's, secrets included"})
    session_minutes = fields.Integer(required=True)
    up_kbps = fields.Integer(allow_none=True)
    down_kbps = fields.Integer(allow_none=True)
    quota_mb = fields.Integer(allow_none=True)
    landing_url = fields.String(allow_none=True)
    contact = fields.Enum(ContactRequired, by_value=True, required=True)
    terms_version = fields.String(required=True)
    privacy_version = fields.String(required=True)
    merchant = fields.Nested(MerchantSchema, required=True)
    store = fields.Nested(StoreSchema, required=True)


class WordingsSchema(Schema):
    terms_version = fields.String(required=True)
    terms_text = fields.String(required=True)
    privacy_version = fields.String(required=True)
    privacy_text = fields.String(required=True)


def _text(size: int) -> fields.String:
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=size))


class VisitInSchema(Schema):
    """Types and sizes; the sign-up's rules answer 422 with their own codes."""

    nonce = fields.String(
        required=True, validate=validate.Length(1, 64), metadata={"description": "The splash state's"}
    )
    device_mac = _text(64)
    ip_address = fields.IP(load_default=None, allow_none=True)
    locale = _text(8)
    returning = fields.Boolean(
        load_default=False, metadata={"description": "The device's guest in one tap: no form fields"}
    )
    first_name = _text(1000)
    email = _text(1000)
    phone = _text(100)
    terms = fields.Boolean(load_default=False)
    privacy = fields.Boolean(load_default=False)
    marketing = fields.Boolean(load_default=False)
    confirmation = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(32, 128),
        metadata={
            "description": "The secret of the link that will confirm a new card's e-mail address "
            "(only its hash is kept); nothing but that link may be mailed to the address before"
        },
    )


class VisitSchema(Schema):
    outcome = fields.Enum(wifi.VisitOutcome, by_value=True, required=True)
    card = fields.String(allow_none=True, metadata={"description": "A new card's number"})
    visited_at = fields.DateTime(required=True)
    confirm_until = fields.DateTime(
        allow_none=True, metadata={"description": "A new card's address: its confirmation link works until"}
    )


class ConfirmInSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(1, 128))


class ConfirmedSchema(Schema):
    card = fields.String(required=True, attribute="number")
    email = fields.String(required=True)
    first_name = fields.String(required=True)
    locale = fields.String(allow_none=True)


def _hotspot(session: Session, public_id: str) -> Hotspot:
    hotspot = find_hotspot(session, public_id)
    if hotspot is None:
        raise NotFound("hotspot_not_found", "No such hotspot.")
    return hotspot


@blp.route("/hotspots/<public_id>", methods=["GET"])
@blp.response(200, SplashSchema)
def read_splash(public_id: str) -> dict[str, Any]:
    """Everything the splash shows and checks its controller's redirects with."""
    with current_core().db.read() as session:
        hotspot = _hotspot(session, public_id)
        return {
            **{name: getattr(hotspot, name) for name in SplashSchema().fields if hasattr(hotspot, name)},
            "id": hotspot.public_id,
        }


@blp.route("/hotspots/<public_id>/devices/<mac>", methods=["GET"])
@blp.response(200, GuestSchema)
def read_device_guest(public_id: str, mac: str) -> wifi.Guest:
    """The guest of a device seen before at this hotspot's merchant; 404 device_not_known."""
    with current_core().db.read() as session:
        guest = wifi.recognize(session, _hotspot(session, public_id), mac)
    if guest is None:
        raise NotFound("device_not_known", "This device has not been seen at this merchant.")
    return guest


@blp.route("/hotspots/<public_id>/wordings", methods=["GET"])
@blp.response(200, WordingsSchema)
def read_wordings(public_id: str) -> Hotspot:
    with current_core().db.read() as session:
        return _hotspot(session, public_id)


@blp.route("/hotspots/<public_id>/visits", methods=["POST"])
@blp.arguments(VisitInSchema)
@blp.response(201, VisitSchema)
@blp.doc(**IDEMPOTENCY_DOC)
def post_visit(payload: dict[str, Any], public_id: str) -> Response:
    """A guest let online: a sign-up, or (`returning`) the device's guest. Once per
    Idempotency-Key (send the splash state's nonce): a replay answers the first visit. Errors: 422
    unknown_device, consent_required, or the code of the sign-up rule broken (invalid_first_name,
    invalid_email, phone_required, contact_required, terms_required, privacy_required…); 404
    hotspot_not_found, also for a hotspot switched off."""
    core = current_core()
    with core.db.read() as session:
        hotspot = _hotspot(session, public_id)
    if not hotspot.enabled:
        raise NotFound("hotspot_not_found", "No such hotspot.")
    ip_address = str(payload["ip_address"]) if payload["ip_address"] else None
    arrival, guest, accepted = wifi.visit_request(
        {**payload, "ip_address": ip_address}, payload["nonce"], payload["confirmation"]
    )

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        visit = wifi.connect(
            core.db,
            session,
            session.merge(hotspot, load=False),
            arrival,
            guest,
            accepted=accepted,
            link_max_age=core.settings.activation_max_age,
        )
        body: dict[str, Any] = VisitSchema().dump(
            {
                "outcome": visit.outcome,
                "card": visit.card_number,
                "visited_at": visit.visited_at,
                "confirm_until": visit.confirm_until,
            }
        )
        return 201, body

    fingerprint = {**payload, "ip_address": arrival.ip_address}
    return run_once(hotspot.merchant_id, f"wifi/{public_id}/visits", fingerprint, work)


@blp.route("/hotspots/<public_id>/confirmations", methods=["POST"])
@blp.arguments(ConfirmInSchema)
@blp.response(200, ConfirmedSchema)
def post_confirmed(payload: dict[str, str], public_id: str) -> wifi_confirmation.ConfirmedCard:
    """The link was followed: the card, to be mailed to the address now confirmed. Errors: 410
    token_invalid, token_used, token_expired."""
    core = current_core()
    with core.db.read() as session:
        merchant_id = _hotspot(session, public_id).merchant_id
    return wifi_confirmation.confirm_address(core.db, merchant_id, payload["token"])

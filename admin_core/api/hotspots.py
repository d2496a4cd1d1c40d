"""A merchant's hotspots (merchant key): one per venue controller. Secrets are write-only: they
come back masked, and a masked value sent back keeps the stored one."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..context import current_core
from ..models import ContactRequired, Hotspot, HotspotKind
from ..services import hotspots
from ..services.hotspot_settings import masked
from ..services.hotspots import MAX_MINUTES, MAX_QUOTA, MAX_RATE, MAX_RETENTION_DAYS
from .auth import authenticate, scope
from .reward_admin import PageQuerySchema
from .schemas import bounds

blp = Blueprint("hotspots", __name__, description="Hotspots: the Wi-Fi controllers of a merchant's venues")
blp.before_request(authenticate)


class HotspotOptionsSchema(Schema):
    """Types and sizes; the rules are the service's (422 with their own codes)."""

    session_minutes = fields.Integer(
        strict=True, metadata={"description": "Session length granted", **bounds((1, MAX_MINUTES))}
    )
    up_kbps = fields.Integer(strict=True, allow_none=True, metadata=bounds((1, MAX_RATE)))
    down_kbps = fields.Integer(strict=True, allow_none=True, metadata=bounds((1, MAX_RATE)))
    quota_mb = fields.Integer(
        strict=True, allow_none=True, metadata={"description": "Data limit, MB", **bounds((1, MAX_QUOTA))}
    )
    landing_url = fields.String(allow_none=True, validate=validate.Length(max=1000))
    contact = fields.Enum(ContactRequired, by_value=True, metadata={"description": "What the form requires"})
    terms_version = fields.String(validate=validate.Length(max=100))
    privacy_version = fields.String(validate=validate.Length(max=100))
    terms_text = fields.String(validate=validate.Length(max=100_000))
    privacy_text = fields.String(validate=validate.Length(max=100_000))
    guest_retention_days = fields.Integer(
        strict=True, metadata={"description": "Wi-Fi-only guests kept", **bounds((1, MAX_RETENTION_DAYS))}
    )
    enabled = fields.Boolean()


class HotspotInSchema(HotspotOptionsSchema):
    id = fields.String(validate=validate.Length(1, 64), metadata={"description": "Default: a random one"})
    store = fields.String(required=True, validate=validate.Length(1, 32))
    kind = fields.Enum(HotspotKind, by_value=True, required=True)
    settings = fields.Dict(required=True, metadata={"description": "The controller's, by kind"})


class HotspotChangesSchema(HotspotOptionsSchema):
    store = fields.String(validate=validate.Length(1, 32))
    kind = fields.Enum(HotspotKind, by_value=True)
    settings = fields.Dict(metadata={"description": "Merged over the current ones"})


class HotspotSchema(HotspotOptionsSchema):
    id = fields.String(required=True)
    store = fields.String(required=True)
    kind = fields.Enum(HotspotKind, by_value=True, required=True)
    settings = fields.Dict(required=True, metadata={"description": "Secrets masked"})
    splash_path = fields.String(required=True, metadata={"description": "Where the controller sends guests"})


class HotspotListSchema(Schema):
    hotspots = fields.List(fields.Nested(HotspotSchema), required=True)
    next_cursor = fields.String(
        allow_none=True, metadata={"description": "Pass as `cursor` for the next page; None: the last"}
    )


OPTIONS = tuple(HotspotOptionsSchema().fields)


def options(payload: dict[str, Any]) -> hotspots.HotspotOptions:
    return hotspots.HotspotOptions(**{name: payload[name] for name in OPTIONS if name in payload})


def hotspot_body(hotspot: Hotspot) -> dict[str, Any]:
    return {
        **{name: getattr(hotspot, name) for name in OPTIONS},
        "id": hotspot.public_id,
        "store": hotspot.store.code,
        "kind": hotspot.kind,
        "settings": masked(hotspot.settings),
        "splash_path": f"/wifi/{hotspot.public_id}",
    }


@blp.route("", methods=["GET"])
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, HotspotListSchema)
def list_hotspots(query: dict[str, Any]) -> dict[str, Any]:
    """Oldest first, a page at a time."""
    with current_core().db.read() as session:
        rows, next_cursor = hotspots.list_hotspots_page(
            session, scope().merchant.id, query["cursor"], query["limit"]
        )
        return {"hotspots": [hotspot_body(each) for each in rows], "next_cursor": next_cursor}


@blp.route("", methods=["POST"])
@blp.arguments(HotspotInSchema)
@blp.response(201, HotspotSchema)
def create_hotspot(payload: dict[str, Any]) -> dict[str, Any]:
    """Errors: 422 unknown_store, invalid_hotspot_id, invalid_settings (with `fields`), or the code
    of a broken option rule; 409 hotspot_exists."""
    hotspot = hotspots.create_hotspot(
        current_core().db,
        scope().merchant.id,
        payload["store"],
        payload["kind"],
        payload["settings"],
        options(payload),
        payload.get("id"),
        networks=current_core().settings.controller_networks,
    )
    return hotspot_body(hotspot)


@blp.route("/<public_id>", methods=["GET"])
@blp.response(200, HotspotSchema)
def read_hotspot(public_id: str) -> dict[str, Any]:
    with current_core().db.read() as session:
        return hotspot_body(hotspots.get_hotspot(session, scope().merchant.id, public_id))


@blp.route("/<public_id>", methods=["PATCH"])
@blp.arguments(HotspotChangesSchema)
@blp.response(200, HotspotSchema)
def update_hotspot(payload: dict[str, Any], public_id: str) -> dict[str, Any]:
    hotspot = hotspots.update_hotspot(
        current_core().db,
        scope().merchant.id,
        public_id,
        store_code=payload.get("store"),
        kind=payload.get("kind"),
        settings=payload.get("settings"),
        options=options(payload),
        networks=current_core().settings.controller_networks,
    )
    return hotspot_body(hotspot)

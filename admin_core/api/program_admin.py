"""The program as the merchant's admin sets it up (merchant key: the admin's scope): tiers,
campaigns and points rates. The staff UI calls the same services."""

from __future__ import annotations

from dataclasses import fields as fields_of
from dataclasses import replace
from typing import Any

from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy.orm import Session

from ..context import current_core
from ..database import MAX_ID
from ..errors import Invalid
from ..models import Campaign, Store, Tier
from ..services import points_rates, program_setup
from ..services.earning import PLAIN, multiplier_percent
from ..services.merchants import get_merchant_by_id
from .auth import authenticate
from .idempotent import IDEMPOTENCY_DOC, run_once
from .reward_admin import PageQuerySchema
from .team import merchant_scope

blp = Blueprint("program_admin", __name__, description="Tiers, campaigns and points rates (merchant key)")
blp.before_request(authenticate)

MULTIPLIER_DOC = {"description": "Purchase points are multiplied by it: 1 to 10, two decimals (1.5)"}


class Multiplier(fields.Field):
    """Sent as a number (1.5), kept in hundredths (150): the service says what is wrong with it."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> float | None:
        return None if value is None else value / PLAIN

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        try:
            return multiplier_percent(fields.Decimal(allow_nan=False).deserialize(value))
        except Invalid as error:
            raise ValidationError(error.message) from None


class TierChangesSchema(Schema):
    """On PATCH only what is sent changes."""

    name = fields.String(validate=validate.Length(max=1000))
    threshold = fields.Integer(strict=True, metadata={"description": "Points earned in the tier period"})
    benefits = fields.String(validate=validate.Length(max=10000))
    multiplier = Multiplier(attribute="multiplier_percent", metadata={"type": "number", **MULTIPLIER_DOC})


class TierInSchema(TierChangesSchema):
    name = fields.String(required=True, validate=validate.Length(max=1000))
    threshold = fields.Integer(required=True, strict=True)


class ManagedTierSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    threshold = fields.Integer(required=True)
    benefits = fields.String(required=True)
    multiplier = Multiplier(attribute="multiplier_percent", required=True, metadata={"type": "number"})


class TierListSchema(Schema):
    period_months = fields.Integer(
        required=True, metadata={"description": "The months whose earned points count (portal settings)"}
    )
    tiers = fields.List(fields.Nested(ManagedTierSchema), required=True)


class CampaignChangesSchema(Schema):
    name = fields.String(validate=validate.Length(max=1000))
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    multiplier = Multiplier(
        attribute="multiplier_percent",
        allow_none=True,
        metadata={
            "type": "number",
            "nullable": True,
            **MULTIPLIER_DOC,
            "description": "None: points as usual",
        },
    )
    stores = fields.List(
        fields.String(validate=validate.Length(1, 32)),
        validate=validate.Length(max=100),
        metadata={"description": "Store codes where it runs; none: every store"},
    )
    group_id = fields.Integer(
        allow_none=True,
        validate=validate.Range(1, MAX_ID),
        metadata={
            "description": "A customer group: its multiplier for the group's members only; null: everyone"
        },
    )


class CampaignInSchema(CampaignChangesSchema):
    name = fields.String(required=True, validate=validate.Length(max=1000))
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)


class ManagedCampaignSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    multiplier = Multiplier(attribute="multiplier_percent", allow_none=True, metadata={"type": "number"})
    stores = fields.Function(lambda campaign: [store.code for store in campaign.stores])
    group_id = fields.Integer(allow_none=True, metadata={"description": "null: for everyone"})


class CampaignPageSchema(Schema):
    campaigns = fields.List(fields.Nested(ManagedCampaignSchema), required=True)
    next_cursor = fields.String(allow_none=True)


class StoreRateSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    points_per_unit = fields.Integer(allow_none=True, metadata={"description": "None: the merchant's rate"})


class RatesSchema(Schema):
    points_per_unit = fields.Integer(
        required=True, metadata={"description": "The merchant's, per currency unit"}
    )
    stores = fields.List(fields.Nested(StoreRateSchema), required=True)


class RateInSchema(Schema):
    points_per_unit = fields.Integer(
        required=True, allow_none=True, strict=True, metadata={"description": "None: the merchant's rate"}
    )


def _changed(payload: dict[str, Any], current: Any) -> Any:
    names = {field.name for field in fields_of(current)}
    changes = {key: value for key, value in payload.items() if key in names}
    if "stores" in changes:
        changes["stores"] = tuple(changes["stores"])
    return replace(current, **changes)


@blp.route("/tiers", methods=["GET"])
@blp.response(200, TierListSchema)
def list_tiers() -> dict[str, Any]:
    reach = merchant_scope()
    with current_core().db.read() as session:
        months = get_merchant_by_id(session, reach.merchant_id).tier_period_months
        return {"period_months": months, "tiers": program_setup.list_tiers(session, reach)}


@blp.route("/tiers", methods=["POST"])
@blp.arguments(TierInSchema)
@blp.response(201, ManagedTierSchema)
@blp.doc(**IDEMPOTENCY_DOC)
def create_tier(payload: dict[str, Any]) -> Response:
    """Once per Idempotency-Key. Errors: 422 invalid_tier (a message per field); 409 tier_exists
    (another tier starts at this threshold), too_many_tiers."""
    reach = merchant_scope()
    details = _changed(payload, program_setup.TierDetails(name="", threshold=0))

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        return 201, ManagedTierSchema().dump(program_setup.add_tier(session, reach, details))

    return run_once(reach.merchant_id, "tiers", request.get_json(), work)


def _tier(tier_id: int) -> Tier:
    with current_core().db.read() as session:
        return program_setup.get_tier(session, merchant_scope(), tier_id)


@blp.route("/tiers/<int:tier_id>", methods=["GET"])
@blp.response(200, ManagedTierSchema)
def read_tier(tier_id: int) -> Tier:
    return _tier(tier_id)


@blp.route("/tiers/<int:tier_id>", methods=["PATCH"])
@blp.arguments(TierChangesSchema)
@blp.response(200, ManagedTierSchema)
def change_tier(payload: dict[str, Any], tier_id: int) -> Tier:
    """A new multiplier counts from the next purchase. Errors: 422 invalid_tier; 409 tier_exists;
    404 tier_not_found."""
    found = _tier(tier_id)
    current = program_setup.TierDetails(found.name, found.threshold, found.benefits, found.multiplier_percent)
    return program_setup.update_tier(current_core().db, merchant_scope(), tier_id, _changed(payload, current))


@blp.route("/tiers/<int:tier_id>", methods=["DELETE"])
@blp.response(204)
def delete_tier(tier_id: int) -> None:
    """Its cards fall to the tier below (or none) at once: a tier follows from points, and their
    points and history stay."""
    program_setup.delete_tier(current_core().db, merchant_scope(), tier_id)


@blp.route("/campaigns", methods=["GET"])
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, CampaignPageSchema)
def list_campaigns(query: dict[str, Any]) -> program_setup.CampaignPage:
    """Newest first, a page at a time."""
    with current_core().db.read() as session:
        return program_setup.list_campaigns(session, merchant_scope(), query["cursor"], query["limit"])


@blp.route("/campaigns", methods=["POST"])
@blp.arguments(CampaignInSchema)
@blp.response(201, ManagedCampaignSchema)
@blp.doc(**IDEMPOTENCY_DOC)
def create_campaign(payload: dict[str, Any]) -> Response:
    """Once per Idempotency-Key. Rewards can be taken while any campaign runs; where campaigns with
    a multiplier overlap at a store, a purchase gets the highest one. Errors: 422 invalid_campaign."""
    reach = merchant_scope()
    blank = program_setup.CampaignDetails(name="", starts_at=payload["starts_at"], ends_at=payload["ends_at"])
    details = _changed(payload, blank)

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        return 201, ManagedCampaignSchema().dump(program_setup.add_campaign(session, reach, details))

    return run_once(reach.merchant_id, "campaigns", request.get_json(), work)


def _campaign(campaign_id: int) -> Campaign:
    with current_core().db.read() as session:
        return program_setup.get_campaign(session, merchant_scope(), campaign_id)


@blp.route("/campaigns/<int:campaign_id>", methods=["GET"])
@blp.response(200, ManagedCampaignSchema)
def read_campaign(campaign_id: int) -> Campaign:
    return _campaign(campaign_id)


@blp.route("/campaigns/<int:campaign_id>", methods=["PATCH"])
@blp.arguments(CampaignChangesSchema)
@blp.response(200, ManagedCampaignSchema)
def change_campaign(payload: dict[str, Any], campaign_id: int) -> Campaign:
    """Errors: 422 invalid_campaign; 404 campaign_not_found."""
    found = _campaign(campaign_id)
    current = program_setup.CampaignDetails(
        found.name,
        found.starts_at,
        found.ends_at,
        found.multiplier_percent,
        tuple(store.code for store in found.stores),
        found.group_id,
    )
    db, reach = current_core().db, merchant_scope()
    program_setup.update_campaign(db, reach, campaign_id, _changed(payload, current))
    return _campaign(campaign_id)


@blp.route("/campaigns/<int:campaign_id>", methods=["DELETE"])
@blp.response(204)
def delete_campaign(campaign_id: int) -> None:
    """Only before it starts. Errors: 409 campaign_started (set its end instead)."""
    program_setup.delete_campaign(current_core().db, merchant_scope(), campaign_id)


@blp.route("/program/rates", methods=["GET"])
@blp.response(200, RatesSchema)
def read_rates() -> dict[str, Any]:
    """Points per currency unit: the merchant's (PATCH /merchant `points_per_unit`), and each store's own."""
    reach = merchant_scope()
    with current_core().db.read() as session:
        return {
            "points_per_unit": points_rates.merchant_rate(session, reach),
            "stores": points_rates.store_rates(session, reach),
        }


@blp.route("/program/rates/<code>", methods=["PUT"])
@blp.arguments(RateInSchema)
@blp.response(200, StoreRateSchema)
def set_rate(payload: dict[str, Any], code: str) -> Store:
    """A store's own rate; null: the merchant's again. Errors: 422 invalid_points_rate; 404 unknown_store."""
    return points_rates.set_store_rate(current_core().db, merchant_scope(), code, payload["points_per_unit"])

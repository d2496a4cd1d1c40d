"""Bodies of the rewards, vouchers and dashboard endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import Schema, fields, validate

from ..models import Campaign, Card, Merchant, Reward, Voucher, VoucherStatus
from ..services.program import ExpiringPoints, RewardOffer, TierProgress
from ..services.vouchers import is_open
from .schemas import BalancesSchema, CardSchema, balances


class CampaignSchema(Schema):
    name = fields.String(required=True)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)


class RewardSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    points = fields.Integer(required=True)
    image_url = fields.String(allow_none=True)
    picture_digest = fields.String(
        allow_none=True, metadata={"description": "SHA-256 of the uploaded picture (the site shows it)"}
    )


class CatalogueSchema(Schema):
    campaign_on = fields.Boolean(required=True)
    campaign = fields.Nested(CampaignSchema, allow_none=True)
    rewards = fields.List(fields.Nested(RewardSchema), required=True)


class RewardOfferSchema(RewardSchema):
    redeemable = fields.Boolean(required=True)
    missing = fields.Integer(required=True, metadata={"description": "Points still needed"})
    sold_out = fields.Boolean(required=True)
    taken = fields.Integer(
        required=True, metadata={"description": "The card's vouchers for it, cancelled ones aside"}
    )
    limit_reached = fields.Boolean(required=True, metadata={"description": "The per-customer limit"})
    available_from = fields.DateTime(allow_none=True, metadata={"description": "Not yet: from then on"})


class CardCatalogueSchema(CatalogueSchema):
    points = fields.Integer(required=True)
    rewards = fields.List(fields.Nested(RewardOfferSchema), required=True)


class VoucherSchema(Schema):
    code = fields.String(required=True)
    reward = fields.Nested(RewardSchema, required=True)
    points = fields.Integer(required=True)
    status = fields.String(
        required=True, validate=validate.OneOf(["issued", "collected", "cancelled", "expired"])
    )
    created_at = fields.DateTime(required=True)
    expires_at = fields.DateTime(required=True)
    collected_at = fields.DateTime(allow_none=True)


class VoucherResultSchema(Schema):
    voucher = fields.Nested(VoucherSchema, required=True)
    balances = fields.Nested(BalancesSchema, required=True)


class VoucherListSchema(Schema):
    vouchers = fields.List(fields.Nested(VoucherSchema), required=True)


class CollectSchema(Schema):
    store = fields.String(required=True, validate=validate.Length(1, 32))


class TierSchema(Schema):
    current = fields.String(allow_none=True)
    next = fields.String(allow_none=True)
    earned = fields.Integer(required=True, metadata={"description": "Points earned in the tier period"})
    next_threshold = fields.Integer(allow_none=True)
    missing = fields.Integer(allow_none=True)


class NextRewardSchema(RewardSchema):
    missing = fields.Integer(required=True)


class ExpiringSchema(Schema):
    points = fields.Integer(required=True)
    on = fields.DateTime(required=True)


class StampProgressSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True, metadata={"description": 'What earns a stamp: "coffee"'})
    stamps = fields.Integer(required=True, metadata={"description": "On the current fill"})
    stamps_needed = fields.Integer(required=True)
    reward = fields.String(required=True, metadata={"description": "What a full card becomes"})


class DashboardSchema(Schema):
    card = fields.Nested(CardSchema, required=True)
    tier = fields.Nested(TierSchema, allow_none=True)
    campaign = fields.Nested(CampaignSchema, allow_none=True)
    next_reward = fields.Nested(NextRewardSchema, allow_none=True)
    reward_waiting = fields.Boolean(required=True)
    expiring = fields.Nested(ExpiringSchema, allow_none=True)
    open_vouchers = fields.Integer(required=True)
    stamp_cards = fields.List(fields.Nested(StampProgressSchema), required=True)


def reward_body(reward: Reward) -> dict[str, Any]:
    return {
        "id": reward.id,
        "name": reward.name,
        "description": reward.description,
        "points": reward.points,
        "image_url": reward.image_url,
        "picture_digest": reward.picture_digest,
    }


def campaign_body(campaign: Campaign | None) -> dict[str, Any] | None:
    if campaign is None:
        return None
    return {"name": campaign.name, "starts_at": campaign.starts_at, "ends_at": campaign.ends_at}


def offer_body(offer: RewardOffer) -> dict[str, Any]:
    return {
        **reward_body(offer.reward),
        "redeemable": offer.redeemable,
        "missing": offer.missing,
        "sold_out": offer.sold_out,
        "taken": offer.taken,
        "limit_reached": offer.limit_reached,
        "available_from": offer.available_from,
    }


def voucher_body(voucher: Voucher, now: datetime) -> dict[str, Any]:
    expired = voucher.status is VoucherStatus.ISSUED and not is_open(voucher, now)
    return {
        "code": voucher.code,
        "reward": reward_body(voucher.reward),
        "points": voucher.points,
        "status": "expired" if expired else voucher.status.value,
        "created_at": voucher.created_at,
        "expires_at": voucher.expires_at,
        "collected_at": voucher.collected_at,
    }


def voucher_result(voucher: Voucher, card: Card, merchant: Merchant, now: datetime) -> dict[str, Any]:
    return {"voucher": voucher_body(voucher, now), "balances": balances(card, merchant)}


def tier_body(progress: TierProgress | None) -> dict[str, Any] | None:
    if progress is None:
        return None
    return {
        "current": progress.current,
        "next": progress.next,
        "earned": progress.earned,
        "next_threshold": progress.next_threshold,
        "missing": progress.missing,
    }


def expiring_body(expiring: ExpiringPoints | None) -> dict[str, Any] | None:
    return None if expiring is None else {"points": expiring.points, "on": expiring.on}

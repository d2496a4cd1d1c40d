"""The coupons a customer can use and the passes their card holds, for the portal site."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..context import current_core
from ..models import Coupon, Pass
from ..services import utcnow
from ..services.coupon_uses import uses_left
from ..services.offers import PassStatus, customer_offers, pass_status
from .auth import authenticate, portal_merchant, require_site

blp = Blueprint("offers", __name__, description="A customer's coupons and passes (site key only)")
blp.before_request(authenticate)
blp.before_request(require_site)


class CouponSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    code = fields.String(allow_none=True, metadata={"description": "To type or show at the till"})
    valid_from = fields.DateTime(required=True)
    valid_until = fields.DateTime(required=True, metadata={"description": "Exclusive"})
    store_code = fields.String(allow_none=True, metadata={"description": "None: every store"})
    store_name = fields.String(allow_none=True)
    uses = fields.Integer(required=True, metadata={"description": "How many times this card used it"})
    uses_left = fields.Integer(allow_none=True, metadata={"description": "None: no limit; 0: used up"})


class PassSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    entries_total = fields.Integer(allow_none=True, metadata={"description": "None: unlimited"})
    entries_left = fields.Integer(allow_none=True)
    valid_from = fields.DateTime(required=True)
    valid_until = fields.DateTime(required=True, metadata={"description": "Exclusive"})
    status = fields.Enum(PassStatus, by_value=True, required=True)


class OffersSchema(Schema):
    coupons = fields.List(fields.Nested(CouponSchema), required=True)
    passes = fields.List(
        fields.Nested(PassSchema),
        required=True,
        metadata={"description": "Current ones and those that ended in the last 90 days"},
    )


def _coupon(coupon: Coupon, uses: int) -> dict[str, Any]:
    store = coupon.store
    return {
        "id": coupon.id,
        "title": coupon.title,
        "description": coupon.description,
        "code": coupon.code,
        "valid_from": coupon.valid_from,
        "valid_until": coupon.valid_until,
        "store_code": store.code if store else None,
        "store_name": store.name if store else None,
        "uses": uses,
        "uses_left": uses_left(coupon, uses),
    }


def _pass(held: Pass, now: datetime) -> dict[str, Any]:
    return {
        "id": held.id,
        "name": held.name,
        "entries_total": held.entries_total,
        "entries_left": held.entries_left,
        "valid_from": held.valid_from,
        "valid_until": held.valid_until,
        "status": pass_status(held, now),
    }


@blp.route("/<number>/offers", methods=["GET"])
@blp.response(200, OffersSchema)
def read_offers(number: str) -> dict[str, Any]:
    merchant = portal_merchant()
    now = utcnow()
    with current_core().db.read() as session:
        offers = customer_offers(session, merchant.id, number, now)
        return {
            "coupons": [_coupon(coupon, offers.uses.get(coupon.id, 0)) for coupon in offers.coupons],
            "passes": [_pass(held, now) for held in offers.passes],
        }

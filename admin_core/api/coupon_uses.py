"""A coupon's use by a card at a till (merchant key), once per Idempotency-Key."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..context import current_core
from ..services.coupon_uses import use_coupon
from .auth import authenticate
from .idempotent import IDEMPOTENCY_DOC, answer, idempotency_key
from .team import merchant_scope

blp = Blueprint("coupon_uses", __name__, description="Coupons used at a till (merchant key)")
blp.before_request(authenticate)


class UseSchema(Schema):
    store = fields.String(required=True, validate=validate.Length(1, 32))


class UsedSchema(Schema):
    coupon = fields.Integer(required=True)
    uses = fields.Integer(required=True, metadata={"description": "This card's, this one included"})
    uses_left = fields.Integer(allow_none=True, metadata={"description": "None: no limit"})


@blp.route("/cards/<number>/coupons/<int:coupon_id>/uses", methods=["POST"])
@blp.arguments(UseSchema)
@blp.response(201, UsedSchema)
@blp.doc(**IDEMPOTENCY_DOC)
def record_use(payload: dict[str, Any], number: str, coupon_id: int) -> Response:
    """Record that the card used the coupon at the store (a `coupon_use` operation). Errors: 404
    card_not_found, coupon_not_found (withdrawn, not valid now, another store's customers'),
    unknown_store; 409 coupon_used_up."""
    outcome = use_coupon(
        current_core().db, merchant_scope(), number, coupon_id, payload["store"], idempotency_key()
    )
    return answer(outcome)

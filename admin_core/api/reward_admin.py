"""Rewards as the merchant's admin defines them (merchant key: the admin's scope). The staff UI
calls the same services."""

from __future__ import annotations

from dataclasses import fields as fields_of
from dataclasses import replace
from typing import Any

from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import Session

from ..context import current_core
from ..errors import NotFound
from ..models import Reward
from ..services import reward_admin
from .auth import authenticate, require_site, scope
from .idempotent import IDEMPOTENCY_DOC, run_once
from .team import merchant_scope

blp = Blueprint("reward_admin", __name__, description="Rewards the merchant defines (merchant key)")
blp.before_request(authenticate)
site_blp = Blueprint(
    "reward_picture", __name__, description="The reward pictures the portal shows (site key only)"
)
site_blp.before_request(authenticate)
site_blp.before_request(require_site)


class RewardChangesSchema(Schema):
    """On PATCH only what is sent changes."""

    name = fields.String(validate=validate.Length(max=1000))
    description = fields.String(validate=validate.Length(max=10000))
    points = fields.Integer()
    stock = fields.Integer(allow_none=True, metadata={"description": "None: unlimited"})
    per_customer_limit = fields.Integer(allow_none=True, metadata={"description": "None: no limit"})
    active_from = fields.AwareDateTime(allow_none=True)
    active_until = fields.AwareDateTime(allow_none=True)
    stores = fields.List(
        fields.String(validate=validate.Length(1, 32)),
        validate=validate.Length(max=100),
        metadata={"description": "Store codes where it is collected; none: every store"},
    )
    voucher_valid_days = fields.Integer()
    active = fields.Boolean(metadata={"description": "False: switched off, out of the catalogue"})


class RewardInSchema(RewardChangesSchema):
    name = fields.String(required=True, validate=validate.Length(max=1000))
    points = fields.Integer(required=True)


class ManagedRewardSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    points = fields.Integer(required=True)
    stock = fields.Integer(allow_none=True, metadata={"description": "Left; None: unlimited"})
    per_customer_limit = fields.Integer(allow_none=True)
    active_from = fields.DateTime(allow_none=True)
    active_until = fields.DateTime(allow_none=True)
    stores = fields.Function(lambda reward: [store.code for store in reward.stores])
    voucher_valid_days = fields.Integer(required=True)
    active = fields.Boolean(required=True)
    picture_digest = fields.String(allow_none=True, metadata={"description": "SHA-256; None: no picture"})


class RewardPageSchema(Schema):
    rewards = fields.List(fields.Nested(ManagedRewardSchema), required=True)
    next_cursor = fields.String(
        allow_none=True, metadata={"description": "Pass as `cursor` for the next page; None: the last"}
    )


class PageQuerySchema(Schema):
    cursor = fields.String(load_default=None, validate=validate.Length(max=100))
    limit = fields.Integer(load_default=reward_admin.PAGE_SIZE, validate=validate.Range(1, 100))


DETAILS = {field.name for field in fields_of(reward_admin.RewardDetails)}


def _details(payload: dict[str, Any], current: reward_admin.RewardDetails) -> reward_admin.RewardDetails:
    changes = {key: payload[key] for key in DETAILS if key in payload}
    if "stores" in changes:
        changes["stores"] = tuple(changes["stores"])
    return replace(current, **changes)


def _reward(reward_id: int) -> Reward:
    with current_core().db.read() as session:
        return reward_admin.get_reward(session, merchant_scope(), reward_id)


@blp.route("/all", methods=["GET"])
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, RewardPageSchema)
def list_rewards(query: dict[str, Any]) -> reward_admin.RewardPage:
    """Every reward, switched off ones too, oldest first, a page at a time."""
    with current_core().db.read() as session:
        return reward_admin.list_rewards(session, merchant_scope(), query["cursor"], query["limit"])


@blp.route("", methods=["POST"])
@blp.arguments(RewardInSchema)
@blp.response(201, ManagedRewardSchema)
@blp.doc(**IDEMPOTENCY_DOC)
def create_reward(payload: dict[str, Any]) -> Response:
    """Once per Idempotency-Key. Errors: 422 invalid_reward with a message per field."""
    reach = merchant_scope()
    details = _details(payload, reward_admin.RewardDetails(name="", points=0))

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        reward = reward_admin.add_reward(session, reach, details)
        if payload.get("active") is False:
            reward.active = False
        return 201, ManagedRewardSchema().dump(reward)

    return run_once(reach.merchant_id, "rewards", request.get_json(), work)


@blp.route("/<int:reward_id>", methods=["GET"])
@blp.response(200, ManagedRewardSchema)
def read_reward(reward_id: int) -> Reward:
    return _reward(reward_id)


@blp.route("/<int:reward_id>", methods=["PATCH"])
@blp.arguments(RewardChangesSchema)
@blp.response(200, ManagedRewardSchema)
def change_reward(payload: dict[str, Any], reward_id: int) -> Reward:
    """Errors: 422 invalid_reward with a message per field; 404 reward_not_found."""
    db, reach = current_core().db, merchant_scope()
    if DETAILS & payload.keys():
        current = reward_admin.RewardDetails.of(_reward(reward_id))
        reward_admin.update_reward(db, reach, reward_id, _details(payload, current))
    if "active" in payload:
        reward_admin.set_reward_active(db, reach, reward_id, payload["active"])
    return _reward(reward_id)


@blp.route("/<int:reward_id>/picture", methods=["PUT"])
@blp.response(200, ManagedRewardSchema)
@blp.doc(requestBody={"content": {"image/*": {"schema": {"type": "string", "format": "binary"}}}})
def upload_picture(reward_id: int) -> Reward:
    """The request body is the image, checked like the logo: PNG, JPEG or a plain-drawing SVG."""
    reward_admin.set_picture(current_core().db, merchant_scope(), reward_id, request.get_data(cache=False))
    return _reward(reward_id)


@blp.route("/<int:reward_id>/picture", methods=["DELETE"])
@blp.response(200, ManagedRewardSchema)
def delete_picture(reward_id: int) -> Reward:
    reward_admin.remove_picture(current_core().db, merchant_scope(), reward_id)
    return _reward(reward_id)


@site_blp.route("/<int:reward_id>/picture", methods=["GET"])
@site_blp.response(200, description="The image, with its content type")
def read_picture(reward_id: int) -> Response:
    with current_core().db.read() as session:
        picture = reward_admin.find_picture(session, scope().merchant.id, reward_id)
    if picture is None:
        raise NotFound("no_picture", "This reward has no picture.")
    return Response(picture.data, mimetype=picture.content_type, headers={"ETag": f'"{picture.digest}"'})

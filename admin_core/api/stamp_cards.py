"""Stamp cards as the merchant's admin defines them, and stamps given to a card (merchant key),
each write once per Idempotency-Key. The staff UI calls the same services."""

from __future__ import annotations

from dataclasses import fields as fields_of
from dataclasses import replace
from typing import Any

from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import Session

from ..context import current_core
from ..models import StampCard
from ..services import stamp_cards
from ..services.stamping import MAX_STAMPS, stamp_once
from .auth import authenticate
from .idempotent import IDEMPOTENCY_DOC, answer, idempotency_key, run_once
from .team import merchant_scope

blp = Blueprint("stamp_cards", __name__, description="Stamp cards and the stamps cards get (merchant key)")
blp.before_request(authenticate)


class StampCardChangesSchema(Schema):
    """On PATCH only what is sent changes."""

    name = fields.String(
        validate=validate.Length(max=1000), metadata={"description": 'What earns a stamp: "coffee"'}
    )
    stamps_needed = fields.Integer(metadata={"description": "2-100 stamps fill the card"})
    reward_id = fields.Integer(metadata={"description": "The reward a filled card becomes a voucher for"})
    voucher_valid_days = fields.Integer()
    stores = fields.List(
        fields.String(validate=validate.Length(1, 32)),
        validate=validate.Length(max=100),
        metadata={"description": "Store codes or `group:<id>` where stamps are given; none: every store"},
    )
    active = fields.Boolean(metadata={"description": "False: switched off, no more stamps"})


class StampCardInSchema(StampCardChangesSchema):
    name = fields.String(required=True, validate=validate.Length(max=1000))
    stamps_needed = fields.Integer(required=True)
    reward_id = fields.Integer(required=True)


class StampCardSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    stamps_needed = fields.Integer(required=True)
    reward_id = fields.Integer(required=True)
    voucher_valid_days = fields.Integer(required=True)
    stores = fields.Function(lambda stamp_card: [store.code for store in stamp_card.stores])
    active = fields.Boolean(required=True)


class StampCardPageSchema(Schema):
    stamp_cards = fields.List(fields.Nested(StampCardSchema), required=True)
    next_cursor = fields.String(allow_none=True, metadata={"description": "None: the last page"})


class PageQuerySchema(Schema):
    cursor = fields.String(load_default=None, validate=validate.Length(max=100))
    limit = fields.Integer(load_default=stamp_cards.PAGE_SIZE, validate=validate.Range(1, 100))


class StampsInSchema(Schema):
    stamp_card = fields.Integer(required=True)
    count = fields.Integer(load_default=1, metadata={"description": f"1-{MAX_STAMPS}"})
    store = fields.String(required=True, validate=validate.Length(1, 32))


class StampedSchema(Schema):
    operation = fields.Integer(required=True)
    stamp_card = fields.Integer(required=True)
    stamps = fields.Integer(required=True, metadata={"description": "On the card's current fill"})
    stamps_needed = fields.Integer(required=True)
    filled = fields.Integer(required=True, metadata={"description": "Times this card was filled"})
    vouchers = fields.List(fields.String(), required=True, metadata={"description": "Codes issued now"})


DETAILS = {field.name for field in fields_of(stamp_cards.StampCardDetails)}


def _details(payload: dict[str, Any], current: stamp_cards.StampCardDetails) -> stamp_cards.StampCardDetails:
    changes = {key: payload[key] for key in DETAILS if key in payload}
    if "stores" in changes:
        changes["stores"] = tuple(changes["stores"])
    return replace(current, **changes)


def _stamp_card(stamp_card_id: int) -> StampCard:
    with current_core().db.read() as session:
        return stamp_cards.get_stamp_card(session, merchant_scope(), stamp_card_id)


@blp.route("/stamp-cards", methods=["GET"])
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, StampCardPageSchema)
def list_stamp_cards(query: dict[str, Any]) -> stamp_cards.StampCardPage:
    """Every stamp card, switched off ones too, oldest first, a page at a time."""
    with current_core().db.read() as session:
        return stamp_cards.list_stamp_cards(session, merchant_scope(), query["cursor"], query["limit"])


@blp.route("/stamp-cards", methods=["POST"])
@blp.arguments(StampCardInSchema)
@blp.response(201, StampCardSchema)
@blp.doc(**IDEMPOTENCY_DOC)
def create_stamp_card(payload: dict[str, Any]) -> Response:
    """Errors: 422 invalid_stamp_card with a message per field."""
    reach = merchant_scope()
    details = _details(payload, stamp_cards.StampCardDetails(name="", stamps_needed=0, reward_id=0))

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        stamp_card = stamp_cards.add_stamp_card(
            session, reach, details, active=payload.get("active") is not False
        )
        return 201, StampCardSchema().dump(stamp_card)

    return run_once(reach.merchant_id, "stamp-cards", request.get_json(), work)


@blp.route("/stamp-cards/<int:stamp_card_id>", methods=["GET"])
@blp.response(200, StampCardSchema)
def read_stamp_card(stamp_card_id: int) -> StampCard:
    return _stamp_card(stamp_card_id)


@blp.route("/stamp-cards/<int:stamp_card_id>", methods=["PATCH"])
@blp.arguments(StampCardChangesSchema)
@blp.response(200, StampCardSchema)
def change_stamp_card(payload: dict[str, Any], stamp_card_id: int) -> StampCard:
    """Errors: 422 invalid_stamp_card with a message per field; 404 stamp_card_not_found."""
    current = stamp_cards.StampCardDetails.of(_stamp_card(stamp_card_id))
    stamp_cards.update_stamp_card(
        current_core().db, merchant_scope(), stamp_card_id, _details(payload, current), payload.get("active")
    )
    return _stamp_card(stamp_card_id)


@blp.route("/cards/<number>/stamps", methods=["POST"])
@blp.arguments(StampsInSchema)
@blp.response(201, StampedSchema)
@blp.doc(**IDEMPOTENCY_DOC)
def give_stamps(payload: dict[str, Any], number: str) -> Response:
    """Give `count` stamps (a `stamp` operation); each fill issues a voucher for the stamp card's
    reward in the same transaction, stamps past it carry into the next fill. Errors: 404
    card_not_found, stamp_card_not_found, unknown_store; 409 stamp_card_inactive, wrong_store
    (not one of its stores), card_blocked, store_inactive; 422 invalid_count."""
    outcome = stamp_once(
        current_core().db,
        merchant_scope(),
        number,
        payload["stamp_card"],
        payload["count"],
        payload["store"],
        idempotency_key(),
    )
    return answer(outcome)

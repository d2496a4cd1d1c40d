"""Passes (merchant key): the kinds on sale, a card's passes, a sale and an entry. The sale and
the entry apply once per Idempotency-Key, as the till's do."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import Session

from ..context import current_core
from ..models import Pass, PassKind
from ..services import pass_sales, utcnow
from ..services.ledger import MAX_MONEY
from ..services.offers import MAX_ENTRIES, pass_status
from ..services.pass_sales import MAX_NAME, MAX_VALIDITY_DAYS, KindDetails
from .auth import authenticate
from .idempotent import IDEMPOTENCY_DOC, answer, idempotency_key, run_once
from .team import merchant_scope

blp = Blueprint("passes", __name__, description="Passes: kinds on sale, sales and entries (merchant key)")
blp.before_request(authenticate)


class PassKindChangesSchema(Schema):
    name = fields.String(validate=validate.Length(1, MAX_NAME))
    entries = fields.Integer(
        allow_none=True, validate=validate.Range(1, MAX_ENTRIES), metadata={"description": "None: unlimited"}
    )
    validity_days = fields.Integer(validate=validate.Range(1, MAX_VALIDITY_DAYS))
    price = fields.Integer(validate=validate.Range(1, MAX_MONEY), metadata={"description": "Minor units"})
    active = fields.Boolean(metadata={"description": "On sale"})


class PassKindInSchema(PassKindChangesSchema):
    name = fields.String(required=True, validate=validate.Length(1, MAX_NAME))
    entries = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, MAX_ENTRIES))
    validity_days = fields.Integer(required=True, validate=validate.Range(1, MAX_VALIDITY_DAYS))
    price = fields.Integer(required=True, validate=validate.Range(1, MAX_MONEY))
    active = fields.Boolean(load_default=True)


class PassKindSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    entries = fields.Integer(allow_none=True)
    validity_days = fields.Integer(required=True)
    price = fields.Integer(required=True)
    active = fields.Boolean(required=True)


class PassKindListSchema(Schema):
    kinds = fields.List(fields.Nested(PassKindSchema), required=True)


class SaleSchema(Schema):
    kind = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
    store = fields.String(required=True, validate=validate.Length(1, 32))


class EntrySchema(Schema):
    store = fields.String(required=True, validate=validate.Length(1, 32))


class HeldPassSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.Integer(allow_none=True, attribute="kind_id", metadata={"description": "None: not sold"})
    name = fields.String(required=True)
    entries_total = fields.Integer(allow_none=True)
    entries_left = fields.Integer(allow_none=True)
    valid_from = fields.DateTime(required=True)
    valid_until = fields.DateTime(required=True)
    status = fields.Method(
        "_status", required=True, metadata={"description": "active, upcoming, used_up, expired"}
    )

    def _status(self, held: Pass) -> str:
        return pass_status(held, utcnow()).value


class HeldPassListSchema(Schema):
    passes = fields.List(fields.Nested(HeldPassSchema), required=True)


class SoldSchema(Schema):
    pass_ = fields.Integer(required=True, data_key="pass")
    price = fields.Integer(required=True)


class EntryDoneSchema(Schema):
    pass_ = fields.Integer(required=True, data_key="pass")
    entries_left = fields.Integer(allow_none=True, metadata={"description": "None: unlimited"})


def _details(payload: dict[str, Any], kind: PassKind | None = None) -> KindDetails:
    current = (
        {name: getattr(kind, name) for name in ("name", "entries", "validity_days", "price", "active")}
        if kind
        else {}
    )
    return KindDetails(**(current | payload))


@blp.route("/pass-kinds", methods=["GET"])
@blp.response(200, PassKindListSchema)
def list_pass_kinds() -> dict[str, list[PassKind]]:
    with current_core().db.read() as session:
        return {"kinds": pass_sales.list_kinds(session, merchant_scope().merchant_id)}


@blp.route("/pass-kinds", methods=["POST"])
@blp.arguments(PassKindInSchema)
@blp.response(201, PassKindSchema)
@blp.doc(**IDEMPOTENCY_DOC)
def create_pass_kind(payload: dict[str, Any]) -> Response:
    """A kind of pass on sale, once per Idempotency-Key. Errors: 422 invalid_name, invalid_entries…"""
    reach, details = merchant_scope(), _details(payload)

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        return 201, PassKindSchema().dump(pass_sales.define_kind(session, reach, details))

    return run_once(reach.merchant_id, "pass-kinds", payload, work)


@blp.route("/pass-kinds/<int:kind_id>", methods=["PATCH"])
@blp.arguments(PassKindChangesSchema)
@blp.response(200, PassKindSchema)
def change_pass_kind(payload: dict[str, Any], kind_id: int) -> PassKind:
    """New sales follow the change; passes sold keep theirs. `active: false` takes it off sale."""
    reach = merchant_scope()
    with current_core().db.read() as session:
        kind = pass_sales.get_kind(session, reach.merchant_id, kind_id)
    return pass_sales.change_kind(current_core().db, reach, kind_id, _details(payload, kind))


@blp.route("/cards/<number>/passes", methods=["GET"])
@blp.response(200, HeldPassListSchema)
def list_card_passes(number: str) -> dict[str, list[Pass]]:
    with current_core().db.read() as session:
        return {"passes": pass_sales.card_passes(session, merchant_scope().merchant_id, number)[1]}


@blp.route("/cards/<number>/passes", methods=["POST"])
@blp.arguments(SaleSchema)
@blp.response(201, SoldSchema)
@blp.doc(**IDEMPOTENCY_DOC)
def sell_pass(payload: dict[str, Any], number: str) -> Response:
    """Sell a pass of a kind on sale to the card (a `pass_sale` operation at the store). Errors:
    404 card_not_found, pass_kind_not_found, unknown_store; 409 pass_kind_off_sale."""
    outcome = pass_sales.sell_pass(
        current_core().db, merchant_scope(), number, payload["kind"], payload["store"], idempotency_key()
    )
    return answer(outcome)


@blp.route("/passes/<int:pass_id>/entries", methods=["POST"])
@blp.arguments(EntrySchema)
@blp.response(201, EntryDoneSchema)
@blp.doc(**IDEMPOTENCY_DOC)
def record_entry(payload: dict[str, Any], pass_id: int) -> Response:
    """One entry of the pass (a `pass_entry` operation at the store). Errors: 404 pass_not_found;
    409 pass_used_up, pass_expired, pass_not_started."""
    outcome = pass_sales.record_entry(
        current_core().db, merchant_scope(), pass_id, payload["store"], idempotency_key()
    )
    return answer(outcome)

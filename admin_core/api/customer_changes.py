"""Changes to a customer card (merchant key: the admin's scope), the staff UI's services: the
details, a manual adjustment, blocking, a lost card's replacement; and the CSV export of a search."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import Session

from loyalty_common.rules import normalize_card_number

from ..context import current_core
from ..services import card_changes
from ..services.customer_details import CustomerChanges, change_customer
from ..services.customer_export import export_customers
from ..services.customer_search import CustomerFilters
from .auth import authenticate
from .customers import CustomerQuerySchema
from .idempotent import IDEMPOTENCY_DOC, run_once
from .team import merchant_scope

blp = Blueprint(
    "customer_changes",
    __name__,
    description="Changes to a customer card and the customers export (merchant key)",
)
blp.before_request(authenticate)


class CustomerChangesSchema(Schema):
    """Only what is sent changes; an empty text (or a null date of birth) removes a value."""

    first_name = fields.String(validate=validate.Length(max=1000))
    last_name = fields.String(validate=validate.Length(max=1000))
    email = fields.String(validate=validate.Length(max=1000))
    phone = fields.String(validate=validate.Length(max=1000))
    birth_date = fields.Date(allow_none=True)
    gender = fields.String(
        validate=validate.Length(max=100), metadata={"description": "female, male, other, undisclosed"}
    )
    locale = fields.String(
        validate=validate.Length(max=100), metadata={"description": "One of the merchant's languages"}
    )


class ChangedCustomerSchema(Schema):
    number = fields.String(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    birth_date = fields.Date(allow_none=True)
    gender = fields.String(allow_none=True)
    locale = fields.String(allow_none=True)


class AdjustmentInSchema(Schema):
    points = fields.Integer(load_default=0, metadata={"description": "Added; negative: taken"})
    credit = fields.Integer(load_default=0, metadata={"description": "Minor units; negative: taken"})
    reason = fields.String(required=True, validate=validate.Length(max=1000))


class AdjustmentSchema(Schema):
    operation = fields.Integer(required=True)
    number = fields.String(required=True)
    points = fields.Integer(required=True)
    credit = fields.Integer(required=True)


class BlockedSchema(Schema):
    number = fields.String(required=True)
    blocked = fields.Boolean(required=True)


class ReplacementInSchema(Schema):
    number = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=100),
        metadata={"description": "The new card's number; none: a new one is made"},
    )


class ReplacementSchema(Schema):
    number = fields.String(required=True, metadata={"description": "The card's new number"})
    replaced = fields.String(required=True, metadata={"description": "The old number, refused from now on"})


@blp.route("/<number>/details", methods=["PATCH"])
@blp.arguments(CustomerChangesSchema)
@blp.response(200, ChangedCustomerSchema)
def change(payload: dict[str, Any], number: str) -> dict[str, Any]:
    """Correct the holder's details and language. 422 with the field's code (`invalid_email`,
    `invalid_phone`, `invalid_birth_date`, …); 409 `email_taken` when another customer has it."""
    clear = "birth_date" in payload and payload["birth_date"] is None
    birth = payload.pop("birth_date", None)
    changes = CustomerChanges(**payload, birth_date=birth, clear_birth_date=clear)
    card = change_customer(current_core().db, merchant_scope(), number, changes)
    return {**vars(card.customer), "number": card.number}


@blp.route("/<number>/adjustments", methods=["POST"])
@blp.arguments(AdjustmentInSchema)
@blp.response(201, AdjustmentSchema)
@blp.doc(**IDEMPOTENCY_DOC)
def adjust(payload: dict[str, Any], number: str) -> Response:
    """A manual change of points and/or credit with its reason (an `adjustment` operation), once
    per Idempotency-Key. 409 `insufficient_points` / `insufficient_credit` below zero."""
    adjustment = card_changes.Adjustment(payload["points"], payload["credit"], payload["reason"])
    scope = merchant_scope()

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        return 201, card_changes.adjust(session, scope, number, adjustment)

    return run_once(
        scope.merchant_id, f"customers/{normalize_card_number(number)}/adjustments", payload, work
    )


@blp.route("/<number>/block", methods=["POST"])
@blp.response(200, BlockedSchema)
def block(number: str) -> dict[str, Any]:
    """Block a card: its portal login and its use at a till are refused (`card_blocked`)."""
    card = card_changes.set_blocked(current_core().db, merchant_scope(), number, True)
    return {"number": card.number, "blocked": True}


@blp.route("/<number>/unblock", methods=["POST"])
@blp.response(200, BlockedSchema)
def unblock(number: str) -> dict[str, Any]:
    card = card_changes.set_blocked(current_core().db, merchant_scope(), number, False)
    return {"number": card.number, "blocked": False}


@blp.route("/<number>/replacement", methods=["POST"])
@blp.arguments(ReplacementInSchema)
@blp.response(201, ReplacementSchema)
@blp.doc(**IDEMPOTENCY_DOC)
def replace(payload: dict[str, Any], number: str) -> Response:
    """A lost card: the new number takes over the customer, balances and history, once per
    Idempotency-Key; the old number answers 410 `card_replaced` from then on. 409 `card_exists`
    when the new number is taken."""
    scope = merchant_scope()

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        return 201, card_changes.replace(session, scope, number, payload["number"])

    return run_once(
        scope.merchant_id, f"customers/{normalize_card_number(number)}/replacement", payload, work
    )


@blp.route("/export.csv", methods=["GET"])
@blp.arguments(CustomerQuerySchema(exclude=("cursor", "limit")), location="query")
@blp.response(
    200, {"type": "string"}, content_type="text/csv", description="The customers, newest card first"
)
def export(query: dict[str, Any]) -> Response:
    """Every customer the search finds, as CSV (UTF-8 with a BOM; cells that would start a
    formula begin with an apostrophe), streamed. The e-mail address and phone are given only for
    customers who consented to marketing (the columns `…_if_marketing_consent`)."""
    filters = CustomerFilters(query["marketing"], query["source"], query["store"], query["group"])
    chunks = export_customers(current_core().db, merchant_scope(), query["q"], filters)
    return Response(
        chunks,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="customers.csv"'},
    )

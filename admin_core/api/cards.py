"""Cards and their ledger: what a till or an integration calls with a merchant's key."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from flask_smorest import Blueprint
from sqlalchemy.orm import Session

from ..context import current_core
from ..errors import Invalid
from ..services import idempotency
from ..services.cards import get_card, normalize_number
from ..services.ledger import OperationRequest, record_operation
from .auth import authenticate, scope
from .schemas import (
    CardSchema,
    OperationInSchema,
    OperationResultSchema,
    card_body,
    operation_body,
)

blp = Blueprint("cards", __name__, description="Cards, balances and ledger operations")
blp.before_request(authenticate)


@blp.route("/<number>", methods=["GET"])
@blp.response(200, CardSchema)
def read_card(number: str) -> dict[str, Any]:
    merchant = scope().merchant
    with current_core().db.read() as session:
        return card_body(get_card(session, merchant.id, number), merchant)


@blp.route("/<number>/operations", methods=["POST"])
@blp.arguments(OperationInSchema)
@blp.response(201, OperationResultSchema)
@blp.doc(
    parameters=[
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": True,
            "schema": {"type": "string"},
        }
    ]
)
def post_operation(payload: dict[str, Any], number: str) -> Response:
    """Record an operation once per Idempotency-Key; a replay answers the first result."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not 1 <= len(key) <= 255:
        raise Invalid(
            "idempotency_key_required",
            "Send an Idempotency-Key header (1-255 characters).",
        )
    merchant = scope().merchant
    operation = OperationRequest(
        kind=payload["kind"],
        amount=payload["amount"],
        store_code=payload["store"],
        discount=payload["discount"],
    )

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        recorded, card = record_operation(session, merchant.id, number, operation)
        return 201, operation_body(recorded, card, merchant)

    fingerprint = idempotency.request_fingerprint(
        "POST",
        f"cards/{normalize_number(number)}/operations",
        {**payload, "kind": operation.kind.value},
    )
    outcome = idempotency.run_once(current_core().db, merchant.id, key, fingerprint, work)
    response = jsonify(outcome.body)
    response.status_code = outcome.status
    response.headers["Idempotent-Replayed"] = "true" if outcome.replayed else "false"
    return response

"""Cards and their ledger: what a till or an integration calls with a merchant's key."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint
from sqlalchemy.orm import Session

from loyalty_common.rules import normalize_card_number

from ..context import current_core
from ..models import OperationKind
from ..services import utcnow
from ..services.cards import get_card
from ..services.earning import record_purchase
from ..services.ledger import OperationRequest, record_operation
from ..services.program import tier_progress
from ..services.staff import StaffScope
from ..services.voids import void_operation
from .auth import authenticate, scope
from .idempotent import IDEMPOTENCY_DOC, run_once
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
        card = get_card(session, merchant.id, number)
        tier = tier_progress(session, merchant, card, utcnow())
        return card_body(card, merchant, tier.current if tier else None)


@blp.route("/<number>/operations", methods=["POST"])
@blp.arguments(OperationInSchema)
@blp.response(201, OperationResultSchema)
@blp.doc(**IDEMPOTENCY_DOC)
def post_operation(payload: dict[str, Any], number: str) -> Response:
    """Record an operation once per Idempotency-Key; a replay answers the first result."""
    merchant = scope().merchant
    operation = OperationRequest(
        kind=OperationKind(payload["kind"]),
        amount=payload["amount"],
        store_code=payload["store"],
        discount=payload["discount"],
    )

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        if operation.kind is OperationKind.PURCHASE:
            recorded, card, calculation = record_purchase(
                session, merchant.id, number, operation.amount, operation.store_code
            )
            return 201, operation_body(recorded, card, merchant, calculation.body())
        recorded, card = record_operation(session, merchant.id, number, operation)
        return 201, operation_body(recorded, card, merchant)

    return run_once(
        merchant.id,
        f"cards/{normalize_card_number(number)}/operations",
        payload,
        work,
    )


@blp.route("/<number>/operations/<int:operation_id>/void", methods=["POST"])
@blp.response(201, OperationResultSchema)
@blp.doc(**IDEMPOTENCY_DOC)
def void(number: str, operation_id: int) -> Response:
    """Reverse an operation recorded by mistake: a `void` operation linked to it (the original
    stays). Errors: 404 operation_not_found; 409 already_voided, not_voidable (rewards come back
    by cancelling the voucher), void_below_zero (its points or credit were used since)."""
    merchant = scope().merchant
    reach = StaffScope.merchant(merchant.id)

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        reversal, card = void_operation(session, reach, number, operation_id)
        return 201, operation_body(reversal, card, merchant)

    path = f"cards/{normalize_card_number(number)}/operations/{operation_id}/void"
    return run_once(merchant.id, path, {}, work)

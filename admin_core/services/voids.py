"""An operation recorded by mistake is voided: a reversing operation, linked to it, is added (the
ledger keeps both; nothing is deleted). Once only, by a manager (at their store) or the admin, and
never so that a balance would go below zero."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from ..errors import Conflict, NotFound
from ..models import Card, Operation, OperationKind, StaffLevel
from . import utcnow
from .cards import get_card
from .ledger import Change, apply_change
from .staff import StaffScope

# What a till, an integration or an adjustment recorded. A reward's points come back by cancelling
# its voucher; expiry and refunds follow from other records; a void is not voided.
VOIDABLE = frozenset(
    {
        OperationKind.PURCHASE,
        OperationKind.EARN_POINTS,
        OperationKind.REDEEM_POINTS,
        OperationKind.TOPUP_CREDIT,
        OperationKind.SPEND_CREDIT,
        OperationKind.ADJUSTMENT,
    }
)


def voided_among(session: Session, operation_ids: Iterable[int]) -> set[int]:
    """Which of these operations have been voided: one statement."""
    ids = list(operation_ids)
    if not ids:
        return set()
    found = session.scalars(select(Operation.reverses_id).where(Operation.reverses_id.in_(ids)))
    return {each for each in found if each is not None}


def may_void(scope: StaffScope, operation: Operation, voided: set[int]) -> bool:
    """Whether the till offers to void it (the service decides again, under the card's lock)."""
    return (
        scope.level in (StaffLevel.ADMIN, StaffLevel.MANAGER)
        and operation.kind in VOIDABLE
        and operation.id not in voided
        and (scope.store_id is None or operation.store_id == scope.store_id)
    )


def find_operation(session: Session, scope: StaffScope, card: Card, operation_id: int) -> Operation:
    """One of the card's operations within reach: a manager's are those of their store."""
    operation = session.scalar(
        select(Operation).options(joinedload(Operation.store)).where(Operation.id == operation_id)
    )
    if (
        operation is None
        or operation.card_id != card.id
        or (scope.store_id is not None and operation.store_id != scope.store_id)
    ):
        raise NotFound("operation_not_found", "This card has no such operation.")
    return operation


def void_operation(
    session: Session, scope: StaffScope, number: str, operation_id: int, now: datetime | None = None
) -> tuple[Operation, Card]:
    """The reversing operation, inside the caller's write transaction; the card row is locked first,
    so of two voids at once the second sees the first."""
    scope.require(StaffLevel.ADMIN, StaffLevel.MANAGER)
    card = get_card(session, scope.merchant_id, number, for_update=True)
    original = find_operation(session, scope, card, operation_id)
    if original.kind not in VOIDABLE:
        raise Conflict("not_voidable", f"An operation of kind '{original.kind.value}' cannot be voided.")
    if voided_among(session, [original.id]):
        raise Conflict("already_voided", "This operation has been voided already.")
    if card.points < original.points or card.credit < original.credit:
        raise Conflict(
            "void_below_zero",
            "Voiding it would take the card below zero: the points or credit it gave have been used since.",
        )
    change = Change(
        OperationKind.VOID,
        -original.points,
        -original.credit,
        -original.discount,
        staff_id=scope.staff_id,
        reverses_id=original.id,
    )
    try:
        with session.begin_nested():
            void = apply_change(session, card, original.store, change, now or utcnow())
    except IntegrityError:  # the unique reverses_id: a void got in first after all
        raise Conflict("already_voided", "This operation has been voided already.") from None
    return void, card

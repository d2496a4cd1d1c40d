"""The points and credit ledger. Every change to a balance is an operation row and an update of the
card's materialised balances in the same transaction, so a balance read never scans history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from loyalty_common.error_codes import Code

from ..errors import Conflict, Invalid
from ..models import Card, Operation, OperationKind, Store
from . import utcnow
from .cards import get_card, usable
from .merchants import find_store, require_active

MAX_POINTS = 1_000_000
MAX_MONEY = 10_000_000  # minor units: 100,000.00 in the merchant's currency

# The kinds a till or an integration posts, with the sign of their (points, credit) change. The
# ledger's other kinds (a voucher's points and their refund, expiry, corrections) are written by
# the services they belong to, never posted.
POSTED: dict[OperationKind, tuple[int, int]] = {
    OperationKind.EARN_POINTS: (1, 0),
    OperationKind.REDEEM_POINTS: (-1, 0),
    OperationKind.TOPUP_CREDIT: (0, 1),
    OperationKind.SPEND_CREDIT: (0, -1),
}


@dataclass(frozen=True)
class OperationRequest:
    kind: OperationKind
    amount: int
    store_code: str
    discount: int = 0


def _check(request: OperationRequest) -> None:
    if request.kind not in POSTED:
        raise Invalid("invalid_kind", f"Operations of kind '{request.kind.value}' cannot be posted.")
    limit = (
        MAX_POINTS if request.kind in (OperationKind.EARN_POINTS, OperationKind.REDEEM_POINTS) else MAX_MONEY
    )
    if not 0 < request.amount <= limit:
        raise Invalid("invalid_amount", f"The amount must be between 1 and {limit}.")
    if not 0 <= request.discount <= MAX_MONEY:
        raise Invalid("invalid_discount", f"The discount must be between 0 and {MAX_MONEY}.")


def _deltas(kind: OperationKind, amount: int) -> tuple[int, int]:
    """(points, credit) change of an operation."""
    points, credit = POSTED[kind]
    return points * amount, credit * amount


def record_operation(
    session: Session,
    merchant_id: int,
    number: str,
    request: OperationRequest,
    now: datetime | None = None,
    staff_id: int | None = None,
) -> tuple[Operation, Card]:
    """Apply one operation inside the caller's write transaction; the card row is locked first,
    and a blocked card refused. `staff_id`: who recorded it at a till."""
    _check(request)
    store = store_named(session, merchant_id, request.store_code)
    card = usable(get_card(session, merchant_id, number, for_update=True))
    points, credit = _deltas(request.kind, request.amount)
    change = Change(request.kind, points, credit, request.discount, staff_id=staff_id)
    return apply_change(session, card, store, change, now or utcnow()), card


def store_named(session: Session, merchant_id: int, code: str) -> Store:
    """The merchant's store of `code`, which records operations (not switched off)."""
    store = find_store(session, merchant_id, code)
    if store is None:
        raise Invalid("unknown_store", f"No store '{code}' at this merchant.")
    require_active(store)
    return store


@dataclass(frozen=True)
class Change:
    """What one operation does to a card's balances, and what it remembers."""

    kind: OperationKind
    points: int
    credit: int = 0
    discount: int = 0
    staff_id: int | None = None
    description: str | None = None
    purchase_amount: int | None = None
    reverses_id: int | None = None


def apply_change(
    session: Session, card: Card, store: Store | None, change: Change, now: datetime
) -> Operation:
    """The operation row and the balances of `card`, locked by the caller, in its transaction; a
    balance never goes below zero."""
    if card.points + change.points < 0:
        raise Conflict(Code.INSUFFICIENT_POINTS, "The card does not have enough points.")
    if card.credit + change.credit < 0:
        raise Conflict("insufficient_credit", "The card does not have enough prepaid credit.")
    card.points += change.points
    card.credit += change.credit
    card.discount += change.discount
    card.last_activity_at = now
    operation = Operation(
        card_id=card.id,
        store=store,
        kind=change.kind,
        points=change.points,
        credit=change.credit,
        discount=change.discount,
        description=change.description,
        staff_id=change.staff_id,
        purchase_amount=change.purchase_amount,
        reverses_id=change.reverses_id,
        created_at=now,
    )
    session.add(operation)
    session.flush()
    return operation

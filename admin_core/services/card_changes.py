"""What the merchant's admin does to a card on the customer card: a manual adjustment of points
or credit with its reason, blocking and unblocking, and a lost card's replacement.

A replacement gives the card's row its new number, so the customer, the balances, the history,
the vouchers and the portal password all stay with it; a new row keeps the old number taken and
names the card that took over (`replaced_by_id`): that number is refused everywhere afterwards
(`card_replaced`), and the staff's lookup of it leads to the new one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from loyalty_common.rules import normalize_card_number

from ..database import Database
from ..errors import Conflict, Invalid
from ..models import Card, Merchant, OperationKind
from . import utcnow
from .cards import CARD_NUMBER, get_card
from .customer_details import EDITORS
from .idempotency import Outcome, request_fingerprint, run_once
from .ledger import MAX_MONEY, MAX_POINTS, Change, apply_change
from .signup import NUMBER_ATTEMPTS, new_card_number
from .staff import StaffScope
from .till import MONEY_KINDS, amount_of

MAX_REASON = 200  # the operation's description


@dataclass(frozen=True)
class Adjustment:
    points: int = 0  # added (or, negative, taken)
    credit: int = 0  # minor units, likewise
    reason: str = ""


def typed_change(typed: str, kind: OperationKind, currency: str) -> int:
    """A signed amount as the staff typed it ("-2,50" of credit, "+40" points); empty: 0."""
    text = typed.strip()
    if not text:
        return 0
    sign = -1 if text.startswith("-") else 1
    try:
        return sign * amount_of(kind, text.removeprefix("-").removeprefix("+"), currency)
    except Invalid:
        code = "invalid_credit_change" if kind in MONEY_KINDS else "invalid_points_change"
        raise Invalid(code, "Not an amount the ledger takes.") from None


def checked_adjustment(adjustment: Adjustment) -> Adjustment:
    """Refused when it changes nothing, goes beyond the ledger's limits or gives no reason."""
    if not (adjustment.points or adjustment.credit):
        raise Invalid("empty_adjustment", "Change the points, the credit or both.")
    if abs(adjustment.points) > MAX_POINTS:
        raise Invalid("invalid_points_change", f"Points change by at most {MAX_POINTS}.")
    if abs(adjustment.credit) > MAX_MONEY:
        raise Invalid("invalid_credit_change", f"Credit changes by at most {MAX_MONEY} minor units.")
    reason = " ".join(adjustment.reason.split())
    if not reason:
        raise Invalid("reason_required", "Say why the balances change.")
    if len(reason) > MAX_REASON:
        raise Invalid("reason_too_long", f"A reason is at most {MAX_REASON} characters.")
    return Adjustment(adjustment.points, adjustment.credit, reason)


def adjust(session: Session, scope: StaffScope, number: str, adjustment: Adjustment) -> dict[str, object]:
    """An `adjustment` operation recorded by the scope's staff member (None: the merchant's key),
    inside the caller's transaction; a blocked card may be corrected too. The answer to store."""
    scope.require(*EDITORS)
    wanted = checked_adjustment(adjustment)
    card = get_card(session, scope.merchant_id, number, for_update=True)
    change = Change(
        OperationKind.ADJUSTMENT,
        wanted.points,
        wanted.credit,
        staff_id=scope.staff_id,
        description=wanted.reason,
    )
    operation = apply_change(session, card, None, change, utcnow())
    return {"operation": operation.id, "number": card.number, "points": card.points, "credit": card.credit}


def replace(session: Session, scope: StaffScope, number: str, new_number: str | None) -> dict[str, object]:
    """Card `number` takes `new_number` (None: a new one like a web sign-up's), inside the
    caller's transaction. Of two replacements of one card, the first wins; the other finds the
    old number replaced. A blocked card's block stays with the lost card: the new one works."""
    scope.require(*EDITORS)
    given = normalize_card_number(new_number) if new_number and new_number.strip() else None
    if given is not None and not CARD_NUMBER.match(given):
        raise Invalid("invalid_card_number", "A card number is 4-32 letters or digits.")
    card = get_card(session, scope.merchant_id, number, for_update=True)
    if given == card.number:
        raise Invalid("same_number", "The new card needs a number of its own.")
    prefix = session.get_one(Merchant, scope.merchant_id).card_prefix
    old = card.number
    for _attempt in range(1 if given else NUMBER_ATTEMPTS):
        try:
            with session.begin_nested():
                card.number = given or new_card_number(prefix)
                card.blocked_at = None
                session.flush()  # the old number is free for the row that keeps it
                session.add(
                    Card(
                        merchant_id=card.merchant_id,
                        customer_id=card.customer_id,
                        number=old,
                        replaced_by_id=card.id,
                        created_at=utcnow(),
                    )
                )
            return {"number": card.number, "replaced": old}
        except IntegrityError:
            session.refresh(card)
    if given:
        raise Conflict("card_exists", f"Card {given} exists already.")
    raise Conflict("card_numbers_exhausted", "No free card number was found; try again.")


def once(
    db: Database,
    scope: StaffScope,
    key: str,
    what: list[object],
    work: Callable[[Session], dict[str, object]],
) -> Outcome:
    """A write of the staff UI once per page view (`key`): a double submit answers the first."""
    fingerprint = request_fingerprint("STAFF", "customer-card", [*what, scope.staff_id])
    return run_once(db, scope.merchant_id, f"staff:{key}", fingerprint, lambda session: (201, work(session)))


def set_blocked(db: Database, scope: StaffScope, number: str, blocked: bool) -> Card:
    """Blocking ends the card's portal sessions; unblocking lets it log in and buy again."""
    scope.require(*EDITORS)
    with db.write() as session:
        card = get_card(session, scope.merchant_id, number, for_update=True)
        if blocked and card.blocked_at is None:
            card.blocked_at = utcnow()
            card.credentials_version += 1
        elif not blocked:
            card.blocked_at = None
    return card


def earlier_numbers(session: Session, card: Card) -> list[str]:
    """The numbers this card had before it replaced lost ones, the latest first."""
    return list(
        session.scalars(select(Card.number).where(Card.replaced_by_id == card.id).order_by(Card.id.desc()))
    )

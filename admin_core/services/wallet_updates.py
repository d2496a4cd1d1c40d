"""A pass follows its card: whatever changes what the pass shows (a ledger operation, a voucher
taken or cancelled, expiry, an import, the holder's name) marks the card's pass changed and owes
each device that registered it a push, in the same transaction as the change. Sending is
`core send-pushes`' work, never the request's."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect, or_, select
from sqlalchemy.orm import Session

from ..models import Card, Customer, WalletPass, WalletPush, WalletRegistration
from . import utcnow
from .wallet_devices import touch

CARD_SHOWN = ("points", "credit", "number")  # tier and next reward follow the points
HOLDER_SHOWN = ("first_name", "last_name")


def _changed(instance: object, names: tuple[str, ...]) -> bool:
    attributes = inspect(instance).attrs
    return any(attributes[name].history.has_changes() for name in names)


def changed_cards(session: Session) -> tuple[set[int], set[int]]:
    """(card ids, customer ids) whose pass shows something this flush changes."""
    cards = {each.id for each in session.dirty if isinstance(each, Card) and _changed(each, CARD_SHOWN)}
    customers = {
        each.id for each in session.dirty if isinstance(each, Customer) and _changed(each, HOLDER_SHOWN)
    }
    return cards, customers


def mark_passes_changed(session: Session, card_ids: set[int], customer_ids: set[int]) -> int:
    """Touch the passes of these cards and queue a push for each registration that has none
    waiting (one not yet taken by a worker: a push already on its way may have left before this
    change). Answers the pushes queued."""
    conditions = []
    if card_ids:
        conditions.append(WalletPass.card_id.in_(card_ids))
    if customer_ids:
        conditions.append(WalletPass.card_id.in_(select(Card.id).where(Card.customer_id.in_(customer_ids))))
    if not conditions:
        return 0
    now = utcnow()
    with session.no_autoflush:
        passes = list(session.scalars(select(WalletPass).where(or_(*conditions))))
        if not passes:
            return 0
        for wallet_pass in passes:
            touch(wallet_pass, now)
        registrations = select(WalletRegistration.id).where(
            WalletRegistration.pass_id.in_([each.id for each in passes])
        )
        waiting = select(WalletPush.registration_id).where(
            WalletPush.registration_id.in_(registrations),
            WalletPush.sent_at.is_(None),
            WalletPush.failed_at.is_(None),
            WalletPush.locked_until.is_(None),
        )
        owed = list(session.scalars(registrations.where(WalletRegistration.id.not_in(waiting))))
    session.add_all(WalletPush(registration_id=each, created_at=now, next_attempt_at=now) for each in owed)
    return len(owed)


@event.listens_for(Session, "before_flush")
def _follow_cards(session: Session, _context: Any, _instances: Any) -> None:
    card_ids, customer_ids = changed_cards(session)
    if card_ids or customer_ids:
        mark_passes_changed(session, card_ids, customer_ids)

"""A pass follows its card: whatever changes what the pass shows (a ledger operation, a voucher
taken or cancelled, expiry, an import, the holder's name) marks the card's pass changed and owes
each device that registered it a push, and the card's Google Wallet object a patch, in the same
transaction as the change. Sending is `core send-pushes`' work, never the request's."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, event, inspect, or_, select
from sqlalchemy.orm import Session

from ..models import Card, Customer, GoogleWalletObject, WalletPass, WalletPush, WalletRegistration
from . import utcnow
from .wallet_devices import touch

# Tier and next reward follow the points; a blocked card turns inactive in Google Wallet.
CARD_SHOWN = ("points", "credit", "number", "blocked_at")
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


def _of_cards(column: Any, card_ids: set[int], customer_ids: set[int]) -> ColumnElement[bool]:
    conditions = []
    if card_ids:
        conditions.append(column.in_(card_ids))
    if customer_ids:
        conditions.append(column.in_(select(Card.id).where(Card.customer_id.in_(customer_ids))))
    return or_(*conditions)


def _waiting(column: Any, targets: Select[Any]) -> Select[Any]:
    """The targets that have a push waiting (not yet taken by a worker: a push already on its way
    may have left before this change)."""
    return select(column).where(
        column.in_(targets),
        WalletPush.sent_at.is_(None),
        WalletPush.failed_at.is_(None),
        WalletPush.locked_until.is_(None),
    )


def mark_passes_changed(session: Session, card_ids: set[int], customer_ids: set[int]) -> int:
    """Touch the Apple passes of these cards and queue a push for each registration, and a patch
    for each Google object, that has none waiting. Answers the pushes queued."""
    if not card_ids and not customer_ids:
        return 0
    now = utcnow()
    with session.no_autoflush:
        passes = list(
            session.scalars(select(WalletPass).where(_of_cards(WalletPass.card_id, card_ids, customer_ids)))
        )
        for wallet_pass in passes:
            touch(wallet_pass, now)
        registrations = select(WalletRegistration.id).where(
            WalletRegistration.pass_id.in_([each.id for each in passes])
        )
        owed = (
            list(
                session.scalars(
                    registrations.where(
                        WalletRegistration.id.not_in(_waiting(WalletPush.registration_id, registrations))
                    )
                )
            )
            if passes
            else []
        )
        objects = select(GoogleWalletObject.id).where(
            _of_cards(GoogleWalletObject.card_id, card_ids, customer_ids)
        )
        patches = list(
            session.scalars(
                objects.where(GoogleWalletObject.id.not_in(_waiting(WalletPush.google_object_id, objects)))
            )
        )
    session.add_all(WalletPush(registration_id=each, created_at=now, next_attempt_at=now) for each in owed)
    session.add_all(
        WalletPush(google_object_id=each, created_at=now, next_attempt_at=now) for each in patches
    )
    return len(owed) + len(patches)


@event.listens_for(Session, "before_flush")
def _follow_cards(session: Session, _context: Any, _instances: Any) -> None:
    card_ids, customer_ids = changed_cards(session)
    if card_ids or customer_ids:
        mark_passes_changed(session, card_ids, customer_ids)

"""Stamps given at a till: a `stamp` operation in the ledger (no balance changes), the card's
progress on the stamp card, and a voucher for its reward each time the card fills. The loyalty
card's row is locked first, so concurrent stamps on one card run one after another: exactly one
of them fills it. Stamps past a fill carry into the next one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..database import MAX_ID, Database
from ..errors import Conflict, Invalid, NotFound
from ..models import Card, Operation, OperationKind, StampCard, StampProgress, Voucher
from . import utcnow
from .cards import get_card, usable
from .idempotency import Outcome, request_fingerprint, run_once
from .staff import StaffScope
from .stamp_cards import active_stamp_cards
from .vouchers import issue_voucher

MAX_STAMPS = 100  # given at once


@dataclass(frozen=True)
class Stamped:
    operation: Operation
    card: Card
    progress: StampProgress
    stamp_card: StampCard
    vouchers: list[Voucher]


def _stamp_card(session: Session, merchant_id: int, stamp_card_id: int) -> StampCard:
    stamp_card = session.get(StampCard, stamp_card_id) if 0 < stamp_card_id <= MAX_ID else None
    if stamp_card is None or stamp_card.merchant_id != merchant_id:
        raise NotFound("stamp_card_not_found", "No such stamp card.")
    if not stamp_card.active:
        raise Conflict("stamp_card_inactive", "This stamp card is switched off.")
    return stamp_card


def progress_of(session: Session, card_id: int, stamp_card_id: int) -> StampProgress | None:
    return session.get(StampProgress, (card_id, stamp_card_id))


def give_stamps(
    session: Session,
    scope: StaffScope,
    number: str,
    stamp_card_id: int,
    count: int,
    store_code: str | None,
    now: datetime | None = None,
) -> Stamped:
    """Inside the caller's write transaction, at a store within `scope` (without a code, one's
    own)."""
    now = now or utcnow()
    merchant_id = scope.merchant_id
    if not 1 <= count <= MAX_STAMPS:
        raise Invalid("invalid_count", f"Give 1-{MAX_STAMPS} stamps at once.")
    card = get_card(session, merchant_id, number, for_update=True)
    stamp_card = _stamp_card(session, merchant_id, stamp_card_id)
    store = scope.store_at_till(session, store_code)
    if stamp_card.stores and store not in stamp_card.stores:
        where = ", ".join(each.name for each in stamp_card.stores)
        raise Conflict("wrong_store", f"This stamp card takes stamps only at: {where}.")
    usable(card)
    progress = progress_of(session, card.id, stamp_card.id)
    if progress is None:
        progress = StampProgress(card_id=card.id, stamp_card_id=stamp_card.id, stamps=0, filled=0)
        session.add(progress)
    fills, progress.stamps = divmod(progress.stamps + count, stamp_card.stamps_needed)
    progress.filled += fills
    progress.updated_at = now
    card.last_activity_at = now
    operation = Operation(
        card_id=card.id,
        store=store,
        kind=OperationKind.STAMP,
        description=stamp_card.name,
        staff_id=scope.staff_id,
        stamp_card_id=stamp_card.id,
        stamps=count,
        created_at=now,
    )
    session.add(operation)
    days = stamp_card.voucher_valid_days
    vouchers = [
        issue_voucher(session, merchant_id, card, stamp_card.reward, now, gift_days=days)
        for _ in range(fills)
    ]
    session.flush()
    return Stamped(operation, card, progress, stamp_card, vouchers)


def stamped_body(done: Stamped) -> dict[str, Any]:
    return {
        "operation": done.operation.id,
        "stamp_card": done.stamp_card.id,
        "stamps": done.progress.stamps,
        "stamps_needed": done.stamp_card.stamps_needed,
        "filled": done.progress.filled,
        "vouchers": [voucher.code for voucher in done.vouchers],
    }


def stamp_once(
    db: Database,
    scope: StaffScope,
    number: str,
    stamp_card_id: int,
    count: int,
    store_code: str | None,
    attempt: str,
) -> Outcome:
    """Once per `attempt` (the till's page view, an integration's Idempotency-Key)."""
    fingerprint = request_fingerprint("STAMP", number, [stamp_card_id, count, store_code, scope.staff_id])

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        return 201, stamped_body(give_stamps(session, scope, number, stamp_card_id, count, store_code))

    return run_once(db, scope.merchant_id, f"till:{attempt}", fingerprint, work)


def card_progress(
    session: Session, card_id: int, stamp_cards: list[StampCard]
) -> list[tuple[StampCard, int]]:
    """Each stamp card with the stamps on the card's current fill (none yet: 0)."""
    found = session.scalars(
        select(StampProgress).where(
            StampProgress.card_id == card_id,
            StampProgress.stamp_card_id.in_([each.id for each in stamp_cards]),
        )
    )
    stamps = {row.stamp_card_id: row.stamps for row in found}
    return [(each, stamps.get(each.id, 0)) for each in stamp_cards]


def stamp_cards_of(session: Session, merchant_id: int, card_id: int) -> list[tuple[StampCard, int]]:
    """The merchant's active stamp cards with the card's stamps on each (none yet: 0), in one
    statement: what the portal's dashboard shows."""
    rows = session.execute(
        select(StampCard, StampProgress.stamps)
        .outerjoin(
            StampProgress,
            (StampProgress.stamp_card_id == StampCard.id) & (StampProgress.card_id == card_id),
        )
        .where(StampCard.merchant_id == merchant_id, StampCard.active.is_(True))
        .order_by(StampCard.id)
    ).all()
    return [(stamp_card, stamps or 0) for stamp_card, stamps in rows]


def stamps_at_till(session: Session, scope: StaffScope, card_id: int) -> list[tuple[StampCard, int]]:
    """The active stamp cards the staff member can stamp at one of their stores."""
    stores = set(scope.stores(session))
    offered = [
        each
        for each in active_stamp_cards(session, scope.merchant_id)
        if not each.stores or stores.intersection(each.stores)
    ]
    return card_progress(session, card_id, offered)

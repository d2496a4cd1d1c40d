"""A card's operations, newest first, a page at a time.

Keyset pagination: a page is read from the index on (card_id, created_at) starting just past a
cursor, the (created_at, id) of the last row seen, so every page costs the same however long the
history. The id breaks ties between operations recorded in the same instant.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ..database import MAX_ID
from ..errors import Invalid
from ..models import Operation, OperationKind, Store
from .cards import get_card

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_CURSOR = 120  # characters of an encoded cursor; anything longer is not one of ours


class Cursor(NamedTuple):
    """Where a page ends: the (created_at, id) of its last (or, going back, first) row."""

    created_at: datetime
    id: int


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    created_at: datetime
    kind: OperationKind
    points: int
    credit: int
    discount: int
    description: str | None  # a reward's name for `reward` operations
    store_code: str | None
    store_name: str | None
    stamps: int | None  # given by a `stamp` operation, on the stamp card its description names
    purchase_amount: int | None  # a purchase's receipt, minor units


@dataclass(frozen=True)
class HistoryPage:
    entries: list[HistoryEntry]
    older: Cursor | None  # pass as `before` for the next (older) page; None: this is the last
    newer: Cursor | None  # pass as `after` for the previous (newer) page; None: this is the first


def encode_cursor(cursor: Cursor) -> str:
    """Opaque to clients: they hand back what they were given."""
    raw = f"{cursor.created_at.isoformat()}|{cursor.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> Cursor:
    invalid = Invalid("invalid_cursor", "This page cursor is not valid; start from the first page.")
    if not 0 < len(text) <= MAX_CURSOR:
        raise invalid
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True).decode()
        when, _, row = raw.partition("|")
        created_at = datetime.fromisoformat(when)
        row_id = int(row)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise invalid from None
    if created_at.tzinfo is None or not 0 < row_id <= MAX_ID:
        raise invalid
    return Cursor(created_at, row_id)


def card_history(
    session: Session,
    merchant_id: int,
    number: str,
    *,
    before: Cursor | None = None,
    after: Cursor | None = None,
    limit: int = DEFAULT_LIMIT,
) -> HistoryPage:
    """One page of a card's operations, newest first: the newest ones, or those older than
    `before`, or those newer than `after`. Two statements: the card, then the page with its stores."""
    if before is not None and after is not None:
        raise Invalid("invalid_cursor", "Give either 'before' or 'after', not both.")
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid("invalid_limit", f"The limit must be between 1 and {MAX_LIMIT}.")
    card = get_card(session, merchant_id, number)
    query = (
        select(Operation, Store.code, Store.name)
        .outerjoin(Store, Store.id == Operation.store_id)
        .where(Operation.card_id == card.id)
        .limit(limit + 1)  # one more tells whether another page follows
    )
    # `created_at <= t AND (created_at < t OR id < i)` rather than a row comparison: the first
    # half bounds the index range scan on every backend, the second settles ties on the instant.
    if after is not None:
        query = query.where(
            Operation.created_at >= after.created_at,
            or_(Operation.created_at > after.created_at, Operation.id > after.id),
        ).order_by(Operation.created_at.asc(), Operation.id.asc())
    else:
        if before is not None:
            query = query.where(
                and_(
                    Operation.created_at <= before.created_at,
                    or_(Operation.created_at < before.created_at, Operation.id < before.id),
                )
            )
        query = query.order_by(Operation.created_at.desc(), Operation.id.desc())
    rows = session.execute(query).all()
    more = len(rows) > limit
    entries = [
        HistoryEntry(
            id=operation.id,
            created_at=operation.created_at,
            kind=operation.kind,
            points=operation.points,
            credit=operation.credit,
            discount=operation.discount,
            description=operation.description,
            store_code=code,
            store_name=name,
            stamps=operation.stamps,
            purchase_amount=operation.purchase_amount,
        )
        for operation, code, name in rows[:limit]
    ]
    if after is not None:
        entries.reverse()
        # Going back towards the newest: the page we came from is older than this one.
        older = _cursor(entries[-1]) if entries else None
        newer = _cursor(entries[0]) if more else None
    else:
        older = _cursor(entries[-1]) if more else None
        newer = _cursor(entries[0]) if before is not None and entries else None
    return HistoryPage(entries, older, newer)


def _cursor(entry: HistoryEntry) -> Cursor:
    return Cursor(entry.created_at, entry.id)

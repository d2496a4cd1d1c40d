"""Staff find a customer: by the start of a name (either order), an e-mail address, a phone number
or a card number, in any case and with or without accents, across the merchant's stores (a
customer of another shop of the chain shows up at this one's till), newest card first.

What is typed is folded like the keys (models/search_keys.py) and, by its shape, looked for in
some of them: an address with "@" in the e-mail keys; digits (with spaces, "+", dashes) in the
phone keys and card numbers; anything else in the name keys, the e-mail keys and card numbers.
Each key is one indexed prefix range per merchant, a separate branch of a UNION, each branch
already cut to the page (keyset on the card's id): a page costs a few index range scans, never a
scan of the table. A cursor names the last card seen and the search it belongs to.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, select, union
from sqlalchemy.orm import Session

from ..database import MAX_ID
from ..errors import Invalid
from ..models import Card, Customer, CustomerSource, Store
from ..models.search_keys import fold
from .cards import CURRENT
from .customer_filters import MAX_QUERY, NO_FILTERS, CustomerFilters, matches
from .customer_filters import conditions as filter_conditions
from .staff import StaffScope

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass(frozen=True)
class CustomerRow:
    card_id: int
    number: str
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    points: int
    credit: int
    discount: int
    store_code: str | None
    store_name: str | None
    source: CustomerSource | None
    marketing_consent: bool
    signed_up_at: datetime


# CustomerRow's fields by name: plain columns, no ORM objects (an export reads a million).
ROW_COLUMNS = (
    Card.id.label("card_id"),
    Card.number,
    Customer.first_name,
    Customer.last_name,
    Customer.email,
    Customer.phone,
    Card.points,
    Card.credit,
    Card.discount,
    Store.code.label("store_code"),
    Store.name.label("store_name"),
    Customer.source,
    Customer.marketing_consent,
    Customer.created_at.label("signed_up_at"),
)


@dataclass(frozen=True)
class CustomerPage:
    rows: list[CustomerRow]
    next_cursor: str | None  # opaque: pass as `cursor` for the next page; None: this is the last
    previous_cursor: str | None  # the page before (newer cards); None: this is the first


def search_customers(
    session: Session,
    scope: StaffScope,
    query: str = "",
    filters: CustomerFilters = NO_FILTERS,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> CustomerPage:
    """One page of the merchant's customers whose keys start with `query` (all of them when it is
    empty) and that pass `filters`. Every staff level may search (the till finds a customer of
    any store); another merchant's customers are never among them."""
    if len(query) > MAX_QUERY:
        raise Invalid("invalid_query", f"A search is at most {MAX_QUERY} characters.")
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid("invalid_limit", f"The limit must be between 1 and {MAX_LIMIT}.")
    fingerprint = _fingerprint(fold(query), filters)
    start = decode_cursor(cursor, fingerprint) if cursor is not None else None
    back = start is not None and start.back
    page, more = customer_rows(session, scope, query, filters, start, limit)
    older = more if not back else bool(page)  # going back, the page we came from follows
    newer = more if back else start is not None and bool(page)
    return CustomerPage(
        page,
        encode_cursor(Cursor(page[-1].card_id, False), fingerprint) if older else None,
        encode_cursor(Cursor(page[0].card_id, True), fingerprint) if newer else None,
    )


def customer_rows(
    session: Session,
    scope: StaffScope,
    query: str,
    filters: CustomerFilters,
    start: Cursor | None,
    limit: int,
) -> tuple[list[CustomerRow], bool]:
    """Up to `limit` rows just past `start` (newest card first), and whether more follow: the
    keyset walk under the search's pages and the export."""
    back = start is not None and start.back
    conditions = filter_conditions(session, scope.merchant_id, filters)
    if start is not None:
        conditions.append(Card.id > start.card_id if back else Card.id < start.card_id)
    order = Card.id.asc() if back else Card.id.desc()
    dialect = session.get_bind().dialect.name
    branches = [
        _branch(scope.merchant_id, [*conditions, match], order, limit) for match in matches(query, dialect)
    ]
    if not branches:  # nothing to look for: every customer, newest card first
        branches = [_branch(scope.merchant_id, conditions, order, limit)]
    found = (
        branches[0].subquery()
        if len(branches) == 1
        else union(*(b.subquery().select() for b in branches)).subquery()
    )
    rows = session.execute(
        select(*ROW_COLUMNS)
        .join(Customer, Customer.id == Card.customer_id)
        .outerjoin(Store, Store.id == Customer.store_id)
        .where(Card.id.in_(select(found.c.id)))
        .order_by(order)
        .limit(limit + 1)
    ).all()
    page = [CustomerRow(**row._mapping) for row in rows[:limit]]
    if back:
        page.reverse()
    return page, len(rows) > limit


def home_stores(session: Session, scope: StaffScope) -> list[Store]:
    """The stores a customer may have signed up at: every store of the merchant, whatever one's own."""
    return list(
        session.scalars(select(Store).where(Store.merchant_id == scope.merchant_id).order_by(Store.code))
    )


def _branch(merchant_id: int, conditions: list[ColumnElement[bool]], order: Any, limit: int) -> Select[int]:
    """The first cards of one key range in the page's order, no more than a page: the union's
    pages stay small."""
    return (
        select(Card.id)
        .join(Customer, Customer.id == Card.customer_id)
        .where(
            Card.merchant_id == merchant_id,
            Customer.merchant_id == merchant_id,
            Customer.deleted_at.is_(None),
            CURRENT,
            *conditions,
        )
        .order_by(order)
        .limit(limit + 1)
    )


def _fingerprint(text: str, filters: CustomerFilters) -> str:
    source = filters.source.value if filters.source else ""
    described = f"{text}\0{filters.marketing}\0{source}\0{filters.store or ''}\0{filters.group or ''}"
    return hashlib.sha256(described.encode()).hexdigest()[:16]


class Cursor(NamedTuple):
    """Where a page starts: just past this card, towards older cards or (`back`) newer ones."""

    card_id: int
    back: bool


def encode_cursor(cursor: Cursor, fingerprint: str) -> str:
    raw = f"{cursor.card_id}|{'b' if cursor.back else 'f'}|{fingerprint}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(text: str, fingerprint: str) -> Cursor:
    """Refused when it is not one we gave for this search."""
    invalid = Invalid("invalid_cursor", "This page cursor is not valid; start from the first page.")
    if not 0 < len(text) <= 64:
        raise invalid
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True).decode()
        row, way, mark = raw.split("|")
        card_id = int(row)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise invalid from None
    if mark != fingerprint or way not in ("f", "b") or not 0 < card_id <= MAX_ID:
        raise invalid
    return Cursor(card_id, way == "b")

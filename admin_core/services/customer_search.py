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
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, and_, select, union
from sqlalchemy.orm import Session

from loyalty_common.rules import normalize_card_number

from ..database import MAX_ID
from ..errors import Invalid
from ..models import Card, Customer, CustomerSource, Store
from ..models.search_keys import digits, fold, phone_key
from .merchants import find_store
from .staff import StaffScope

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_QUERY = 100  # characters of what is typed
PHONE_LIKE = re.compile(r"^\+?[0-9][0-9 ().-]*$")
CARD_LIKE = re.compile(r"^[0-9A-Za-z -]+$")
TOP = "\U0010ffff"  # the greatest character: every key starting with p lies in [p, p + TOP)


@dataclass(frozen=True)
class CustomerFilters:
    marketing: bool | None = None  # consent to marketing given (True) or not (False)
    source: CustomerSource | None = None  # where they signed up
    store: str | None = None  # the code of their home store (where they signed up)


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


@dataclass(frozen=True)
class CustomerPage:
    rows: list[CustomerRow]
    next_cursor: str | None  # opaque: pass as `cursor` for the next page; None: this is the last
    previous_cursor: str | None  # the page before (newer cards); None: this is the first


def search_customers(
    session: Session,
    scope: StaffScope,
    query: str = "",
    filters: CustomerFilters = CustomerFilters(),
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
    conditions = _filters(session, scope.merchant_id, filters)
    if start is not None:
        conditions.append(Card.id > start.card_id if back else Card.id < start.card_id)
    order = Card.id.asc() if back else Card.id.desc()
    dialect = session.get_bind().dialect.name
    branches = [
        _branch(scope.merchant_id, [*conditions, match], order, limit) for match in _matches(query, dialect)
    ]
    if not branches:  # nothing to look for: every customer, newest card first
        branches = [_branch(scope.merchant_id, conditions, order, limit)]
    found = (
        branches[0].subquery()
        if len(branches) == 1
        else union(*(b.subquery().select() for b in branches)).subquery()
    )
    rows = session.execute(
        select(Card, Customer, Store.code, Store.name)
        .join(Customer, Customer.id == Card.customer_id)
        .outerjoin(Store, Store.id == Customer.store_id)
        .where(Card.id.in_(select(found.c.id)))
        .order_by(order)
        .limit(limit + 1)
    ).all()
    page = [_row(card, customer, code, name) for card, customer, code, name in rows[:limit]]
    more = len(rows) > limit
    if back:
        page.reverse()
    older = more if not back else bool(page)  # going back, the page we came from follows
    newer = more if back else start is not None and bool(page)
    return CustomerPage(
        page,
        encode_cursor(Cursor(page[-1].card_id, False), fingerprint) if older else None,
        encode_cursor(Cursor(page[0].card_id, True), fingerprint) if newer else None,
    )


def home_stores(session: Session, scope: StaffScope) -> list[Store]:
    """The stores a customer may have signed up at: every store of the merchant, whatever one's own."""
    return list(
        session.scalars(select(Store).where(Store.merchant_id == scope.merchant_id).order_by(Store.code))
    )


def _filters(session: Session, merchant_id: int, filters: CustomerFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.marketing is not None:
        conditions.append(Customer.marketing_consent.is_(filters.marketing))
    if filters.source is not None:
        conditions.append(Customer.source == filters.source)
    if filters.store is not None:
        store = find_store(session, merchant_id, filters.store)
        if store is None:
            raise Invalid("unknown_store", "No such store.")
        conditions.append(Customer.store_id == store.id)
    return conditions


def _matches(query: str, dialect: str) -> list[ColumnElement[bool]]:
    """The key ranges that what is typed may start, by its shape."""
    text = fold(query)

    def starts(column: Any, prefix: str) -> ColumnElement[bool]:
        return _starts(column, prefix, dialect)

    if not text:
        return []
    if "@" in text:
        return [starts(Customer.search_email, text)]
    if PHONE_LIKE.match(text):
        return [starts(Customer.search_phone, phone_key(text)), starts(Card.number, digits(text))]
    matches = [
        starts(Customer.search_name, text),
        starts(Customer.search_name_reversed, text),
        starts(Customer.search_email, text),
    ]
    if CARD_LIKE.match(query.strip()):
        matches.append(starts(Card.number, normalize_card_number(query)))
    return matches


def _starts(column: Any, prefix: str, dialect: str) -> ColumnElement[bool]:
    """`column` starts with `prefix`, in the form each backend serves from its index: on PostgreSQL
    `LIKE 'p%'` (the text_pattern_ops indexes compare bytes, whatever the collation); on SQLite,
    which compares bytes but turns LIKE case-insensitive (and then skips the index), the range."""
    if dialect == "postgresql":
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return column.like(f"{escaped}%", escape="\\")
    return and_(column >= prefix, column < prefix + TOP)


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
            *conditions,
        )
        .order_by(order)
        .limit(limit + 1)
    )


def _row(card: Card, customer: Customer, code: str | None, name: str | None) -> CustomerRow:
    return CustomerRow(
        card_id=card.id,
        number=card.number,
        first_name=customer.first_name,
        last_name=customer.last_name,
        email=customer.email,
        phone=customer.phone,
        points=card.points,
        credit=card.credit,
        discount=card.discount,
        store_code=code,
        store_name=name,
        source=customer.source,
        marketing_consent=customer.marketing_consent,
        signed_up_at=customer.created_at,
    )


def _fingerprint(text: str, filters: CustomerFilters) -> str:
    source = filters.source.value if filters.source else ""
    described = f"{text}\0{filters.marketing}\0{source}\0{filters.store or ''}"
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

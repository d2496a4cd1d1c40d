"""What the customers list's search and filters mean as SQL, for its pages and export and for the
customer groups kept as a saved search: a group's members are a condition on the customer, so a
list, an export or a campaign asks the database, never loads the members.

A saved search is JSON: {"q": text, "marketing": true/false/null, "source": a sign-up source or
null, "store": a home store's code or null}; every key may be left out."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select
from sqlalchemy.orm import Session

from loyalty_common.inputs import CONTROL
from loyalty_common.rules import normalize_card_number

from ..database import MAX_ID
from ..errors import Invalid, NotFound
from ..models import Card, Customer, CustomerGroup, CustomerSource, GroupKind, customer_group_members
from ..models.search_keys import digits, fold, phone_key
from .cards import CURRENT
from .merchants import find_store

MAX_QUERY = 100  # characters of what is typed
PHONE_LIKE = re.compile(r"^\+?[0-9][0-9 ().-]*$")
CARD_LIKE = re.compile(r"^[0-9A-Za-z -]+$")
TOP = "\U0010ffff"  # the greatest character: every key starting with p lies in [p, p + TOP)
SEARCH_KEYS = frozenset(["q", "marketing", "source", "store"])


@dataclass(frozen=True)
class CustomerFilters:
    marketing: bool | None = None  # consent to marketing given (True) or not (False)
    source: CustomerSource | None = None  # where they signed up
    store: str | None = None  # the code of their home store (where they signed up)
    group: int | None = None  # the id of a customer group they belong to


NO_FILTERS = CustomerFilters()


@dataclass(frozen=True)
class Search:
    """What the customers list looks for: what is typed, and its filters."""

    query: str = ""
    filters: CustomerFilters = NO_FILTERS

    def saved(self) -> dict[str, Any]:
        """As a filter group keeps it."""
        source = self.filters.source.value if self.filters.source else None
        marketing, store = self.filters.marketing, self.filters.store
        return {"q": self.query, "marketing": marketing, "source": source, "store": store}


def saved_search(raw: object) -> Search:
    """A saved search from its JSON, checked: Invalid `invalid_search` names what is wrong. A
    search within a group is not kept (a group of a group would be read in a loop)."""

    def invalid(message: str) -> Invalid:
        return Invalid("invalid_search", message)

    if not isinstance(raw, dict):
        raise invalid('A saved search is an object such as {"q": "", "marketing": true}.')
    unknown = sorted(str(key) for key in raw if key not in SEARCH_KEYS)
    if unknown:
        raise invalid(f"A saved search has no {', '.join(unknown)}: only q, marketing, source and store.")
    query, marketing, source, store = (raw.get(key) for key in ("q", "marketing", "source", "store"))
    if query is None:
        query = ""
    if not isinstance(query, str) or len(query) > MAX_QUERY or CONTROL.search(query):
        raise invalid(f"q is a text of at most {MAX_QUERY} characters.")
    if marketing is not None and not isinstance(marketing, bool):
        raise invalid("marketing is true, false or null.")
    sources = {kind.value: kind for kind in CustomerSource}
    if source is not None and source not in sources:
        raise invalid(f"source is one of {', '.join(sources)} or null.")
    if store is not None and (not isinstance(store, str) or not store or len(store) > 64):
        raise invalid("store is a store's code or null.")
    return Search(query.strip(), CustomerFilters(marketing, sources[source] if source else None, store))


def conditions(session: Session, merchant_id: int, filters: CustomerFilters) -> list[ColumnElement[bool]]:
    """The filters as conditions on the customer; Invalid for a store or group not the merchant's."""
    found: list[ColumnElement[bool]] = []
    if filters.marketing is not None:
        found.append(Customer.marketing_consent.is_(filters.marketing))
    if filters.source is not None:
        found.append(Customer.source == filters.source)
    if filters.store is not None:
        store = find_store(session, merchant_id, filters.store)
        if store is None:
            raise Invalid("unknown_store", "No such store.")
        found.append(Customer.store_id == store.id)
    if filters.group is not None:
        try:
            found.append(in_group(session, merchant_id, filters.group))
        except NotFound:
            raise Invalid("unknown_group", "No such customer group.") from None
    return found


def find_group(session: Session, merchant_id: int, group_id: int) -> CustomerGroup:
    group = session.get(CustomerGroup, group_id) if 0 < group_id <= MAX_ID else None
    if group is None or group.merchant_id != merchant_id:
        raise NotFound("customer_group_not_found", "No such customer group.")
    return group


def in_group(session: Session, merchant_id: int, group_id: int) -> ColumnElement[bool]:
    """The customer belongs to the group: its members, or whoever its saved search finds."""
    group = find_group(session, merchant_id, group_id)
    if group.kind is GroupKind.MANUAL:
        members = customer_group_members.c
        return Customer.id.in_(select(members.customer_id).where(members.group_id == group.id))
    try:
        search = saved_search(group.search)
        return Customer.id.in_(found_customers(session, merchant_id, search))
    except (Invalid, NotFound):  # what it names has gone: it finds no one, the lists still work
        return false()


def groups_with(session: Session, merchant_id: int, customer_id: int, group_ids: Iterable[int]) -> set[int]:
    """Which of these groups the customer belongs to (what a coupon or a campaign is for): one
    question per group, none when no group is asked about."""
    return {
        group_id
        for group_id in sorted(set(group_ids))
        if session.scalar(
            select(exists().where(Customer.id == customer_id, in_group(session, merchant_id, group_id)))
        )
    }


def found_customers(session: Session, merchant_id: int, search: Search) -> Select[int]:
    """The customers whose current card the search finds: one statement, for use in a condition."""
    dialect = session.get_bind().dialect.name
    matched = matches(search.query, dialect)
    return (
        select(Customer.id)
        .join(Card, Card.customer_id == Customer.id)
        .where(
            Card.merchant_id == merchant_id,
            Customer.merchant_id == merchant_id,
            Customer.deleted_at.is_(None),
            CURRENT,
            *conditions(session, merchant_id, search.filters),
            *([or_(*matched)] if matched else []),
        )
    )


def matches(query: str, dialect: str) -> list[ColumnElement[bool]]:
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
    found = [
        starts(Customer.search_name, text),
        starts(Customer.search_name_reversed, text),
        starts(Customer.search_email, text),
    ]
    if CARD_LIKE.match(query.strip()):
        found.append(starts(Card.number, normalize_card_number(query)))
    return found


def _starts(column: Any, prefix: str, dialect: str) -> ColumnElement[bool]:
    """`column` starts with `prefix`, in the form each backend serves from its index: on PostgreSQL
    `LIKE 'p%'` (the text_pattern_ops indexes compare bytes, whatever the collation); on SQLite,
    which compares bytes but turns LIKE case-insensitive (and then skips the index), the range."""
    if dialect == "postgresql":
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return column.like(f"{escaped}%", escape="\\")
    return and_(column >= prefix, column < prefix + TOP)

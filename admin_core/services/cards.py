"""Customers and their cards."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from loyalty_common.rules import normalize_card_number

from ..database import Database
from ..errors import Conflict, Gone, Invalid, NotFound
from ..models import Card, Customer, CustomerSource
from . import add_unique, utcnow

CARD_NUMBER = re.compile(r"^[0-9A-Z]{4,32}$")
# A replaced card's old number is a row of its own (services/card_changes.py): listings skip it.
CURRENT = Card.replaced_by_id.is_(None)


def enroll_customer(
    db: Database,
    merchant_id: int,
    number: str,
    *,
    first_name: str,
    last_name: str = "",
    email: str | None = None,
    phone: str | None = None,
    locale: str | None = None,
    gender: str | None = None,
    birth_date: date | None = None,
    store_id: int | None = None,
    source: CustomerSource | None = None,
    points: int = 0,
    credit: int = 0,
    discount: int = 0,
    session: Session | None = None,
) -> Card:
    """A new customer with a new card. With `session`, inside the caller's transaction (a taken
    number raises Conflict and leaves that transaction usable)."""
    number = normalize_card_number(number)
    if not CARD_NUMBER.match(number):
        raise Invalid("invalid_card_number", "A card number is 4-32 letters or digits.")
    now = utcnow()
    customer = Customer(
        merchant_id=merchant_id,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip().lower() if email else None,
        phone=phone,
        locale=locale,
        gender=gender,
        birth_date=birth_date,
        store_id=store_id,
        source=source,
        created_at=now,
    )
    card = Card(
        merchant_id=merchant_id,
        customer=customer,
        number=number,
        points=points,
        credit=credit,
        discount=discount,
        created_at=now,
    )
    return add_unique(db, card, Conflict("card_exists", f"Card {number} exists already."), session)


def find_card(session: Session, merchant_id: int, number: str, *, for_update: bool = False) -> Card | None:
    query = select(Card).where(Card.merchant_id == merchant_id, Card.number == normalize_card_number(number))
    if for_update:
        query = query.with_for_update(of=Card)
    return session.scalar(query)


class CardReplaced(Gone):
    """A lost card's old number: refused, naming the number that took over."""

    def __init__(self, number: str) -> None:
        super().__init__("card_replaced", f"This card was replaced by card {number}.")
        self.number = number


def get_card(session: Session, merchant_id: int, number: str, *, for_update: bool = False) -> Card:
    """The card with this number; a replaced one's old number raises CardReplaced."""
    card = find_card(session, merchant_id, number, for_update=for_update)
    if card is None and for_update:
        # PostgreSQL: the row we waited for took a new number meanwhile (a replacement); this
        # second look sees the row that keeps the old number, committed since the first began.
        card = find_card(session, merchant_id, number, for_update=True)
    return current(session, card)


def current(session: Session, card: Card | None) -> Card:
    """The card found by its number: NotFound for none, CardReplaced for a replaced one's."""
    if card is None:
        raise NotFound("card_not_found", "No such card.")
    if card.replaced_by_id is not None:
        raise CardReplaced(session.get_one(Card, card.replaced_by_id).number)
    return card


def usable(card: Card) -> Card:
    """The card, unless it is blocked: a blocked card logs in nowhere and buys nothing."""
    if card.blocked_at is not None:
        raise Conflict("card_blocked", "This card is blocked.")
    return card

"""Customers and their cards."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from loyalty_common.rules import normalize_card_number

from ..database import Database
from ..errors import Conflict, Invalid, NotFound
from ..models import Card, Customer, CustomerSource
from . import add_unique, utcnow

CARD_NUMBER = re.compile(r"^[0-9A-Z]{4,32}$")


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


def get_card(session: Session, merchant_id: int, number: str, *, for_update: bool = False) -> Card:
    card = find_card(session, merchant_id, number, for_update=for_update)
    if card is None:
        raise NotFound("card_not_found", "No such card.")
    return card

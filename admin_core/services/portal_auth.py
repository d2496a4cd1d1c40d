"""Customers' portal credentials: log in with card number + password, activate by e-mailed link."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from passlib.context import CryptContext
from sqlalchemy import select

from ..database import Database
from ..errors import Gone, Invalid, NotFound, Unauthorized
from ..models import Card, PortalToken, TokenPurpose
from . import utcnow
from .cards import find_card

MIN_PASSWORD = 8
MAX_PASSWORD = 256


def password_context(*, fast: bool = False) -> CryptContext:
    """Argon2 everywhere; `fast` (tests only) keeps argon2 but with the smallest cost."""
    if fast:
        return CryptContext(
            schemes=["argon2"],
            argon2__memory_cost=8,
            argon2__time_cost=1,
            argon2__parallelism=1,
        )
    return CryptContext(schemes=["argon2"])


@dataclass(frozen=True)
class ActivationTicket:
    """What the site needs to e-mail an activation link."""

    token: str
    email: str
    first_name: str
    locale: str | None
    expires_at: datetime


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid(
            "password_too_short",
            f"The password needs at least {MIN_PASSWORD} characters.",
        )
    if len(password) > MAX_PASSWORD:
        raise Invalid(
            "password_too_long",
            f"The password may have at most {MAX_PASSWORD} characters.",
        )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(db: Database, hasher: CryptContext, merchant_id: int, number: str, password: str) -> Card:
    """The card, if the password is right. Unknown cards cost the same time as wrong passwords."""
    with db.read() as session:
        card = find_card(session, merchant_id, number)
        stored = card.password_hash if card else None
    if stored is None:
        hasher.dummy_verify()
        raise Unauthorized("invalid_credentials", "Card number or password is wrong.")
    valid, new_hash = hasher.verify_and_update(password, stored)
    if not valid:
        raise Unauthorized("invalid_credentials", "Card number or password is wrong.")
    assert card is not None
    if new_hash:
        with db.write() as session:
            session.get_one(Card, card.id).password_hash = new_hash
    return card


def start_activation(
    db: Database,
    hasher: CryptContext,
    merchant_id: int,
    number: str,
    email: str,
    password: str,
    max_age: timedelta,
    now: datetime | None = None,
) -> ActivationTicket | None:
    """A ticket when the card exists and the e-mail is the one on file; else None, at the same cost."""
    check_password_rules(password)
    password_hash = hasher.hash(password)
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    with db.write() as session:
        card = find_card(session, merchant_id, number)
        on_file = card.customer.email if card else None
        if card is None or not on_file or on_file != email.strip().lower():
            return None
        session.add(
            PortalToken(
                card_id=card.id,
                purpose=TokenPurpose.ACTIVATION,
                token_hash=_token_hash(token),
                password_hash=password_hash,
                credentials_version=card.credentials_version,
                created_at=now,
                expires_at=now + max_age,
            )
        )
        return ActivationTicket(
            token, on_file, card.customer.first_name, card.customer.locale, expires_at=now + max_age
        )


def complete_activation(db: Database, merchant_id: int, token: str, now: datetime | None = None) -> Card:
    """Set the password chosen at activation. The link works once, until it expires, and only while
    the card's credentials are those it was issued against."""
    now = now or utcnow()
    with db.write() as session:
        row = session.execute(
            select(PortalToken, Card)
            .join(Card, Card.id == PortalToken.card_id)
            .where(
                PortalToken.token_hash == _token_hash(token),
                PortalToken.purpose == TokenPurpose.ACTIVATION,
                Card.merchant_id == merchant_id,
            )
            .with_for_update()
        ).first()
        if row is None:
            raise Gone("token_invalid", "This link is not valid.")
        ticket, card = row
        if ticket.used_at is not None or ticket.credentials_version != card.credentials_version:
            raise Gone("token_used", "This link was used already.")
        if ticket.expires_at <= now:
            raise Gone("token_expired", "This link has expired.")
        ticket.used_at = now
        card.password_hash = ticket.password_hash
        card.credentials_version += 1
        card.activated_at = card.activated_at or now
    return card


def set_password(db: Database, hasher: CryptContext, merchant_id: int, number: str, password: str) -> Card:
    """Set a card's portal password directly (demo data, and the profile's change-password)."""
    check_password_rules(password)
    password_hash = hasher.hash(password)
    with db.write() as session:
        card = find_card(session, merchant_id, number, for_update=True)
        if card is None:
            raise NotFound("card_not_found", "No such card.")
        card.password_hash = password_hash
        card.credentials_version += 1
        card.activated_at = card.activated_at or utcnow()
    return card

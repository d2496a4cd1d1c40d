"""Customers' portal credentials: log in with card number + password; activate, reset the password
or confirm a new e-mail address by an e-mailed one-time link; change the password."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from passlib.context import CryptContext
from sqlalchemy import select, update
from sqlalchemy.orm import Session, contains_eager

from loyalty_common.error_codes import Code
from loyalty_common.rules import MAX_PASSWORD, MIN_PASSWORD
from loyalty_common.tickets import (
    ActivationTicket,
    ActiveCardNotice,
    EmailChangeTicket,
    ResetLink,
    ResetTicket,
)

from ..database import Database
from ..errors import Gone, Invalid, NotFound, Unauthorized
from ..models import Card, Customer, PortalToken, TokenPurpose
from . import utcnow
from .cards import find_card, get_card
from .links import consume_link, issue_link, valid_link

# One reset e-mail lists at most this many cards sharing the address.
RESET_CARDS = 10
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


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


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid(
            Code.PASSWORD_TOO_SHORT,
            f"The password needs at least {MIN_PASSWORD} characters.",
        )
    if len(password) > MAX_PASSWORD:
        raise Invalid(
            Code.PASSWORD_TOO_LONG,
            f"The password may have at most {MAX_PASSWORD} characters.",
        )


def email_address(raw: str) -> str:
    address = raw.strip().lower()
    if len(address) > 254 or not EMAIL.match(address):
        raise Invalid("invalid_email", "This is not a valid e-mail address.")
    return address


def issue_activation(
    session: Session, card: Card, password_hash: str, max_age: timedelta, now: datetime
) -> ActivationTicket:
    """An activation link for `card` (flushed, with an e-mail on file) that sets `password_hash`,
    in the caller's transaction: the activation form and web sign-up share it."""
    token = issue_link(
        session, card, TokenPurpose.ACTIVATION, now + max_age, now, password_hash=password_hash
    )
    customer = card.customer
    assert customer.email is not None
    return ActivationTicket(token, customer.email, customer.first_name, customer.locale, now + max_age)


def session_card(
    session: Session,
    merchant_id: int,
    number: str,
    credentials_version: int,
    *,
    for_update: bool = False,
) -> Card:
    """The card of a portal session begun at `credentials_version`: refused once the password has
    changed (or the account was deleted) since."""
    card = get_card(session, merchant_id, number, for_update=for_update)
    if card.credentials_version != credentials_version or card.password_hash is None:
        raise Unauthorized(Code.SESSION_EXPIRED, "The password changed since this session began.")
    return card


def verify_password(
    db: Database,
    hasher: CryptContext,
    merchant_id: int,
    number: str,
    credentials_version: int,
    password: str,
) -> Card:
    """The session's card, when `password` is its current password (asked again before changes)."""
    with db.read() as session:
        card = session_card(session, merchant_id, number, credentials_version)
    if not hasher.verify(password, card.password_hash):
        raise Unauthorized(Code.WRONG_PASSWORD, "The password is wrong.")
    return card


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
) -> ActivationTicket | ActiveCardNotice | None:
    """A ticket when the card exists, has no password yet and the e-mail is the one on file; a
    notice for its owner when it has one (a password is changed by reset, from the address on
    file, never by whoever knows the card and the address); else None, at the same cost."""
    check_password_rules(password)
    password_hash = hasher.hash(password)
    now = now or utcnow()
    with db.write() as session:
        card = find_card(session, merchant_id, number)
        on_file = card.customer.email if card else None
        if card is None or not on_file or on_file != email.strip().lower():
            return None
        if card.password_hash is not None:
            return ActiveCardNotice(on_file, card.customer.first_name, card.customer.locale)
        return issue_activation(session, card, password_hash, max_age, now)


def check_link(
    db: Database, merchant_id: int, token: str, purpose: TokenPurpose, now: datetime | None = None
) -> str | None:
    """Raises Gone unless the link still works (asked before the customer confirms or types); the
    address an e-mail-change link puts on file."""
    with db.read() as session:
        ticket, _card = valid_link(session, merchant_id, token, purpose, now or utcnow(), lock=False)
        return ticket.new_email


def complete_activation(db: Database, merchant_id: int, token: str, now: datetime | None = None) -> Card:
    """Set the password chosen at activation."""
    now = now or utcnow()
    with db.write() as session:
        ticket, card = consume_link(session, merchant_id, token, TokenPurpose.ACTIVATION, now)
        if card.password_hash is not None:
            raise Gone("card_active", "This card has a password already.")
        card.password_hash = ticket.password_hash
        card.credentials_version += 1
        card.activated_at = card.activated_at or now
    return card


def set_password(db: Database, hasher: CryptContext, merchant_id: int, number: str, password: str) -> Card:
    """Set a card's portal password directly (demo data, staff)."""
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


def change_password(
    db: Database,
    hasher: CryptContext,
    merchant_id: int,
    number: str,
    credentials_version: int,
    current: str,
    new: str,
) -> Card:
    """The customer's own change: needs the current password; ends every other session."""
    check_password_rules(new)
    verify_password(db, hasher, merchant_id, number, credentials_version, current)
    password_hash = hasher.hash(new)
    with db.write() as session:
        card = session_card(session, merchant_id, number, credentials_version, for_update=True)
        card.password_hash = password_hash
        card.credentials_version += 1
    return card


def start_reset(
    db: Database, merchant_id: int, email: str, max_age: timedelta, now: datetime | None = None
) -> ResetTicket | None:
    """Links for the cards of this address (a card without a password gets none: it activates
    instead). None when no card has this address; the caller answers the same either way."""
    now = now or utcnow()
    address = email.strip().lower()
    with db.write() as session:
        cards = session.scalars(
            select(Card)
            .join(Card.customer)
            .options(contains_eager(Card.customer))
            .where(Card.merchant_id == merchant_id, Customer.email == address)
            .order_by(Card.id)
            .limit(RESET_CARDS)
        ).all()
        if not cards:
            return None
        links = tuple(
            ResetLink(
                card.number,
                card.customer.first_name,
                issue_link(session, card, TokenPurpose.RESET, now + max_age, now)
                if card.password_hash is not None
                else None,
            )
            for card in cards
        )
        locale = next((card.customer.locale for card in cards if card.customer.locale), None)
        return ResetTicket(address, locale, links, now + max_age)


def complete_reset(
    db: Database,
    hasher: CryptContext,
    merchant_id: int,
    token: str,
    password: str,
    now: datetime | None = None,
) -> Card:
    """Set a new password by a reset link; every session and other link of the card ends."""
    check_password_rules(password)
    password_hash = hasher.hash(password)
    now = now or utcnow()
    with db.write() as session:
        _ticket, card = consume_link(session, merchant_id, token, TokenPurpose.RESET, now)
        card.password_hash = password_hash
        card.credentials_version += 1
    return card


def start_email_change(
    db: Database,
    hasher: CryptContext,
    merchant_id: int,
    number: str,
    credentials_version: int,
    password: str,
    new_email: str,
    max_age: timedelta,
    now: datetime | None = None,
) -> EmailChangeTicket:
    """A link to confirm `new_email`; the address on file stays until it is followed. Only the
    latest request can be confirmed."""
    address = email_address(new_email)
    verify_password(db, hasher, merchant_id, number, credentials_version, password)
    now = now or utcnow()
    with db.write() as session:
        card = session_card(session, merchant_id, number, credentials_version, for_update=True)
        customer = card.customer
        if customer.email == address:
            raise Invalid(Code.SAME_EMAIL, "This is the e-mail address on file already.")
        session.execute(
            update(PortalToken)
            .where(
                PortalToken.card_id == card.id,
                PortalToken.purpose == TokenPurpose.EMAIL_CHANGE,
                PortalToken.used_at.is_(None),
            )
            .values(used_at=now)
        )
        token = issue_link(session, card, TokenPurpose.EMAIL_CHANGE, now + max_age, now, new_email=address)
        return EmailChangeTicket(
            token, address, customer.email, customer.first_name, customer.locale, now + max_age
        )


def complete_email_change(db: Database, merchant_id: int, token: str, now: datetime | None = None) -> Card:
    """Put the confirmed address on file. Links sent to the old address stop working."""
    now = now or utcnow()
    with db.write() as session:
        ticket, card = consume_link(session, merchant_id, token, TokenPurpose.EMAIL_CHANGE, now)
        card.customer.email = ticket.new_email
        session.execute(
            update(PortalToken)
            .where(PortalToken.card_id == card.id, PortalToken.used_at.is_(None))
            .values(used_at=now)
        )
    return card

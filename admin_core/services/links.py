"""One-time links sent by e-mail (activation, password reset, e-mail change). Only a link's
SHA-256 is stored, with the card's credentials version it was issued against."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Gone
from ..models import Card, PortalToken, TokenPurpose


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_link(
    session: Session,
    card: Card,
    purpose: TokenPurpose,
    expires_at: datetime,
    now: datetime,
    *,
    password_hash: str | None = None,
    new_email: str | None = None,
) -> str:
    """A one-time link's secret; only its hash is stored, with the card's credentials version."""
    token = secrets.token_urlsafe(32)
    store_link(
        session, card, purpose, token, expires_at, now, password_hash=password_hash, new_email=new_email
    )
    return token


def store_link(
    session: Session,
    card: Card,
    purpose: TokenPurpose,
    token: str,
    expires_at: datetime,
    now: datetime,
    *,
    password_hash: str | None = None,
    new_email: str | None = None,
) -> None:
    """A one-time link whose secret the caller chose (at least 128 random bits, or derived from a
    key): only its hash is stored."""
    session.add(
        PortalToken(
            card_id=card.id,
            purpose=purpose,
            token_hash=token_hash(token),
            password_hash=password_hash,
            new_email=new_email,
            credentials_version=card.credentials_version,
            created_at=now,
            expires_at=expires_at,
        )
    )


def valid_link(
    session: Session,
    merchant_id: int,
    token: str,
    purpose: TokenPurpose,
    now: datetime,
    *,
    lock: bool = True,
) -> tuple[PortalToken, Card]:
    """A link works once, until it expires, and only while the card's credentials are those it was
    issued against."""
    query = (
        select(PortalToken, Card)
        .join(Card, Card.id == PortalToken.card_id)
        .where(
            PortalToken.token_hash == token_hash(token),
            PortalToken.purpose == purpose,
            Card.merchant_id == merchant_id,
        )
    )
    row = session.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise Gone("token_invalid", "This link is not valid.")
    ticket, card = row
    if ticket.used_at is not None or ticket.credentials_version != card.credentials_version:
        raise Gone("token_used", "This link was used already.")
    if ticket.expires_at <= now:
        raise Gone("token_expired", "This link has expired.")
    return ticket, card


def consume_link(
    session: Session, merchant_id: int, token: str, purpose: TokenPurpose, now: datetime
) -> tuple[PortalToken, Card]:
    ticket, card = valid_link(session, merchant_id, token, purpose, now)
    ticket.used_at = now
    return ticket, card

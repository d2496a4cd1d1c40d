"""The e-mail address a Wi-Fi guest typed is confirmed before anything is mailed to it but the
confirmation itself. The splash proves nothing about who typed an address (anyone can play a
controller that signs nothing, from anywhere), so its one message is a fixed text with a one-time
link; following the link proves the mailbox, and only then is the card (and what the guest typed,
their name) sent to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ..database import Database
from ..errors import Gone
from ..models import Card, TokenPurpose
from . import utcnow
from .links import consume_link, store_link

PURPOSE = TokenPurpose.WIFI_CONFIRMATION


@dataclass(frozen=True)
class ConfirmedCard:
    number: str
    email: str
    first_name: str
    locale: str | None


def store_confirmation(
    session: Session, card: Card, token: str, max_age: timedelta, now: datetime
) -> datetime:
    """In the caller's transaction: the link that confirms the address of `card` (new, with an
    e-mail address), until the time returned."""
    assert card.customer.email is not None
    expires_at = now + max_age
    store_link(session, card, PURPOSE, token, expires_at, now, new_email=card.customer.email)
    return expires_at


def confirm_address(db: Database, merchant_id: int, token: str, now: datetime | None = None) -> ConfirmedCard:
    """Follow a confirmation link: once, before it expires, while the card's address is still the
    one confirmed (Gone otherwise). The card and its holder's details, to be mailed now."""
    now = now or utcnow()
    with db.write() as session:
        ticket, card = consume_link(session, merchant_id, token, PURPOSE, now)
        customer = card.customer
        if customer.deleted_at is not None or customer.email is None or customer.email != ticket.new_email:
            raise Gone("token_invalid", "This link is not valid.")
        return ConfirmedCard(card.number, customer.email, customer.first_name, customer.locale)

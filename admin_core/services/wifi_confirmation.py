"""The e-mail address a Wi-Fi guest typed is confirmed before anything is mailed to it but the
confirmation itself. The splash proves nothing about who typed an address (anyone can play a
controller that signs nothing, from anywhere), so its one message is a fixed text with a one-time
link; following the link proves the mailbox, and only then is the card (and what the guest typed,
their name) sent to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from ..database import Database
from ..errors import Conflict, Gone, NotFound
from ..models import Card, Hotspot, PortalToken, TokenPurpose, WifiVisit
from . import utcnow
from .links import consume_link, issue_link

PURPOSE = TokenPurpose.WIFI_CONFIRMATION


@dataclass(frozen=True)
class ConfirmationTicket:
    token: str
    email: str
    locale: str | None
    expires_at: datetime


@dataclass(frozen=True)
class ConfirmedCard:
    number: str
    email: str
    first_name: str
    locale: str | None


def request_confirmation(
    db: Database, hotspot: Hotspot, nonce: str, max_age: timedelta, now: datetime | None = None
) -> ConfirmationTicket:
    """The link that confirms the address of the card the visit `nonce` created: once per card
    (Conflict confirmation_sent afterwards, so a replayed sign-up mails nothing more); NotFound when
    that visit created no card with an e-mail address."""
    now = now or utcnow()
    with db.write() as session:
        card = session.scalar(
            select(Card)
            .join(WifiVisit, WifiVisit.customer_id == Card.customer_id)
            .where(WifiVisit.hotspot_id == hotspot.id, WifiVisit.nonce == nonce, WifiVisit.new_customer)
            .with_for_update(of=Card)
        )
        customer = card.customer if card is not None else None
        if card is None or customer is None or customer.email is None or customer.deleted_at is not None:
            raise NotFound("visit_not_found", "No sign-up with an e-mail address has this nonce.")
        sent = session.scalar(
            select(PortalToken.id).where(PortalToken.card_id == card.id, PortalToken.purpose == PURPOSE)
        )
        if sent is not None:
            raise Conflict("confirmation_sent", "This card's address was asked to confirm already.")
        expires_at = now + max_age
        token = issue_link(session, card, PURPOSE, expires_at, now, new_email=customer.email)
        return ConfirmationTicket(token, customer.email, customer.locale, expires_at)


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

"""Guests let online by a venue's hotspot: a sign-up (a new customer and card, or the card their
e-mail address or phone number has already), or a returning device's guest in one tap. Every
connection is a visit; one per splash state."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loyalty_common.error_codes import Code

from ..database import Database
from ..errors import Invalid
from ..models import Card, ConsentKind, ConsentRecord, Customer, Hotspot, Merchant, Operation, WifiVisit
from . import utcnow
from .bonuses import GIFTS, give_visit
from .cards import CURRENT
from .consents import ConsentContext, record_consents
from .profile import erase_customer
from .signup import SignupOutcome, SignupRequest, SignupRules, checked, sign_up
from .wifi_confirmation import store_confirmation

SOURCE = "wifi"
MAC_DIGITS = 12


class VisitOutcome(enum.Enum):
    CREATED = "created"  # a new customer and card
    EXISTING = "existing"  # the e-mail address or phone number has a card here already
    RETURNING = "returning"  # the device's guest, in one tap


@dataclass(frozen=True)
class Arrival:
    """Who is connecting, as the controller's verified redirect says, and the splash state they
    came with (one visit per state)."""

    nonce: str
    device_mac: str | None = None
    ip_address: str | None = None
    # The secret of the link that will confirm a new card's e-mail address (the site's choice).
    confirmation: str | None = None


@dataclass(frozen=True)
class Guest:
    """A device seen before at the merchant: whether the venue's terms or privacy wording changed
    since its guest last accepted them. Not who they are: a MAC proves nothing (where the
    controller signs nothing, anyone can name any device's)."""

    needs_consent: bool


@dataclass(frozen=True)
class Visit:
    """What the splash may tell the guest: the new card's number. Nothing of a card an address has
    already, nor of a returning device's guest: whoever typed the address, or named the MAC, is not
    known to own it."""

    outcome: VisitOutcome
    card_number: str | None  # a new card's
    visited_at: datetime
    confirm_until: datetime | None = None  # a new card's address: its confirmation link works until


def visit_request(
    fields: Mapping[str, Any], nonce: str, confirmation: str | None
) -> tuple[Arrival, SignupRequest | None, bool]:
    """The arrival, the sign-up (None: the device's guest returning in one tap) and whether the
    wordings were accepted, from the splash's fields (the API's visit, as it comes or as a gateway
    grant kept it)."""
    arrival = Arrival(nonce, fields["device_mac"], fields["ip_address"], confirmation)
    guest = None
    if not fields["returning"]:
        guest = SignupRequest(
            first_name=fields["first_name"] or "",
            email=fields["email"],
            phone=fields["phone"],
            terms=fields["terms"],
            privacy=fields["privacy"],
            marketing=fields["marketing"],
            locale=fields["locale"],
        )
    return arrival, guest, bool(fields["terms"] and fields["privacy"])


def normalize_mac(raw: str | None) -> str | None:
    """aa:bb:cc:dd:ee:ff from any of the ways controllers write one (dashes, dots, upper case);
    None when it is not a MAC address."""
    digits = "".join(char for char in (raw or "").lower() if char not in ":-. ")
    if len(digits) != MAC_DIGITS or any(char not in "0123456789abcdef" for char in digits):
        return None
    return ":".join(digits[index : index + 2] for index in range(0, MAC_DIGITS, 2))


def _versions(hotspot: Hotspot) -> dict[ConsentKind, str]:
    return {ConsentKind.TERMS: hotspot.terms_version, ConsentKind.PRIVACY: hotspot.privacy_version}


def _device_customer(
    session: Session, merchant_id: int, mac: str | None, *, for_update: bool = False
) -> Customer | None:
    if mac is None:
        return None
    query = (
        select(Customer)
        .join(WifiVisit, WifiVisit.customer_id == Customer.id)
        .where(
            WifiVisit.merchant_id == merchant_id,
            WifiVisit.device_mac == mac,
            Customer.deleted_at.is_(None),
        )
        .order_by(WifiVisit.created_at.desc())
        .limit(1)
    )
    return session.scalar(query.with_for_update(of=Customer) if for_update else query)


def _needs_consent(session: Session, hotspot: Hotspot, customer: Customer) -> bool:
    """True unless the customer's latest acceptance of both terms and privacy was on the venue's
    current wordings."""
    for kind, version in _versions(hotspot).items():
        latest = session.scalar(
            select(ConsentRecord.version)
            .where(
                ConsentRecord.customer_id == customer.id, ConsentRecord.kind == kind, ConsentRecord.granted
            )
            .order_by(ConsentRecord.created_at.desc(), ConsentRecord.id.desc())
            .limit(1)
        )
        if latest != version:
            return True
    return False


def recognize(session: Session, hotspot: Hotspot, mac: str | None) -> Guest | None:
    customer = _device_customer(session, hotspot.merchant_id, normalize_mac(mac))
    if customer is None:
        return None
    return Guest(_needs_consent(session, hotspot, customer))


def rules(hotspot: Hotspot) -> SignupRules:
    return SignupRules(last_name=False, contact=hotspot.contact)


def _returning(
    session: Session, hotspot: Hotspot, mac: str | None, accepted: bool
) -> tuple[Customer, Card, bool]:
    """The device's guest, their card, and whether they accept the venue's changed wordings again now.
    Locked: the retention purge, which takes the same lock, cannot erase a guest coming back."""
    customer = _device_customer(session, hotspot.merchant_id, mac, for_update=True)
    card = None
    if customer is not None:
        card = session.scalars(select(Card).where(Card.customer_id == customer.id, CURRENT)).first()
    if customer is None or card is None:
        raise Invalid(Code.UNKNOWN_DEVICE, "This device has not been seen here before: sign up.")
    again = _needs_consent(session, hotspot, customer)
    if again and not accepted:
        raise Invalid(Code.CONSENT_REQUIRED, "The terms or privacy notice changed: accept them again.")
    return customer, card, again


def check_visit(
    session: Session,
    hotspot: Hotspot,
    arrival: Arrival,
    guest: SignupRequest | None,
    *,
    accepted: bool,
    now: datetime,
) -> None:
    """Invalid as `connect` would be, before anything is stored: for a visit stored later, once the
    controller has let the device online (services/wifi_grants.py)."""
    if guest is None:
        _returning(session, hotspot, normalize_mac(arrival.device_mac), accepted)
    else:
        checked(guest, now.date(), rules(hotspot))


def connect(
    db: Database,
    session: Session,
    hotspot: Hotspot,
    arrival: Arrival,
    guest: SignupRequest | None,
    *,
    accepted: bool = False,
    link_max_age: timedelta = timedelta(days=1),
    now: datetime | None = None,
) -> Visit:
    """In the caller's transaction: a sign-up (`guest`: the splash form) or, without one, the
    device's guest returning in one tap (having `accepted` the venue's wordings again when they
    changed). Records the consents with the venue, device and address, and the visit; for a new
    card with an e-mail address, the arrival's confirmation link (for `link_max_age`). Invalid when
    a rule is broken or the device is not known; nothing is stored then."""
    now = now or utcnow()
    mac = normalize_mac(arrival.device_mac)
    context = ConsentContext(SOURCE, hotspot.store_id, arrival.ip_address, mac)
    merchant = hotspot.merchant
    if guest is None:
        customer, card, again = _returning(session, hotspot, mac, accepted)
        if again:
            choices = {ConsentKind.TERMS: True, ConsentKind.PRIVACY: True}
            record_consents(session, merchant, customer, choices, context, now, _versions(hotspot))
        outcome = VisitOutcome.RETURNING
    else:
        # The venue becomes the new customer's home store.
        request = replace(checked(guest, now.date(), rules(hotspot)), store=hotspot.store.code)
        signed_up, card = sign_up(db, session, merchant, request, context, now, _versions(hotspot))
        customer = card.customer
        outcome = VisitOutcome.CREATED if signed_up is SignupOutcome.CREATED else VisitOutcome.EXISTING
    # A known address or number typed on a splash proves nothing about who typed it: such a visit
    # records no consent on that customer's behalf, and does not tie the device to them.
    claimed = outcome is VisitOutcome.EXISTING
    visit = WifiVisit(
        merchant_id=hotspot.merchant_id,
        hotspot_id=hotspot.id,
        store_id=hotspot.store_id,
        customer_id=customer.id,
        nonce=arrival.nonce,
        device_mac=None if claimed else mac,
        ip_address=arrival.ip_address,
        new_customer=outcome is VisitOutcome.CREATED,
        created_at=now,
    )
    session.add(visit)
    session.flush()
    if not claimed:  # an address typed on a splash earns nothing for its owner either
        give_visit(session, hotspot, card, visit)
    if outcome is not VisitOutcome.CREATED:
        return Visit(outcome, None, now)
    confirm_until = None
    if arrival.confirmation is not None and customer.email is not None:
        confirm_until = store_confirmation(session, card, arrival.confirmation, link_max_age, now)
    return Visit(outcome, card.number, now, confirm_until)


def _wifi_only_guests(session: Session, customer_id: int | None = None) -> list[tuple[int, int, datetime]]:
    """(customer, retention days of the venue they signed up at, last visit) of the guests known
    only from the Wi-Fi: signed up there, never activated the portal, no operation on their card
    but a gift (a bonus is not a purchase)."""
    has_activated_card = (
        select(Card.id)
        .where(Card.customer_id == Customer.id, Card.activated_at.is_not(None))
        .correlate(Customer)
        .exists()
    )
    has_operation = (
        select(Operation.id)
        .join(Card, Card.id == Operation.card_id)
        .where(Card.customer_id == Customer.id, Operation.kind.not_in(GIFTS))
        .correlate(Customer)
        .exists()
    )
    last_visit = (
        select(func.max(WifiVisit.created_at))
        .where(WifiVisit.customer_id == Customer.id)
        .correlate(Customer)
        .scalar_subquery()
    )
    query = (
        select(Customer.id, Hotspot.guest_retention_days, last_visit)
        .join(WifiVisit, (WifiVisit.customer_id == Customer.id) & WifiVisit.new_customer)
        .join(Hotspot, Hotspot.id == WifiVisit.hotspot_id)
        .where(Customer.deleted_at.is_(None), ~has_activated_card, ~has_operation)
    )
    if customer_id is not None:
        query = query.where(Customer.id == customer_id)
    return [(row[0], row[1], row[2]) for row in session.execute(query)]


def purge_wifi_guests(db: Database, now: datetime | None = None) -> int:
    """Erase the Wi-Fi-only guests whose last visit is older than their venue's retention (run
    daily). Each is checked again under its row lock: a guest who comes back or buys something
    meanwhile stays. Returns how many were erased."""
    now = now or utcnow()

    def due(rows: list[tuple[int, int, datetime]]) -> list[int]:
        return [customer_id for customer_id, days, last in rows if last + timedelta(days=days) < now]

    with db.read() as session:
        candidates = due(_wifi_only_guests(session))
    erased = 0
    for customer_id in candidates:
        with db.write() as session:
            customer = session.get_one(Customer, customer_id, with_for_update=True)
            if due(_wifi_only_guests(session, customer_id)):
                merchant = session.get_one(Merchant, customer.merchant_id)
                erase_customer(session, merchant, customer, ConsentContext("wifi_retention"), now)
                erased += 1
    return erased

"""Staff enrol a walk-in customer: at the till (a pre-printed card handed over, or a new number)
or through the API. The rules are the customer card's corrections (`customer_details`); one card
per e-mail address and merchant, as at a sign-up; the marketing choice is a consent record."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session

from loyalty_common.rules import normalize_card_number

from ..database import Database
from ..errors import Conflict, Invalid
from ..models import Card, ConsentKind, CustomerSource, Merchant, Store
from . import utcnow
from .bonuses import give_welcome
from .cards import CARD_NUMBER
from .consents import ConsentContext, record_consents
from .customer_details import CustomerChanges, checked_changes
from .idempotency import Outcome, request_fingerprint, run_once
from .signup import enroll_numbered, existing_card, take_turn
from .staff import StaffScope


@dataclass(frozen=True)
class NewCustomer:
    first_name: str
    last_name: str = ""
    email: str = ""
    phone: str = ""
    locale: str = ""
    marketing: bool = False
    number: str = ""  # a pre-printed card's; empty: a new number
    store: str | None = None  # a store code; None: one's own


def card_number(raw: str) -> str | None:
    if not raw.strip():
        return None
    number = normalize_card_number(raw)
    if not CARD_NUMBER.match(number):
        raise Invalid("invalid_card_number", "A card number is 4-32 letters or digits.")
    return number


def enrol(db: Database, session: Session, scope: StaffScope, new: NewCustomer, consent_source: str) -> Card:
    """In the caller's transaction: the new customer and card, or Invalid/Conflict with the first
    rule broken (the caller's transaction then stores nothing)."""
    merchant = session.get_one(Merchant, scope.merchant_id)
    changes = CustomerChanges(
        first_name=new.first_name,
        last_name=new.last_name,
        email=new.email,
        phone=new.phone,
        locale=new.locale,
    )
    values = checked_changes(changes, merchant, utcnow().date())
    number = card_number(new.number)
    store = scope.store_at_till(session, new.store)
    email = values["email"]
    if isinstance(email, str):
        take_turn(session, merchant.id, email)
        if existing_card(session, merchant.id, email, None) is not None:
            raise Conflict("email_taken", "Another customer has this e-mail address.")
    card = enroll_numbered(
        db, session, merchant, number, **values, store_id=store.id, source=CustomerSource.TILL
    )
    record_consents(
        session,
        merchant,
        card.customer,
        {ConsentKind.MARKETING: new.marketing},
        ConsentContext(consent_source, store_id=store.id),
        first=True,
    )
    give_welcome(session, card, CustomerSource.TILL, store, utcnow())
    return card


def enrolled(session: Session, card: Card) -> dict[str, Any]:
    customer = card.customer
    store = session.get(Store, customer.store_id) if customer.store_id is not None else None
    return {
        "card_number": card.number,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "email": customer.email,
        "phone": customer.phone,
        "locale": customer.locale,
        "marketing_consent": customer.marketing_consent,
        "store": store.code if store is not None else None,
    }


def enrol_at_till(db: Database, scope: StaffScope, new: NewCustomer, attempt: str) -> Outcome:
    """Once per `attempt` (one per page view: a double tap makes one card)."""
    fingerprint = request_fingerprint("TILL", "customers", [asdict(new), scope.staff_id])

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        return 201, enrolled(session, enrol(db, session, scope, new, "staff"))

    return run_once(db, scope.merchant_id, f"enrol:{attempt}", fingerprint, work)

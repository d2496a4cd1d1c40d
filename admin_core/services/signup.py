"""Sign-up: a new customer with a new card, the consents given with it and, when a password was
chosen, the activation link that completes it. The web form and the Wi-Fi splash both use it; each
channel says what it asks for (`SignupRules`).

One card per e-mail address (or, without one, per phone number) and merchant: when the address
has a card already, nothing is created and the caller learns which card, so that it can tell the
owner (and only the owner, by e-mail).
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from passlib.context import CryptContext
from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager
from stdnum import luhn

from loyalty_common.rules import (
    MAX_NAME,
    MIN_AGE,
    PHONE_DIGITS,
    age_on,
    is_person_name,
    is_phone_number,
    is_possible_birth_date,
)

from ..database import Database
from ..errors import Conflict, Invalid
from ..models import Card, ConsentKind, ContactRequired, Customer, CustomerSource, Merchant
from . import utcnow
from .bonuses import give_welcome
from .cards import CURRENT, enroll_customer
from .consents import ConsentContext, record_consents
from .merchants import find_store
from .portal_auth import ActivationTicket, check_password_rules, email_address, issue_activation

GENDERS = ("female", "male", "other", "undisclosed")  # undisclosed: "prefer not to say"
CARD_DIGITS = 12  # prefix + random digits; the Luhn check digit makes 13
MIN_RANDOM_DIGITS = 6
NUMBER_ATTEMPTS = 10
# The channel a sign-up came through (its consents' source) is where the customer signed up.
SIGNUP_SOURCES = {"portal_join": CustomerSource.WEB, "wifi": CustomerSource.WIFI}


class SignupOutcome(enum.Enum):
    CREATED = "created"
    EXISTING = "existing"  # the address has a card here already: nothing was created


@dataclass(frozen=True)
class SignupRules:
    """What a channel asks for: the web form wants a last name and an e-mail address; a Wi-Fi
    venue asks for a first name and the contact detail it chose."""

    last_name: bool = True
    contact: ContactRequired = ContactRequired.EMAIL


WEB = SignupRules()


@dataclass(frozen=True)
class SignupRequest:
    first_name: str
    terms: bool
    privacy: bool
    last_name: str = ""
    email: str | None = None
    marketing: bool = False
    phone: str | None = None
    gender: str | None = None  # one of GENDERS
    birth_date: date | None = None
    locale: str | None = None  # the language of the page signed up on
    store: str | None = None  # home store code (a Wi-Fi sign-up knows it)
    # None: no activation link; the customer activates later with the card number and e-mail.
    password: str | None = None


@dataclass(frozen=True)
class SignupResult:
    outcome: SignupOutcome
    card_number: str  # the new card, or the one the address has already
    email: str
    first_name: str  # as on file: an existing customer's, not what the form said
    locale: str | None
    activation: ActivationTicket | None  # CREATED with a password only


def customer_name(raw: str, code: str, what: str, *, required: bool = True) -> str:
    name = raw.strip()
    if not (1 if required else 0) <= len(name) <= MAX_NAME:
        raise Invalid(code, f"A {what} is 1-{MAX_NAME} characters.")
    return name


def person_name(raw: str, code: str, what: str, *, required: bool = True) -> str:
    """A name a customer gives themselves, which e-mails greet them with: letters (any script),
    spaces, apostrophes, hyphens and dots; nothing that reads as an address or a message."""
    name = customer_name(raw, code, what, required=required)
    if name and not is_person_name(name):
        raise Invalid(code, f"A {what} is letters, spaces, apostrophes, hyphens and dots.")
    return name


def phone_number(raw: str | None) -> str | None:
    phone = " ".join((raw or "").split())
    if not phone:
        return None
    if not is_phone_number(phone):
        low, high = PHONE_DIGITS
        raise Invalid("invalid_phone", f"A phone number is {low}-{high} digits (spaces, + and - allowed).")
    return phone


def checked_birth_date(born: date | None, today: date) -> date | None:
    if born is None:
        return None
    if not is_possible_birth_date(born, today):
        raise Invalid("invalid_birth_date", "This is not a possible date of birth.")
    if age_on(born, today) < MIN_AGE:
        raise Invalid("too_young", f"A card needs an age of at least {MIN_AGE}.")
    return born


def _contact(request: SignupRequest, contact: ContactRequired) -> tuple[str | None, str | None]:
    """The e-mail address and phone number, checked, with the one the channel requires."""
    email = (request.email or "").strip()
    phone = phone_number(request.phone)
    if contact is ContactRequired.EMAIL or email:
        email = email_address(email)
    if contact is ContactRequired.PHONE and phone is None:
        raise Invalid("phone_required", "A phone number is required here.")
    if contact is ContactRequired.EITHER and not (email or phone):
        raise Invalid("contact_required", "An e-mail address or a phone number is required here.")
    return email or None, phone


def checked(request: SignupRequest, today: date, rules: SignupRules = WEB) -> SignupRequest:
    """The request cleaned up (trimmed names, lower-case e-mail), or Invalid with the first rule
    it breaks, in the order of the form."""
    gender = request.gender or None
    if gender is not None and gender not in GENDERS:
        raise Invalid("invalid_gender", f"Gender is one of {', '.join(GENDERS)}.")
    email, phone = _contact(request, rules.contact)
    clean = replace(
        request,
        first_name=person_name(request.first_name, "invalid_first_name", "first name"),
        last_name=person_name(request.last_name, "invalid_last_name", "last name", required=rules.last_name),
        email=email,
        phone=phone,
        gender=gender,
        birth_date=checked_birth_date(request.birth_date, today),
        locale=request.locale or None,
        store=request.store or None,
    )
    if request.password is not None:
        check_password_rules(request.password)
    if not request.terms:
        raise Invalid("terms_required", "The terms must be accepted to get a card.")
    if not request.privacy:
        raise Invalid("privacy_required", "The privacy notice must be accepted to get a card.")
    return clean


def random_digits(count: int) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(count))


def new_card_number(prefix: str) -> str:
    """The merchant's prefix, random digits up to CARD_DIGITS, then a Luhn check digit: a typo in
    one digit, or two neighbours swapped, gives a number that is not valid."""
    if not prefix.isdigit() or len(prefix) > CARD_DIGITS - MIN_RANDOM_DIGITS:
        raise Conflict(
            "invalid_card_prefix",
            f"The merchant's card prefix must be 1-{CARD_DIGITS - MIN_RANDOM_DIGITS} digits.",
        )
    body = prefix + random_digits(CARD_DIGITS - len(prefix))
    return body + luhn.calc_check_digit(body)


def take_turn(session: Session, merchant_id: int, identity: str) -> None:
    """Sign-ups for one address (or phone number) at one merchant take turns, so that two
    identical submits cannot both find it free: customers' e-mail is not unique in the schema
    (imports may repeat one). SQLite's BEGIN IMMEDIATE already makes every writer take turns; on
    PostgreSQL a transaction-scoped advisory lock on the address does, and sign-ups for other
    addresses go on meanwhile."""
    if session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.sha256(f"signup:{merchant_id}:{identity}".encode()).digest()
    session.execute(select(func.pg_advisory_xact_lock(int.from_bytes(digest[:8], "big", signed=True))))


def existing_card(session: Session, merchant_id: int, email: str | None, phone: str | None) -> Card | None:
    """The card of the customer with this e-mail address or, without one, this phone number.
    The lookup starts from the customer's index (merchant and address) and reaches the card by its
    customer: a card's merchant is its customer's. Asked of the cards' merchant instead, PostgreSQL
    without planner statistics yet (a new venue's first minutes) walked every card of the merchant."""
    if email is not None:
        match = Customer.email == email
    elif phone is not None:
        match = Customer.phone == phone
    else:
        return None
    return session.scalar(
        select(Card)
        .join(Card.customer)
        .options(contains_eager(Card.customer))
        .where(
            Customer.merchant_id == merchant_id,
            match,
            Customer.deleted_at.is_(None),
            CURRENT,
        )
        .order_by(Card.id)
        .limit(1)
    )


def enroll_numbered(
    db: Database, session: Session, merchant: Merchant, number: str | None, **details: Any
) -> Card:
    """A new customer with a new card in the caller's transaction: on `number` (a pre-printed
    card's: Conflict card_exists when taken) or, without one, on a free new number."""
    if number is not None:
        return enroll_customer(db, merchant.id, number, session=session, **details)
    for _attempt in range(NUMBER_ATTEMPTS):
        try:
            return enroll_customer(
                db, merchant.id, new_card_number(merchant.card_prefix), session=session, **details
            )
        except Conflict as taken:
            if taken.code != "card_exists":
                raise
    raise Conflict("card_numbers_exhausted", "No free card number was found; try again.")


def sign_up(
    db: Database,
    session: Session,
    merchant: Merchant,
    request: SignupRequest,
    context: ConsentContext,
    now: datetime,
    versions: dict[ConsentKind, str] | None = None,
) -> tuple[SignupOutcome, Card]:
    """Inside the caller's transaction, a checked request (see `checked`): the card its address
    has here already (EXISTING, nothing stored), else a new customer and card (CREATED) with
    terms, privacy and the marketing choice recorded, on `versions` of the wordings when given."""
    identity = request.email or request.phone
    if identity is not None:
        take_turn(session, merchant.id, identity)
        existing = existing_card(session, merchant.id, request.email, request.phone)
        if existing is not None:
            return SignupOutcome.EXISTING, existing
    store_id, store = None, None
    if request.store is not None:
        store = find_store(session, merchant.id, request.store)
        if store is None:
            raise Invalid("unknown_store", "No such store.")
        store_id = store.id
        context = replace(context, store_id=context.store_id or store_id)
    card = enroll_numbered(
        db,
        session,
        merchant,
        None,
        first_name=request.first_name,
        last_name=request.last_name,
        email=request.email,
        phone=request.phone,
        locale=request.locale,
        gender=request.gender,
        birth_date=request.birth_date,
        store_id=store_id,
        source=SIGNUP_SOURCES.get(context.source),
    )
    record_consents(
        session,
        merchant,
        card.customer,
        {
            ConsentKind.TERMS: True,
            ConsentKind.PRIVACY: True,
            ConsentKind.MARKETING: request.marketing,
        },
        context,
        now,
        versions,
        first=True,
    )
    give_welcome(session, card, SIGNUP_SOURCES.get(context.source), store, now)
    return SignupOutcome.CREATED, card


def join(
    db: Database,
    hasher: CryptContext,
    merchant: Merchant,
    request: SignupRequest,
    context: ConsentContext,
    max_age: timedelta,
    now: datetime | None = None,
) -> SignupResult:
    """Sign up on the web at `merchant`: Invalid when a rule is broken (nothing is stored);
    EXISTING when the e-mail address has a card here already (nothing is stored either); else
    CREATED, with an activation link when a password was given."""
    now = now or utcnow()
    request = checked(request, now.date())
    password_hash = hasher.hash(request.password) if request.password is not None else None
    with db.write() as session:
        outcome, card = sign_up(db, session, merchant, request, context, now)
        activation = None
        if outcome is SignupOutcome.CREATED and password_hash is not None:
            activation = issue_activation(session, card, password_hash, max_age, now)
        holder = card.customer
        return SignupResult(
            outcome,
            card.number,
            request.email or "",
            holder.first_name,
            holder.locale,
            activation,
        )

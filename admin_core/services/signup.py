"""Sign-up: a new customer with a new card, the consents given with it and, when a password was
chosen, the activation link that completes it. The web form uses it; the Wi-Fi sign-up will too.

One card per e-mail address and merchant: when the address has a card already, nothing is created
and the caller learns which card, so that it can tell the owner (and only the owner, by e-mail).
"""

from __future__ import annotations

import enum
import re
import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from passlib.context import CryptContext
from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager
from stdnum import luhn

from ..database import Database
from ..errors import Conflict, Invalid
from ..models import Card, ConsentKind, Customer, Merchant
from . import utcnow
from .cards import enroll_customer
from .consents import ConsentContext, record_consents
from .merchants import find_store
from .portal_auth import ActivationTicket, check_password_rules, email_address, issue_activation

GENDERS = ("female", "male", "other", "undisclosed")  # undisclosed: "prefer not to say"
# The youngest age that may consent alone to an online service in Italy and Bulgaria (GDPR art. 8
# lets each country choose 13-16; Norway says 13). Younger customers sign up at the till.
MIN_AGE = 14
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
MAX_NAME = 100
PHONE = re.compile(r"^\+?[0-9][0-9 -]*$")
PHONE_DIGITS = (6, 20)
MAX_PHONE = 32  # the column's width, separators included
CARD_DIGITS = 12  # prefix + random digits; the Luhn check digit makes 13
MIN_RANDOM_DIGITS = 6
NUMBER_ATTEMPTS = 10


class SignupOutcome(enum.Enum):
    CREATED = "created"
    EXISTING = "existing"  # the address has a card here already: nothing was created


@dataclass(frozen=True)
class SignupRequest:
    first_name: str
    last_name: str
    email: str
    terms: bool
    privacy: bool
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


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def customer_name(raw: str, code: str, what: str) -> str:
    name = raw.strip()
    if not 1 <= len(name) <= MAX_NAME:
        raise Invalid(code, f"A {what} is 1-{MAX_NAME} characters.")
    return name


def phone_number(raw: str | None) -> str | None:
    phone = " ".join((raw or "").split())
    if not phone:
        return None
    digits = sum(char.isdigit() for char in phone)
    low, high = PHONE_DIGITS
    if not PHONE.match(phone) or not low <= digits <= high or len(phone) > MAX_PHONE:
        raise Invalid("invalid_phone", f"A phone number is {low}-{high} digits (spaces, + and - allowed).")
    return phone


def _birth_date(born: date | None, today: date) -> date | None:
    if born is None:
        return None
    if not EARLIEST_BIRTH_DATE <= born <= today:
        raise Invalid("invalid_birth_date", "This is not a possible date of birth.")
    if age_on(born, today) < MIN_AGE:
        raise Invalid("too_young", f"A card needs an age of at least {MIN_AGE}.")
    return born


def checked(request: SignupRequest, today: date) -> SignupRequest:
    """The request cleaned up (trimmed names, lower-case e-mail), or Invalid with the first rule
    it breaks, in the order of the form."""
    gender = request.gender or None
    if gender is not None and gender not in GENDERS:
        raise Invalid("invalid_gender", f"Gender is one of {', '.join(GENDERS)}.")
    clean = replace(
        request,
        first_name=customer_name(request.first_name, "invalid_first_name", "first name"),
        last_name=customer_name(request.last_name, "invalid_last_name", "last name"),
        email=email_address(request.email),
        phone=phone_number(request.phone),
        gender=gender,
        birth_date=_birth_date(request.birth_date, today),
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


def _card_of_address(session: Session, merchant_id: int, email: str) -> Card | None:
    return session.scalar(
        select(Card)
        .join(Card.customer)
        .options(contains_eager(Card.customer))
        .where(
            Card.merchant_id == merchant_id,
            Customer.email == email,
            Customer.deleted_at.is_(None),
        )
        .order_by(Card.id)
        .limit(1)
    )


def _enroll(
    db: Database, session: Session, merchant: Merchant, request: SignupRequest, store_id: int | None
) -> Card:
    for _attempt in range(NUMBER_ATTEMPTS):
        try:
            return enroll_customer(
                db,
                merchant.id,
                new_card_number(merchant.card_prefix),
                first_name=request.first_name,
                last_name=request.last_name,
                email=request.email,
                phone=request.phone,
                locale=request.locale,
                gender=request.gender,
                birth_date=request.birth_date,
                store_id=store_id,
                session=session,
            )
        except Conflict as taken:
            if taken.code != "card_exists":
                raise
    raise Conflict("card_numbers_exhausted", "No free card number was found; try again.")


def join(
    db: Database,
    hasher: CryptContext,
    merchant: Merchant,
    request: SignupRequest,
    context: ConsentContext,
    max_age: timedelta,
    now: datetime | None = None,
) -> SignupResult:
    """Sign up at `merchant`: Invalid when a rule is broken (nothing is stored); EXISTING when the
    e-mail address has a card here already (nothing is stored either); else CREATED, with terms,
    privacy and the marketing choice recorded, and an activation link when a password was given."""
    now = now or utcnow()
    request = checked(request, now.date())
    password_hash = hasher.hash(request.password) if request.password is not None else None
    with db.write() as session:
        # Sign-ups at one merchant take turns, so two identical submits cannot both find the
        # address free: customers' e-mail is not unique in the schema (imports may repeat one).
        # SQLite's BEGIN IMMEDIATE already makes writers take turns; FOR UPDATE is PostgreSQL's.
        session.execute(select(Merchant.id).where(Merchant.id == merchant.id).with_for_update())
        existing = _card_of_address(session, merchant.id, request.email)
        if existing is not None:
            holder = existing.customer
            return SignupResult(
                SignupOutcome.EXISTING,
                existing.number,
                request.email,
                holder.first_name,
                holder.locale,
                None,
            )
        store_id = None
        if request.store is not None:
            store = find_store(session, merchant.id, request.store)
            if store is None:
                raise Invalid("unknown_store", "No such store.")
            store_id = store.id
            context = replace(context, store_id=context.store_id or store_id)
        card = _enroll(db, session, merchant, request, store_id)
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
        )
        activation = None
        if password_hash is not None:
            activation = issue_activation(session, card, password_hash, max_age, now)
        return SignupResult(
            SignupOutcome.CREATED,
            card.number,
            request.email,
            request.first_name,
            request.locale,
            activation,
        )

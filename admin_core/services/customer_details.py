"""The merchant's admin corrects a customer's details on the customer card: name, e-mail address,
phone, date of birth, gender and language, by the rules a sign-up keeps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import update
from sqlalchemy.orm import Session

from ..database import Database
from ..errors import Conflict, Invalid
from ..models import Card, Customer, Merchant, PortalToken, StaffLevel
from . import utcnow
from .cards import get_card
from .portal_auth import email_address
from .signup import (
    GENDERS,
    MAX_NAME,
    checked_birth_date,
    customer_name,
    existing_card,
    phone_number,
    take_turn,
)
from .staff import StaffScope

# The scope: managers and users look a card up and search; the admin changes it.
EDITORS = (StaffLevel.ADMIN,)


@dataclass(frozen=True)
class CustomerChanges:
    """What to change; None keeps a value, an empty text removes it (the first name stays)."""

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    gender: str | None = None
    locale: str | None = None
    birth_date: date | None = None
    clear_birth_date: bool = False


def _last_name(raw: str) -> str:
    # May stay empty: cards enrolled at a till often carry a first name only.
    last = raw.strip()
    if len(last) > MAX_NAME:
        raise Invalid("invalid_last_name", f"A last name is at most {MAX_NAME} characters.")
    return last


def _choice(raw: str, allowed: list[str] | tuple[str, ...], code: str, what: str) -> str | None:
    value = raw.strip() or None
    if value is not None and value not in allowed:
        raise Invalid(code, f"{what} is one of {', '.join(allowed)}.")
    return value


def checked_changes(changes: CustomerChanges, merchant: Merchant, today: date) -> dict[str, object]:
    """The values to store, or Invalid with the first rule broken in the form's order (its code
    names the field)."""
    rules: dict[str, Callable[[str], object]] = {
        "first_name": lambda raw: customer_name(raw, "invalid_first_name", "first name"),
        "last_name": _last_name,
        "email": lambda raw: email_address(raw) if raw.strip() else None,
        "phone": phone_number,
        "gender": lambda raw: _choice(raw, GENDERS, "invalid_gender", "Gender"),
        "locale": lambda raw: _choice(
            raw, merchant.offered_locales.split(","), "invalid_language", "The language"
        ),
    }
    values = {
        name: rule(getattr(changes, name))
        for name, rule in rules.items()
        if getattr(changes, name) is not None
    }
    if changes.birth_date is not None or changes.clear_birth_date:
        values["birth_date"] = checked_birth_date(changes.birth_date, today)
    return values


def _check_email_free(session: Session, card: Card, email: str) -> None:
    """A sign-up refuses an address another customer of the merchant has: so does a correction.
    Changes of one address take turns (the sign-up's lock), so two cannot both find it free."""
    take_turn(session, card.merchant_id, email)
    holder = existing_card(session, card.merchant_id, email, None)
    if holder is not None and holder.customer_id != card.customer_id:
        raise Conflict("email_taken", "Another customer has this e-mail address.")


def change_customer(
    db: Database, scope: StaffScope, number: str, changes: CustomerChanges, today: date | None = None
) -> Card:
    """Store the changes; nothing changes when one is refused. A new e-mail address ends the
    links sent to the old one (activation, reset, e-mail change)."""
    scope.require(*EDITORS)
    with db.write() as session:
        card = get_card(session, scope.merchant_id, number, for_update=True)
        customer: Customer = card.customer
        if customer.deleted_at is not None:
            raise Conflict(
                "customer_erased", "This customer deleted their account: nothing is left to change."
            )
        merchant = session.get_one(Merchant, scope.merchant_id)
        values = checked_changes(changes, merchant, today or utcnow().date())
        email = values.get("email", customer.email)
        if isinstance(email, str) and email != customer.email:
            _check_email_free(session, card, email)
        if email != customer.email:
            session.execute(
                update(PortalToken)
                .where(PortalToken.card_id == card.id, PortalToken.used_at.is_(None))
                .values(used_at=utcnow())
            )
        for name, value in values.items():
            setattr(customer, name, value)
    return card

"""The rules both sides of the boundary apply to what a customer types: the site checks them at the
form (to answer at the field, in the customer's language), the core again (it trusts no caller).
Plain Python: the client, the site and the core all import it."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

LOCALES = ("en", "it", "bg", "nb")  # the languages of the portal, the splash and the e-mails
MIN_PASSWORD = 8
MAX_PASSWORD = 256
# The youngest age that may consent alone to an online service in Italy and Bulgaria (GDPR art. 8
# lets each country choose 13-16; Norway says 13). Younger customers sign up at the till.
MIN_AGE = 14
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
MAX_NAME = 100
NAME_MARKS = frozenset(" '\u2019-.")  # the typographic apostrophe too
# A dot followed by two letters is a web address ("evil.example"), not an initial ("J. R.").
NAME_ADDRESS = re.compile(r"\.[^\W\d_]{2}")
PHONE = re.compile(r"^\+?[0-9][0-9 -]*$")
PHONE_DIGITS = (6, 20)
MAX_PHONE = 32  # the column's width, separators included


def normalize_card_number(raw: str) -> str:
    """Card numbers are typed from under a barcode: spaces and dashes do not make another card,
    nor does the case."""
    return re.sub(r"[\s-]", "", raw).upper()


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def is_possible_birth_date(born: date, today: date) -> bool:
    return EARLIEST_BIRTH_DATE <= born <= today


def is_person_name(name: str) -> bool:
    """Letters (any script, accents too), spaces, apostrophes, hyphens and dots: nothing that reads
    as an address or a message when a name is written into an e-mail."""
    allowed = all(
        char.isalpha() or char in NAME_MARKS or unicodedata.category(char).startswith("M") for char in name
    )
    return allowed and any(char.isalpha() for char in name) and NAME_ADDRESS.search(name) is None


def is_phone_number(phone: str) -> bool:
    """6 to 20 digits; spaces, + and - are fine."""
    digits = sum(char.isdigit() for char in phone)
    low, high = PHONE_DIGITS
    return bool(PHONE.match(phone)) and low <= digits <= high and len(phone) <= MAX_PHONE

"""The rows of a customers file checked one by one: each becomes a card to create, or a rejection
with the line, a stable code and a message. A bad row never stops the others.

The rules are the sign-up's where they apply (names, e-mail, phone, gender) with what a merchant's
own records need besides: no minimum age, opening balances, consents that may be absent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from loyalty_common.inputs import CONTROL
from loyalty_common.rules import EARLIEST_BIRTH_DATE, LOCALES, normalize_card_number

from ..errors import Invalid
from ..models import ConsentKind
from .cards import CARD_NUMBER
from .ledger import MAX_MONEY, MAX_POINTS
from .portal_auth import email_address
from .signup import GENDERS, customer_name, phone_number

GENDER_ALIASES = {"f": "female", "m": "male"}
# Day first, as written in Italy, Bulgaria and Norway (31/12/1990, 31.12.1990, 31-12-1990); Excel's
# date cells arrive as YYYY-MM-DD.
DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
MONEY = re.compile(r"^\d{1,9}(?:[.,]\d+)?$")
POINTS = re.compile(r"^[0-9]{1,9}$")  # ASCII digits: "²" is a digit to str.isdigit, not to int()
YES = frozenset(["yes", "y", "true", "1", "sì", "si", "да", "ja"])
NO = frozenset(["no", "n", "false", "0", "не", "nei"])
CONSENTS = (ConsentKind.MARKETING, ConsentKind.NOTIFY_EMAIL, ConsentKind.NOTIFY_SMS)  # columns named as kinds
MAX_CARD_TEXT = 64  # of a rejected row's card as the report repeats it


@dataclass(frozen=True)
class RowRules:
    """What checking a row needs to know of the merchant."""

    today: date
    currency: str
    currency_precision: int  # decimals of the currency: credit is written in units, kept in minor units
    store_id: Callable[[str], int | None]  # the merchant's store with this code


@dataclass(frozen=True)
class NewCard:
    """A row that passed every check: a customer and card to create, unless the number exists."""

    number: str
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    gender: str | None
    birth_date: date | None
    locale: str | None
    store_id: int | None
    points: int
    credit: int  # minor units
    consents: dict[ConsentKind, bool]  # the choices the row gives; an empty cell gives none


@dataclass(frozen=True)
class Problem:
    column: str
    code: str
    message: str


class InvalidRow(Invalid):
    """A row breaking one rule or more: the first names the row's code, all are reported."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].code, problems[0].message)
        self.problems = problems


@dataclass(frozen=True)
class Rejection:
    line: int
    card: str
    code: str  # of the first problem
    message: str
    problems: list[Problem]


@dataclass
class CheckedRows:
    rows: int = 0
    good: list[NewCard] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


def _gender(raw: str) -> str | None:
    gender = GENDER_ALIASES.get(raw.lower(), raw.lower())
    if gender and gender not in GENDERS:
        raise Invalid("invalid_gender", f"Gender is one of {', '.join(GENDERS)} (or f, m, or empty).")
    return gender or None


def _birth_date(raw: str, today: date) -> date | None:
    if not raw:
        return None
    day_first = DAY_FIRST.match(raw)
    try:
        born = date(*map(int, day_first.group(3, 2, 1))) if day_first else date.fromisoformat(raw)
    except ValueError:
        born = None
    # Not the sign-up's rule: a merchant's own records may hold minors, so no minimum age here.
    if born is None or not EARLIEST_BIRTH_DATE <= born <= today:
        raise Invalid(
            "invalid_birth_date",
            f"'{raw}' is not a possible date of birth (YYYY-MM-DD or DD/MM/YYYY, from "
            f"{EARLIEST_BIRTH_DATE.year} to today).",
        )
    return born


def _language(raw: str) -> str | None:
    language = raw.lower()
    if language and language not in LOCALES:
        raise Invalid("invalid_language", f"Language is one of {', '.join(LOCALES)} (or empty).")
    return language or None


def _store(raw: str, rules: RowRules) -> int | None:
    if not raw:
        return None
    store_id = rules.store_id(raw)
    if store_id is None:
        raise Invalid("unknown_store", f"No store '{raw}' at this merchant.")
    return store_id


def _points(raw: str) -> int:
    if not raw:
        return 0
    if not POINTS.match(raw) or int(raw) > MAX_POINTS:
        raise Invalid("invalid_points", f"Points are a whole number from 0 to {MAX_POINTS}.")
    return int(raw)


def _credit(raw: str, rules: RowRules) -> int:
    """'12.50' or '12,50' in currency units, as minor units."""
    if not raw:
        return 0
    amount = Decimal(raw.replace(",", ".")) if MONEY.match(raw) else None
    exponent = amount.as_tuple().exponent if amount is not None else 0
    if amount is None or not isinstance(exponent, int) or -exponent > rules.currency_precision:
        raise Invalid(
            "invalid_credit",
            f"Credit is an amount in {rules.currency} such as 12.50, with at most "
            f"{rules.currency_precision} decimals.",
        )
    minor = int(amount.scaleb(rules.currency_precision))
    if minor > MAX_MONEY:
        raise Invalid("invalid_credit", f"Credit is at most {MAX_MONEY} minor units of {rules.currency}.")
    return minor


def _consent(raw: str, column: str) -> bool | None:
    """Yes or no in English, Italian, Bulgarian or Norwegian; None for an empty cell."""
    answer = raw.casefold()
    if answer in YES or answer in NO:
        return answer in YES
    if answer:
        raise Invalid("invalid_consent", f"{column}: yes or no (or empty when not asked).")
    return None


def check_row(number: str, fields: dict[str, str], rules: RowRules) -> NewCard:
    """The row as a card to create, or InvalidRow with every rule it breaks, column by column."""
    problems: list[Problem] = []

    def read(column: str, parse: Callable[[str], Any]) -> Any:
        try:
            return parse(fields.get(column, ""))
        except Invalid as broken:
            problems.append(Problem(column, broken.code, broken.message))
            return None

    card = NewCard(
        number=number,
        first_name=read(
            "first_name",
            lambda raw: customer_name(raw, "invalid_first_name", "first name", required=False),
        ),
        last_name=read(
            "last_name",
            lambda raw: customer_name(raw, "invalid_last_name", "last name", required=False),
        ),
        email=read("email", lambda raw: email_address(raw) if raw else None),
        phone=read("phone", lambda raw: phone_number(raw or None)),
        gender=read("gender", _gender),
        birth_date=read("birth_date", lambda raw: _birth_date(raw, rules.today)),
        locale=read("language", _language),
        store_id=read("store", lambda raw: _store(raw, rules)),
        points=read("points", _points),
        credit=read("credit", lambda raw: _credit(raw, rules)),
        consents={
            kind: answer
            for kind in CONSENTS
            if (answer := read(kind.value, partial(_consent, column=kind.value))) is not None
        },
    )
    if problems:
        raise InvalidRow(problems)
    return card


def _card_number(raw: str) -> str:
    if not raw:
        raise Invalid("missing_card_number", "The row has no card number.")
    number = normalize_card_number(raw)
    if not CARD_NUMBER.match(number):
        raise Invalid("invalid_card_number", "A card number is 4-32 letters or digits.")
    return number


def check(rows: Iterable[tuple[int, dict[str, str]]], rules: RowRules) -> CheckedRows:
    """Every row checked. A card number seen on an earlier line rejects the later row, whatever
    became of the earlier one: the file says two different things about one card."""
    checked = CheckedRows()
    first_line: dict[str, int] = {}
    for line, fields in rows:
        checked.rows += 1
        card = fields.get("card_number", "")
        try:
            if any(CONTROL.search(value) for value in fields.values()):
                raise Invalid("invalid_text", "The row holds a control character.")
            card = _card_number(card)
            if card in first_line:
                raise Invalid("duplicate_card", f"Duplicate card, first on line {first_line[card]}.")
            first_line[card] = line
            checked.good.append(check_row(card, fields, rules))
        except InvalidRow as broken:
            checked.rejections.append(
                Rejection(line, card[:MAX_CARD_TEXT], broken.code, broken.message, broken.problems)
            )
        except Invalid as broken:
            column = "" if broken.code == "invalid_text" else "card_number"
            problem = Problem(column, broken.code, broken.message)
            checked.rejections.append(
                Rejection(line, card[:MAX_CARD_TEXT], broken.code, broken.message, [problem])
            )
    return checked

"""What a customer is found by: each searchable field folded the way a search is typed.

A name is casefolded with its accents taken off (NFKD, combining marks dropped), so "josé",
"JOSE" and "José" are one key; both "first last" and "last first" are kept, so that either order
of a name finds it by its start. A phone number is its digits only ("+39 333-12" and
"0039 333 12" are "3933312").
A search folds what is typed the same way and matches the start of a key (see
services/customer_search.py), served by one index per key and merchant.
"""

from __future__ import annotations

import unicodedata

NAME_KEY = 255  # characters of a name key (folding may lengthen a name: "ß" is "ss")
EMAIL_KEY = 254
PHONE_KEY = 32
# Letters that NFKD leaves whole (no combining mark to drop), written as they are typed without them.
BARE_LETTERS = str.maketrans({"ø": "o", "đ": "d", "ł": "l", "æ": "ae", "œ": "oe", "þ": "th", "\u0131": "i"})


def fold(text: str) -> str:
    """Casefolded, without accents (Ødegård is odegard), runs of white space made one space."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().translate(BARE_LETTERS).split())


def digits(text: str) -> str:
    return "".join(char for char in text if char.isdigit() and char.isascii())


def phone_key(text: str) -> str:
    """Its digits, an international "00" written as the "+" it stands for (0039 is +39)."""
    number = digits(text)
    return number[2:] if number.startswith("00") else number


def name_keys(first_name: str, last_name: str) -> tuple[str, str]:
    first, last = fold(first_name), fold(last_name)
    return f"{first} {last}".strip()[:NAME_KEY], f"{last} {first}".strip()[:NAME_KEY]


def customer_keys(
    first_name: str, last_name: str, email: str | None, phone: str | None
) -> dict[str, str | None]:
    """The search columns of a customer with these details."""
    name, reversed_name = name_keys(first_name, last_name)
    return {
        "search_name": name,
        "search_name_reversed": reversed_name,
        "search_email": fold(email)[:EMAIL_KEY] or None if email else None,
        "search_phone": phone_key(phone)[:PHONE_KEY] or None if phone else None,
    }

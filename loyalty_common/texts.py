"""Texts the merchant writes, in several languages. A text's own column holds it in the merchant's
default language; `translations` holds the other offered languages, by language then field:
``{"it": {"name": "Caffè omaggio"}}``. A language that leaves a field out shows the default's.
Plain Python: the core checks and stores them, the site and the splash show them."""

from __future__ import annotations

from collections.abc import Mapping

Translations = Mapping[str, Mapping[str, str]]

LANGUAGE_NAMES = {
    "en": "English",
    "it": "Italiano",
    "bg": "Български",
    "nb": "Norsk bokmål",
}


def in_language(default: str, translations: Translations | None, locale: str, field: str) -> str:
    """The field's text in `locale`, else the default language's."""
    return (translations or {}).get(locale, {}).get(field) or default


def translated(thing: object, field: str, locale: str) -> str:
    """`thing.<field>` in `locale`, for anything that carries its `translations`."""
    return in_language(getattr(thing, field), getattr(thing, "translations", None), locale, field)

"""Languages and money. The locale is the customer's saved language, else the browser's, else the
merchant's default."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import get_currency_precision
from flask import Flask, g, request, session
from flask_babel import Babel, format_currency, get_locale

LOCALES = ("en", "it", "bg", "nb")
LANGUAGE_NAMES = {
    "en": "English",
    "it": "Italiano",
    "bg": "Български",
    "nb": "Norsk bokmål",
}


def select_locale() -> str:
    saved = session.get("locale")
    if saved in LOCALES:
        return str(saved)
    browser = request.accept_languages.best_match(LOCALES)
    if browser:
        return browser
    merchant = getattr(g, "merchant", None)
    if merchant is not None and merchant.default_locale in LOCALES:
        return str(merchant.default_locale)
    return "en"


def select_timezone() -> str | None:
    merchant = getattr(g, "merchant", None)
    return merchant.timezone if merchant is not None else None


def money(minor_units: int, currency: str) -> str:
    amount = Decimal(minor_units).scaleb(-get_currency_precision(currency))
    return format_currency(amount, currency)


def remember_language_choice() -> None:
    """`?lang=xx` on any page switches the language for this browser."""
    chosen = request.args.get("lang")
    if chosen in LOCALES:
        session["locale"] = chosen


def init_i18n(app: Flask) -> None:
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.before_request(remember_language_choice)
    app.jinja_env.filters["money"] = money
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    app.jinja_env.globals["current_locale"] = current_locale


def current_locale() -> str:
    return str(get_locale() or "en")

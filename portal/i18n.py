"""Languages and money. The locale is the customer's saved language, else the browser's, else the
merchant's default."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from babel.dates import get_datetime_format
from babel.numbers import get_currency_precision
from flask import Flask, g, request, session
from flask_babel import Babel, format_currency, format_date, format_time, get_locale, to_user_timezone

from loyalty_common.rules import LOCALES
from loyalty_common.texts import LANGUAGE_NAMES, translated


def offered() -> tuple[str, ...]:
    """The languages of this request's merchant (all of ours without one)."""
    merchant = getattr(g, "merchant", None)
    chosen = tuple(locale for locale in LOCALES if merchant is None or locale in merchant.offered_locales)
    return chosen or LOCALES


def select_locale() -> str:
    languages = offered()
    saved = session.get("locale")
    if saved in languages:
        return str(saved)
    browser = request.accept_languages.best_match(languages)
    if browser:
        return browser
    merchant = getattr(g, "merchant", None)
    if merchant is not None and merchant.default_locale in languages:
        return str(merchant.default_locale)
    return languages[0]


def offered_languages() -> list[tuple[str, str]]:
    """(code, name) of the languages the page offers to switch to."""
    return [(code, LANGUAGE_NAMES[code]) for code in offered()]


def select_timezone() -> str | None:
    merchant = getattr(g, "merchant", None)
    return merchant.timezone if merchant is not None else None


def money(minor_units: int, currency: str) -> str:
    amount = Decimal(minor_units).scaleb(-get_currency_precision(currency))
    return format_currency(amount, currency)


def when(moment: datetime) -> str:
    """Date and time (to the minute) in the merchant's time zone, as the customer's language
    writes them: "10 Mar 2024, 00:30", "10 mar 2024, 00:30"."""
    glue = str(get_datetime_format("medium", locale=get_locale())).replace("'", "")
    return glue.replace("{0}", format_time(moment, "short")).replace("{1}", format_date(moment, "medium"))


def until(end: datetime) -> str:
    """The end of a validity period (exclusive), as a customer reads it: a period ending at
    midnight in the merchant's time zone is valid until the day before, inclusive."""
    local = to_user_timezone(end)
    if local.time() == time(0, 0):
        return str(format_date(local.date() - timedelta(days=1), "medium"))
    return when(end)


def remember_language_choice() -> None:
    """`?lang=xx` on any page switches the language for this browser."""
    chosen = request.args.get("lang")
    if chosen in LOCALES:
        session["locale"] = chosen


def init_i18n(app: Flask) -> None:
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.before_request(remember_language_choice)
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["until"] = until
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    app.jinja_env.globals["offered_languages"] = offered_languages
    app.jinja_env.globals["current_locale"] = current_locale
    app.jinja_env.globals["local"] = local


def local(thing: object, field: str) -> str:
    """A merchant's text in the page's language (loyalty_common/texts.py): `local(reward, "name")`."""
    return translated(thing, field, current_locale())


def current_locale() -> str:
    return str(get_locale() or "en")

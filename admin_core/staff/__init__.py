"""The core's small web UI for staff: a till tool (card lookup, operations, vouchers), a store's
coupons and figures, and for the merchant's admin the staff, the portal settings and imports.
Server-rendered with Flask-WTF forms, in the site's languages."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from babel.numbers import get_currency_precision
from flask import Flask, request, session
from flask_babel import Babel, format_currency, get_locale
from flask_login import LoginManager, current_user

from .auth import load_staff
from .limits import init_limits

LOCALES = ("en", "it", "bg", "nb")
TRANSLATIONS = Path(__file__).resolve().parent.parent.parent / "translations"


def select_locale() -> str:
    chosen = session.get("staff_locale")
    if chosen in LOCALES:
        return str(chosen)
    return request.accept_languages.best_match(LOCALES) or "en"


def select_timezone() -> str | None:
    """Times are the merchant's, as its tills and receipts show them."""
    return str(current_user.staff.merchant.timezone) if current_user.is_authenticated else None


def money(minor_units: int, currency: str) -> str:
    return str(format_currency(Decimal(minor_units).scaleb(-get_currency_precision(currency)), currency))


def init_staff(app: Flask) -> None:
    app.config.setdefault("SESSION_COOKIE_NAME", "loyalty_staff")
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        app.config["SESSION_COOKIE_SECURE"] = not app.debug
    # The API is called with keys, not cookies: only the staff pages check CSRF (staff/views).
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.globals["money"] = money
    app.jinja_env.globals["get_locale"] = get_locale
    login = LoginManager(app)
    login.user_loader(load_staff)
    login.login_view = "staff.login"
    login.login_message = ""

    from . import (  # noqa: F401  (the routes)
        figures_views,
        import_views,
        settings_views,
        team_views,
        till_views,
        views,
    )
    from .blueprint import bp
    from .messages import level_name, reason

    app.register_blueprint(bp)
    app.jinja_env.globals["reason"] = reason
    app.jinja_env.globals["level_name"] = level_name
    init_limits(app)

"""The core's small web UI for staff: a till tool (card lookup, operations, vouchers), a store's
coupons and figures, and for the merchant's admin the staff, the portal settings and imports.
Server-rendered with Flask-WTF forms, in the site's languages."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from babel.numbers import get_currency_precision
from flask import Flask, request, session
from flask_babel import Babel, format_currency, get_locale, to_user_timezone
from flask_login import LoginManager, current_user

from loyalty_common.rules import LOCALES

from .auth import load_staff
from .limits import init_limits

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


def last_day(end: datetime) -> date:
    """The last day a period ending at `end` (exclusive) covers, in the merchant's time zone: one
    ending at midnight covers the day before, as a coupon's customers read it."""
    local = to_user_timezone(end)
    return (local - timedelta(days=1)).date() if local.time() == time(0) else local.date()


def init_staff(app: Flask) -> None:
    # The API is called with keys, not cookies: only the staff pages check CSRF (staff/views).
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.globals["money"] = money
    app.jinja_env.filters["last_day"] = last_day
    app.jinja_env.globals["get_locale"] = get_locale
    login = LoginManager(app)
    login.user_loader(load_staff)
    login.login_view = "staff.login"
    login.login_message = ""

    from . import (  # noqa: F401  (the routes)
        campaign_views,
        coupon_use_views,
        customer_card_views,
        customer_group_views,
        customer_views,
        enrol_views,
        figures_views,
        hotspot_views,
        import_views,
        join_views,
        pass_views,
        program_views,
        reset_views,
        reward_views,
        settings_views,
        stamp_views,
        store_views,
        team_views,
        till_views,
        views,
        wallet_google_views,
        wallet_views,
    )
    from .blueprint import bp
    from .messages import level_name, reason, status_name

    app.register_blueprint(bp)
    app.jinja_env.globals["reason"] = reason
    app.jinja_env.globals["level_name"] = level_name
    app.jinja_env.globals["status_name"] = status_name
    init_limits(app)

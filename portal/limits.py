"""Throttling of the forms that guess passwords or send e-mail: login, activation, reset, join;
the site's other parts bring their own rules (the Wi-Fi splash's are in captive.limits).

Flask-Limiter does the counting. Counters live in memory (one process) unless
RATELIMIT_STORAGE_URI (env FLASK_RATELIMIT_STORAGE_URI) names a shared store such as
`redis://host:6379/0`, which every process of the site then shares.

A view takes its limits with one of the decorators below, placed under `@bp.route`. Only POSTs
count: showing a form is never limited.

The Limiter is built per app in `init_limits`, like Babel in `i18n`: Flask-Limiter keeps its
storage and key prefix on the Limiter object, so one module-level instance bound to two apps (the
tests build one app per test, and two to stand for two processes) would run every app on the
counters of the last one bound.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, g, request
from flask.wrappers import Response
from flask_limiter import Limit, Limiter
from flask_login import current_user

from loyalty_common.rules import normalize_card_number
from loyalty_common.settings import rate_limit

View = TypeVar("View", bound=Callable[..., Any])

EXTENSION = "loyalty_portal.limiter"
MARKS = "portal_rate_limits"  # attribute of a view function: the names of its limits
# Attribute of a view that asks a logged-in customer's password again: when a POST of it does.
ASKS_PASSWORD = "portal_asks_password"

LOGIN_PER_IP = "RATELIMIT_LOGIN_PER_IP"
LOGIN_FAILURES_PER_CARD = "RATELIMIT_LOGIN_FAILURES_PER_CARD"
FORMS_PER_IP = "RATELIMIT_FORMS_PER_IP"
FORMS_PER_CUSTOMER = "RATELIMIT_FORMS_PER_CUSTOMER"

DEFAULTS = {
    "RATELIMIT_STORAGE_URI": "memory://",
    # Redis down: count in this process's memory meanwhile (the same limits, per process) rather
    # than refuse every login; Flask-Limiter logs the switch and goes back when Redis answers.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    # A Redis that takes connections and says nothing (paused, cut off by the network) is down
    # too: without these the forms would wait for it for ever. Redis answers in a millisecond.
    "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    # Every login attempt from one address.
    LOGIN_PER_IP: "30 per minute",
    # Wrong passwords on one card from any address; once reached, that card's login is refused,
    # even with the right password, until the window has passed.
    LOGIN_FAILURES_PER_CARD: "10 per 15 minutes",
    # Activation, reset and join: sends of each form from one address...
    FORMS_PER_IP: "10 per hour",
    # ...and for one card number (activation) or one e-mail address (reset, join).
    FORMS_PER_CUSTOMER: "5 per hour",
}


def client_ip() -> str:
    # Behind reverse proxies, set PROXIES (FLASK_PROXIES) to their number: create_app then wraps
    # the app in werkzeug's ProxyFix, and this is the client's address again.
    return request.remote_addr or ""


def customer_key(kind: str, value: str) -> str:
    """Per merchant, as card numbers are. A digest: the counter store holds no e-mail addresses
    or card numbers, and keys stay short whatever is typed."""
    if not value:
        return ""
    merchant = g.get("merchant")
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"{kind}:{merchant.slug if merchant else '-'}:{digest}"


def card_key() -> str:
    """The card typed in the form; on a view that asks the logged-in customer's password again,
    their card when this POST asks it (else nothing: not counted)."""
    view = current_app.view_functions.get(request.endpoint or "")
    asks: Callable[[], bool] | None = getattr(view, ASKS_PASSWORD, None)
    if asks is None:
        return customer_key("card", normalize_card_number(request.form.get("card", "")))
    if not (current_user.is_authenticated and asks()):
        return ""
    return customer_key("card", normalize_card_number(current_user.number))


def email_key() -> str:
    return customer_key("email", request.form.get("email", "").strip().lower())


def _failed_login(response: Response) -> bool:
    return response.status_code == 401


def mark_limits(view: View, *names: str) -> View:
    setattr(view, MARKS, frozenset(getattr(view, MARKS, ())) | set(names))
    return view


def limit_login(view: View) -> View:
    """Under `@bp.route` of the login view: attempts per address, failed attempts per card."""
    return mark_limits(view, "login-ip", "login-card")


def limit_password_check(asks: Callable[[], bool]) -> Callable[[View], View]:
    """Under `@bp.route` of a view that asks the logged-in customer's current password again (on
    the POSTs where `asks()`): each wrong one (answered 401) counts with the card's failed logins,
    and once they reach the limit it is refused like the login, even with the right password."""

    def decorate(view: View) -> View:
        setattr(view, ASKS_PASSWORD, asks)
        return mark_limits(view, "login-card")

    return decorate


def limit_by_card_and_ip(view: View) -> View:
    """Under `@bp.route` of the activation view: sends per address and per card number."""
    return mark_limits(view, "form-ip", "form-card")


def limit_by_email_and_ip(view: View) -> View:
    """Under `@bp.route` of the reset and join views (`/p/<m>/reset`, `/p/<m>/join`): sends per
    address and per e-mail address (the form's `email` field)."""
    return mark_limits(view, "form-ip", "form-email")


# name (the scope in the counter's key): setting, what it counts by, which responses count
# (None: every POST). One counter per view, except for the names in SHARED.
Rule = tuple[str, Callable[[], str], Callable[[Response], bool] | None]
LIMITS: dict[str, Rule] = {
    "login-ip": (LOGIN_PER_IP, client_ip, None),
    "login-card": (LOGIN_FAILURES_PER_CARD, card_key, _failed_login),
    "form-ip": (FORMS_PER_IP, client_ip, None),
    "form-card": (FORMS_PER_CUSTOMER, card_key, None),
    "form-email": (FORMS_PER_CUSTOMER, email_key, None),
}


# Every view that checks a card's password counts on the login's counter of that card.
SHARED = frozenset({"login-card"})


def _limit(app: Flask, name: str, rule: Rule) -> Limit:
    setting, key_func, deduct_when = rule
    value = rate_limit(app.config, setting)

    def exempt() -> bool:
        """Not one of this view's limits, or nothing to count by (the form is refused anyway)."""
        view = current_app.view_functions.get(request.endpoint or "")
        return name not in getattr(view, MARKS, ()) or not key_func()

    return Limit(
        value,
        key_function=key_func,
        scope=name,
        shared=name in SHARED,
        methods=["POST"],
        exempt_when=exempt,
        deduct_when=deduct_when,
    )


def init_limits(app: Flask, rules: dict[str, Rule], defaults: dict[str, str]) -> None:
    """The portal's limits and another part's `rules` (its settings' `defaults` beside them)."""
    for setting, value in {**DEFAULTS, **defaults}.items():
        app.config.setdefault(setting, value)
    every = {**LIMITS, **rules}
    limiter = Limiter(client_ip, default_limits=[_limit(app, name, rule) for name, rule in every.items()])
    # Its own logger has only a NullHandler: "Redis is not answering, counting in memory" would
    # reach no log. The app's logger is the server's.
    limiter.logger = app.logger
    limiter.request_filter(_unlimited)
    limiter.init_app(app)
    app.extensions[EXTENSION] = limiter


def _unlimited() -> bool:
    """Showing a page, or a view with no limits: passed over before any limit is looked at (the
    dashboard and every other page pay nothing for throttling)."""
    view = current_app.view_functions.get(request.endpoint or "")
    return request.method != "POST" or not getattr(view, MARKS, None)


def retry_after() -> int:
    """Seconds until the limit this request ran into lets the next attempt through."""
    limiter: Limiter | None = current_app.extensions.get(EXTENSION)
    hit = limiter.current_limit if limiter else None
    if hit is None:
        return 60
    return max(1, math.ceil(hit.window.reset_time - time.time()))

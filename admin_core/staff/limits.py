"""Throttling of the staff login: attempts per address, wrong passwords per account (at the login
and when "My account" asks the current password again), wrong codes per account waiting for its
second factor; and of the "forgot your password" form, which sends e-mail: per address and per
account. Counters live where the site's do (memory, or the shared
store RATELIMIT_STORAGE_URI names, e.g. Redis), under the core's own key prefix."""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable

from flask import Flask, current_app, request, session
from flask.wrappers import Response
from flask_limiter import Limit, Limiter
from flask_login import current_user

from loyalty_common.settings import rate_limit

EXTENSION = "loyalty_core.limiter"
DEFAULTS = {
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_KEY_PREFIX": "loyalty-core",
    "RATELIMIT_STAFF_LOGIN_PER_IP": "30 per minute",
    # Wrong passwords, or wrong codes, for one account from anywhere: then its login waits.
    "RATELIMIT_STAFF_FAILURES_PER_ACCOUNT": "10 per 15 minutes",
    # Requests for a password reset link: from one address, and for one account.
    "RATELIMIT_STAFF_RESETS_PER_IP": "10 per hour",
    "RATELIMIT_STAFF_RESETS_PER_ACCOUNT": "3 per hour",
}
LOGIN = "staff.login"
CODE = "staff.login_code"
RESET = "staff.forgot_password"
ACCOUNT = "staff.account"  # asks the current password to change it


def client_ip() -> str:
    return request.remote_addr or ""


def account_key() -> str:
    """The account being logged in to (or asked a reset link for): the merchant and e-mail typed, the
    pending account on the code step, one's own on "My account". A digest: the counter store holds
    no addresses."""
    if request.endpoint == ACCOUNT:
        staff = current_user.staff if current_user.is_authenticated else None
        who = f"{staff.merchant.slug}:{staff.email}" if staff else ""
    elif request.endpoint == CODE:
        pending = session.get("staff_pending")
        who = f"id:{pending[0]}" if pending else ""
    else:
        email = request.form.get("email", "").strip().lower()
        who = f"{request.form.get('merchant', '').strip().lower()}:{email}" if email else ""
    return hashlib.sha256(who.encode()).hexdigest()[:32] if who else ""


def _refused(response: Response) -> bool:
    return response.status_code == 401


def _other_than(*endpoints: str) -> Callable[[], bool]:
    return lambda: request.endpoint not in endpoints


def _limit(
    app: Flask,
    setting: str,
    key: Callable[[], str],
    *endpoints: str,
    counts: Callable[[Response], bool] | None = None,
) -> Limit:
    """One counter for all `endpoints` together, not one each."""
    not_here = _other_than(*endpoints)
    return Limit(
        rate_limit(app.config, setting),
        key_function=key,
        scope=setting.removeprefix("RATELIMIT_").lower(),
        shared=True,
        methods=["POST"],
        exempt_when=lambda: not_here() or not key(),
        deduct_when=counts,
    )


def init_limits(app: Flask) -> None:
    for setting, value in DEFAULTS.items():
        app.config.setdefault(setting, value)
    limits: list[str | Callable[[], str] | Limit] = [
        _limit(app, "RATELIMIT_STAFF_LOGIN_PER_IP", client_ip, LOGIN, CODE),
        _limit(
            app, "RATELIMIT_STAFF_FAILURES_PER_ACCOUNT", account_key, LOGIN, CODE, ACCOUNT, counts=_refused
        ),
        _limit(app, "RATELIMIT_STAFF_RESETS_PER_IP", client_ip, RESET),
        _limit(app, "RATELIMIT_STAFF_RESETS_PER_ACCOUNT", account_key, RESET),
    ]
    limiter = Limiter(client_ip, default_limits=limits)
    # Its own logger has only a NullHandler: "Redis is not answering, counting in memory" would
    # reach no log. The app's logger is the server's.
    limiter.logger = app.logger
    # Every other request of the core (its API above all) is passed over at once.
    limiter.request_filter(_other_than(LOGIN, CODE, RESET, ACCOUNT))
    limiter.init_app(app)
    app.extensions[EXTENSION] = limiter


def retry_after() -> int:
    limiter: Limiter | None = current_app.extensions.get(EXTENSION)
    hit = limiter.current_limit if limiter else None
    return 60 if hit is None else max(1, math.ceil(hit.window.reset_time - time.time()))

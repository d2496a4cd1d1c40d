"""Throttling of the staff login: attempts per address, wrong passwords per account, wrong codes
per account waiting for its second factor. Counters live where the site's do (memory, or the
shared store RATELIMIT_STORAGE_URI names, e.g. Redis), under the core's own key prefix."""

from __future__ import annotations

import hashlib
import math
import time

from flask import Flask, current_app, request, session
from flask.wrappers import Response
from flask_limiter import Limit, Limiter

EXTENSION = "loyalty_core.limiter"
DEFAULTS = {
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_KEY_PREFIX": "loyalty-core",
    "RATELIMIT_STAFF_LOGIN_PER_IP": "30 per minute",
    # Wrong passwords, or wrong codes, for one account from anywhere: then its login waits.
    "RATELIMIT_STAFF_FAILURES_PER_ACCOUNT": "10 per 15 minutes",
}
LOGIN = "staff.login"
CODE = "staff.login_code"


def client_ip() -> str:
    return request.remote_addr or ""


def account_key() -> str:
    """The account being logged in to: its e-mail on the password step, the pending account on the
    code step. A digest: the counter store holds no addresses."""
    if request.endpoint == CODE:
        pending = session.get("staff_pending")
        who = f"id:{pending[0]}" if pending else ""
    else:
        who = request.form.get("email", "").strip().lower()
    return hashlib.sha256(who.encode()).hexdigest()[:32] if who else ""


def _refused(response: Response) -> bool:
    return response.status_code == 401


def _not_logging_in() -> bool:
    return request.endpoint not in (LOGIN, CODE)


def init_limits(app: Flask) -> None:
    for setting, value in DEFAULTS.items():
        app.config.setdefault(setting, value)
    per_ip = Limit(
        str(app.config["RATELIMIT_STAFF_LOGIN_PER_IP"]),
        key_function=client_ip,
        scope="staff-login-ip",
        methods=["POST"],
    )
    per_account = Limit(
        str(app.config["RATELIMIT_STAFF_FAILURES_PER_ACCOUNT"]),
        key_function=account_key,
        scope="staff-login-account",
        methods=["POST"],
        exempt_when=lambda: not account_key(),
        deduct_when=_refused,
    )
    limiter = Limiter(client_ip, default_limits=[per_ip, per_account])
    # Every other request of the core (its API above all) is passed over at once.
    limiter.request_filter(_not_logging_in)
    limiter.init_app(app)
    app.extensions[EXTENSION] = limiter


def retry_after() -> int:
    limiter: Limiter | None = current_app.extensions.get(EXTENSION)
    hit = limiter.current_limit if limiter else None
    return 60 if hit is None else max(1, math.ceil(hit.window.reset_time - time.time()))

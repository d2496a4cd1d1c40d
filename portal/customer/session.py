"""Who is logged in: a card of one merchant, as of one version of its credentials, in one session
(a random id and when it began). Kept in the signed session cookie; a password change elsewhere,
or logging this session out, ends it at the next page (the core refuses it, however the cookie
was copied), and so does its age: PORTAL_SESSION_LIFETIME seconds after the login."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_user, logout_user
from werkzeug.wrappers import Response

from admin_api_client import Card, NotFound, Unauthorized
from loyalty_common.error_codes import Code

from ..core import core_client, merchant_core
from ..extensions import login_manager
from ..settings import site_settings

View = TypeVar("View", bound=Callable[..., Any])


@dataclass(frozen=True)
class PortalUser(UserMixin):
    merchant: str
    number: str
    credentials_version: int
    session_id: str
    started_at: int  # seconds since the epoch

    def get_id(self) -> str:
        return f"{self.merchant}:{self.number}:{self.credentials_version}:{self.session_id}:{self.started_at}"

    @property
    def expires_at(self) -> float:
        return self.started_at + site_settings(current_app).portal_session_lifetime.total_seconds()


@login_manager.user_loader
def load_user(user_id: str) -> PortalUser | None:
    """The session's card, while the session is younger than its lifetime."""
    parts = user_id.split(":")
    if len(parts) != 5 or not all(parts) or not (parts[2].isdigit() and parts[4].isdigit()):
        return None  # not one of ours, or from before sessions had an id: log in again
    merchant, number, version, session_id, started = parts
    user = PortalUser(merchant, number, int(version), session_id, int(started))
    return user if time.time() < user.expires_at else None


def start_session(card: Card) -> None:
    chosen_language = session.get("locale")
    session.clear()
    user = PortalUser(
        g.merchant.slug, card.number, card.credentials_version, secrets.token_urlsafe(24), int(time.time())
    )
    login_user(user)
    if card.locale or chosen_language:
        session["locale"] = card.locale or chosen_language


def end_session() -> None:
    """Log out: the core refuses this session from now on, wherever its cookie was copied; the
    card's other sessions go on."""
    user = current_user
    if user.is_authenticated:
        core = core_client().for_merchant(
            user.merchant, card_version=user.credentials_version, card_session=user.session_id
        )
        # Refused already (logged out, the password changed, the card is gone): nothing to end.
        with suppress(Unauthorized, NotFound):
            core.account.end_session(
                user.number, user.session_id, datetime.fromtimestamp(user.expires_at, UTC)
            )
    logout_user()


def is_customer() -> bool:
    """Logged in with a card of this page's merchant."""
    return bool(current_user.is_authenticated and current_user.merchant == g.merchant.slug)


def safe_next(target: str | None) -> str | None:
    """Only back into this merchant's portal: never an open redirect, nor a line break or other
    control character that would end the Location header."""
    prefix = f"/p/{g.merchant.slug}/"
    if (
        target
        and target.startswith(prefix)
        and "//" not in target
        and "\\" not in target
        and target.isprintable()
    ):
        return target
    return None


def customer_required(view: View) -> View:
    @wraps(view)
    def wrapped(**kwargs: Any) -> Any:
        if not is_customer():
            return redirect(url_for("customer.login", next=request.full_path.rstrip("?")))
        return view(**kwargs)

    return cast(View, wrapped)


def current_card() -> Card:
    """The logged-in customer's card, fresh from the core."""
    return merchant_core().get_card(current_user.number)


def end_stale_session(error: Unauthorized) -> Response:
    """The core refused the session: it was logged out (this is a copy of its cookie, or a page
    restored after logging out), or the password changed elsewhere."""
    logout_user()
    if error.code == Code.SESSION_ENDED:
        flash(_("Your session has ended. Please log in again."), "info")
    else:
        flash(_("Your password has changed. Please log in again."), "info")
    return redirect(url_for("customer.login"))

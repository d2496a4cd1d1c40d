"""Who is logged in: a card of one merchant, as of one version of its credentials. Kept in the
signed session cookie; a password change elsewhere ends the session at the next page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from flask import flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_user, logout_user
from werkzeug.wrappers import Response

from admin_api_client import Card, Unauthorized

from ..core import merchant_core
from ..extensions import login_manager

View = TypeVar("View", bound=Callable[..., Any])


@dataclass(frozen=True)
class PortalUser(UserMixin):
    merchant: str
    number: str
    credentials_version: int

    def get_id(self) -> str:
        return f"{self.merchant}:{self.number}:{self.credentials_version}"


@login_manager.user_loader
def load_user(user_id: str) -> PortalUser | None:
    merchant, _, rest = user_id.partition(":")
    number, _, version = rest.partition(":")
    if not (merchant and number and version.isdigit()):
        return None
    return PortalUser(merchant, number, int(version))


def start_session(card: Card) -> None:
    chosen_language = session.get("locale")
    session.clear()
    login_user(PortalUser(g.merchant.slug, card.number, card.credentials_version))
    if card.locale or chosen_language:
        session["locale"] = card.locale or chosen_language


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


def end_stale_session(_error: Unauthorized) -> Response:
    """The core refused the session's credentials version: the password changed elsewhere."""
    logout_user()
    flash(_("Your password has changed. Please log in again."), "info")
    return redirect(url_for("customer.login"))

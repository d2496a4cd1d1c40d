"""Who is calling: a merchant's key (acts for that merchant) or the site (acts for the merchant it
names in `X-Merchant`, with the portal endpoints too)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, request
from sqlalchemy import false, select
from sqlalchemy.orm import Session

from loyalty_common.error_codes import Code
from loyalty_common.rules import normalize_card_number

from ..context import TRUSTED_SITE_ENVIRON, current_core
from ..errors import Forbidden, Invalid, NotFound, Unauthorized
from ..models import Card, Merchant
from ..services.cards import current, get_card
from ..services.merchants import find_api_key, get_merchant
from ..services.sessions import is_ended


@dataclass(frozen=True)
class Scope:
    merchant: Merchant
    site: bool


def _bearer() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("missing_api_key", "Send an API key as 'Authorization: Bearer <key>'.")
    return token.strip()


def authenticate() -> None:
    """before_request of every API blueprint."""
    named = request.headers.get("X-Merchant")
    with current_core().db.read() as session:
        if request.environ.get(TRUSTED_SITE_ENVIRON) is True:
            key_merchant, site = None, True
        else:
            key = find_api_key(session, _bearer())
            if key is None:
                raise Unauthorized("invalid_api_key", "This API key is not valid.")
            key_merchant, site = key.merchant, key.merchant_id is None
        if key_merchant is not None:
            if named and named != key_merchant.slug:
                raise Forbidden("wrong_merchant", "This API key belongs to another merchant.")
            merchant = key_merchant
        elif named:
            merchant = get_merchant(session, named)
        else:
            raise Invalid("merchant_required", "A site key names the merchant in 'X-Merchant'.")
        if site:
            _check_card_session(session, merchant)
    g.scope = Scope(merchant, site)


def authenticate_site() -> None:
    """before_request of the site's endpoints that name no merchant: a Wi-Fi splash knows only
    its hotspot, and learns the merchant from it."""
    if request.environ.get(TRUSTED_SITE_ENVIRON) is True:
        return
    with current_core().db.read() as session:
        key = find_api_key(session, _bearer())
        if key is None:
            raise Unauthorized("invalid_api_key", "This API key is not valid.")
        if key.merchant_id is not None:
            raise Forbidden("site_only", "Only the portal site may call this endpoint.")


def _check_card_session(session: Session, merchant: Merchant) -> None:
    """The site sends `X-Card-Version` with a logged-in customer's calls: the credentials version
    their session began with (after a password change elsewhere, it no longer matches), and
    `X-Card-Session`, the session's id (refused once that session logged out)."""
    version = request.headers.get("X-Card-Version")
    number = (request.view_args or {}).get("number")
    if version is None or number is None:
        return
    session_id = request.headers.get("X-Card-Session")
    found = session.execute(
        select(Card, is_ended(session_id) if session_id else false()).where(
            Card.merchant_id == merchant.id, Card.number == normalize_card_number(number)
        )
    ).first()
    if found is None or str(found[0].credentials_version) != version:
        raise Unauthorized(Code.SESSION_EXPIRED, "The card's password changed since this session began.")
    if found[1]:
        raise Unauthorized(Code.SESSION_ENDED, "This session was logged out.")
    g.checked_card = found[0]


def named_card(session: Session, merchant: Merchant, number: str) -> Card:
    """The card the path names, for reading: as the session's check loaded it (with its holder),
    else looked up. Not for a change: that locks the card's row and reads it again."""
    checked: Card | None = g.get("checked_card")
    return current(session, checked) if checked is not None else get_card(session, merchant.id, number)


def scope() -> Scope:
    current: Scope = g.scope
    return current


def portal_merchant() -> Merchant:
    """The scope's merchant, when its portal is on (the site's customer endpoints need it)."""
    merchant = scope().merchant
    if not merchant.portal_enabled:
        raise NotFound("portal_disabled", "This merchant's portal is not enabled.")
    return merchant


def require_site() -> None:
    """before_request of the site-only blueprints (after `authenticate`)."""
    if not scope().site:
        raise Forbidden("site_only", "Only the portal site may call this endpoint.")

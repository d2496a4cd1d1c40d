"""A card's Apple Wallet pass: made on first download (a random serial, never the card number),
filled from the card, its tier and next reward, and signed with the merchant's credentials."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from babel.numbers import get_currency_precision
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..models import Card, Merchant, WalletPass
from . import found_or_added, utcnow
from .cards import get_card
from .logos import find_logo
from .program import dashboard
from .wallet_credentials import AppleCredentials, find_settings, opened
from .wallet_devices import last_modified_second
from .wallet_keys import WalletKeys
from .wallet_pass import PassContent, build_pkpass

Labels = Callable[[str], dict[str, dict[str, str]]]  # merchant name → locale → key → text


@dataclass(frozen=True)
class SiteLinks:
    """The site's public root: the web service and the links on the pass's back are on it."""

    root: str

    def web_service(self) -> str:
        return f"{self.root}/wallet/apple"

    def portal(self, slug: str) -> str:
        return f"{self.root}/p/{slug}/"

    def rules(self, slug: str) -> str:
        return f"{self.root}/p/{slug}/rules"


@dataclass(frozen=True)
class ServedPass:
    data: bytes
    serial: str
    updated_at: datetime


def _ensure_pass(session: Session, card: Card, now: datetime) -> WalletPass:
    """The card's pass; the same card's first download in another tab, at the same moment, makes one."""
    return found_or_added(
        session,
        select(WalletPass).where(WalletPass.card_id == card.id),
        lambda: WalletPass(card_id=card.id, serial=secrets.token_hex(16), created_at=now, updated_at=now),
    )


def merchant_credentials(session: Session, merchant_id: int, keys: WalletKeys) -> AppleCredentials:
    row = find_settings(session, merchant_id)
    if row is None:
        raise NotFound("wallet_not_offered", "This merchant offers no Apple Wallet pass.")
    return opened(row, keys)


def render_pass(
    session: Session,
    merchant: Merchant,
    wallet_pass: WalletPass,
    credentials: AppleCredentials,
    keys: WalletKeys,
    links: SiteLinks,
    labels: Labels,
    now: datetime,
) -> ServedPass:
    summary = dashboard(session, merchant, get_card(session, merchant.id, wallet_pass.card.number), now)
    card, tier, reward = summary.card, summary.tier, summary.next_reward
    logo = find_logo(session, merchant.id) if merchant.logo_digest else None
    customer = card.customer
    content = PassContent(
        serial=wallet_pass.serial,
        token=keys.pass_token(wallet_pass.serial),
        web_service_url=links.web_service(),
        merchant_name=merchant.name,
        number=card.number,
        holder=f"{customer.first_name} {customer.last_name}".strip(),
        points=card.points,
        credit=card.credit,
        currency=merchant.currency,
        currency_precision=get_currency_precision(merchant.currency),
        tier=tier.current if tier else None,
        next_reward=reward.reward.name if reward else None,
        points_to_go=reward.missing if reward else None,
        accent_color=merchant.accent_color,
        accent_text_color=merchant.accent_text_color,
        portal_url=links.portal(merchant.slug),
        rules_url=links.rules(merchant.slug),
        logo=logo.data if logo else None,
        labels=labels(merchant.name),
    )
    return ServedPass(
        build_pkpass(content, credentials), wallet_pass.serial, last_modified_second(wallet_pass)
    )


def card_pass(
    session: Session,
    merchant: Merchant,
    number: str,
    keys: WalletKeys,
    links: SiteLinks,
    labels: Labels,
    now: datetime | None = None,
) -> ServedPass:
    """The logged-in customer's download, inside the caller's write transaction (the pass row is
    made on the first one)."""
    now = now or utcnow()
    credentials = merchant_credentials(session, merchant.id, keys)  # first: no pass without them
    wallet_pass = _ensure_pass(session, get_card(session, merchant.id, number), now)
    return render_pass(session, merchant, wallet_pass, credentials, keys, links, labels, now)

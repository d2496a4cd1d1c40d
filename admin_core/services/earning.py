"""Points for a purchase: the receipt's amount in currency units, times the store's rate (else the
merchant's), the card's tier multiplier and the highest multiplier among the campaigns running at
that store (a campaign for a customer group: for its members only), rounded down to whole points.
The till and the API both call `record_purchase`; the till shows the same terms before a purchase
and the calculation after it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import get_currency_precision
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..errors import Invalid
from ..models import Campaign, Card, Merchant, Operation, OperationKind, Store, Tier
from . import utcnow
from .cards import get_card, usable
from .customer_filters import groups_with
from .ledger import MAX_MONEY, MAX_POINTS, Change, apply_change, store_named
from .program import earned_in_period

PLAIN = 100  # a multiplier is kept in hundredths: 100 is x1
MAX_MULTIPLIER = 1000  # x10


@dataclass(frozen=True)
class Factor:
    """A tier's or a campaign's multiplier, named for the calculation the till shows."""

    name: str
    percent: int

    def body(self) -> dict[str, Any]:
        return {"name": self.name, "multiplier": self.percent / PLAIN}


@dataclass(frozen=True)
class Terms:
    """What a purchase at one store earns a card right now, per currency unit."""

    store: Store
    rate: int  # points per currency unit
    store_rate: bool  # the store's own rate, not the merchant's
    tier: Factor | None  # None: no tier, or one that multiplies by 1
    campaign: Factor | None  # None: no campaign with a multiplier runs at this store

    def body(self) -> dict[str, Any]:
        return {
            "store": self.store.code,
            "rate": self.rate,
            "store_rate": self.store_rate,
            "tier": self.tier.body() if self.tier else None,
            "campaign": self.campaign.body() if self.campaign else None,
        }

    def points(self, amount: int, precision: int) -> int:
        """Rounded down, in integers: no float ever touches money."""
        tier = self.tier.percent if self.tier else PLAIN
        campaign = self.campaign.percent if self.campaign else PLAIN
        return amount * self.rate * tier * campaign // (10**precision * PLAIN * PLAIN)


@dataclass(frozen=True)
class Calculation:
    terms: Terms
    amount: int  # minor units
    currency: str
    points: int

    def body(self) -> dict[str, Any]:
        """As the API answers it and the till's replay shows it."""
        return {"amount": self.amount, "currency": self.currency, **self.terms.body(), "points": self.points}


def multiplier_percent(value: Decimal | str) -> int:
    """A multiplier as typed ("1.5", "1,5") or sent (1.5): from x1 to x10, in hundredths."""
    try:
        number = Decimal(value.strip().replace(",", ".")) if isinstance(value, str) else value
        hundredths = number.scaleb(2)
        whole = number.is_finite() and hundredths == hundredths.to_integral_value()
    except InvalidOperation:
        whole = False
    if not whole or not PLAIN <= hundredths <= MAX_MULTIPLIER:
        raise Invalid(
            "invalid_multiplier", "A multiplier is from 1 to 10, with at most two decimals, like 1.5."
        )
    return int(hundredths)


def current_tier(session: Session, merchant: Merchant, card_id: int, now: datetime) -> Tier | None:
    """The tier the card's points in the tier period reach, before the purchase being recorded."""
    return session.scalar(
        select(Tier)
        .where(Tier.merchant_id == merchant.id, Tier.threshold <= earned_in_period(merchant, card_id, now))
        .order_by(Tier.threshold.desc())
        .limit(1)
    )


def running_campaigns(session: Session, merchant_id: int, now: datetime) -> list[Campaign]:
    """The campaigns with a multiplier running now, highest multiplier first."""
    return list(
        session.scalars(
            select(Campaign)
            .options(selectinload(Campaign.stores))
            .where(
                Campaign.merchant_id == merchant_id,
                Campaign.starts_at <= now,
                Campaign.ends_at > now,
                Campaign.multiplier_percent.is_not(None),
            )
            .order_by(Campaign.multiplier_percent.desc(), Campaign.id)
        )
    )


def for_customer(session: Session, card: Card, campaigns: list[Campaign]) -> list[Campaign]:
    """The campaigns whose multiplier applies to the card's holder: those for everyone, and those
    for a customer group the holder is in."""
    member = groups_with(
        session, card.merchant_id, card.customer_id, (each.group_id for each in campaigns if each.group_id)
    )
    return [each for each in campaigns if each.group_id is None or each.group_id in member]


def runs_at(campaign: Campaign, store: Store) -> bool:
    return not campaign.stores or any(each.id == store.id for each in campaign.stores)


def terms_at(
    session: Session, merchant: Merchant, card: Card, stores: list[Store], now: datetime
) -> list[Terms]:
    """Per store: where campaigns overlap, the highest multiplier applies, never their product."""
    tier = current_tier(session, merchant, card.id, now)
    tier_factor = (
        Factor(tier.name, tier.multiplier_percent) if tier and tier.multiplier_percent != PLAIN else None
    )
    campaigns = for_customer(session, card, running_campaigns(session, merchant.id, now))
    terms = []
    for store in stores:
        best = next((each for each in campaigns if runs_at(each, store)), None)
        own = store.points_per_unit is not None
        terms.append(
            Terms(
                store=store,
                rate=store.points_per_unit if store.points_per_unit is not None else merchant.points_per_unit,
                store_rate=own,
                tier=tier_factor,
                campaign=Factor(best.name, best.multiplier_percent)
                if best is not None and best.multiplier_percent not in (None, PLAIN)
                else None,
            )
        )
    return terms


def record_purchase(
    session: Session,
    merchant_id: int,
    number: str,
    amount: int,
    store_code: str,
    now: datetime | None = None,
    staff_id: int | None = None,
) -> tuple[Operation, Card, Calculation]:
    """A purchase of `amount` minor units, inside the caller's write transaction (the card row
    locked first): its points, computed from the program as it stands now."""
    if not 0 < amount <= MAX_MONEY:
        raise Invalid("invalid_amount", f"The amount must be between 1 and {MAX_MONEY} minor units.")
    now = now or utcnow()
    merchant = session.get_one(Merchant, merchant_id)
    store = store_named(session, merchant_id, store_code)
    card = usable(get_card(session, merchant_id, number, for_update=True))
    terms = terms_at(session, merchant, card, [store], now)[0]
    points = terms.points(amount, get_currency_precision(merchant.currency))
    calculation = Calculation(terms, amount, merchant.currency, points)
    if points < 1:
        raise Invalid("no_points", "This purchase earns no points at this rate: the amount is too small.")
    if points > MAX_POINTS:
        raise Invalid("too_many_points", f"One purchase earns at most {MAX_POINTS} points.")
    change = Change(OperationKind.PURCHASE, points, staff_id=staff_id, purchase_amount=amount)
    return apply_change(session, card, store, change, now), card, calculation

"""The program's bonuses that no till records (models/bonuses.py), as the admin sets them
(services/bonus_settings.py): joining
and the day's first Wi-Fi visit to a venue give them, as ledger operations in the transaction
that makes them due. A bonus is a gift: it does not make a Wi-Fi guest a customer to keep
(services/wifi.py's retention looks past it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import (
    Card,
    CustomerSource,
    Hotspot,
    Operation,
    OperationKind,
    ProgramBonuses,
    Store,
    WifiVisit,
)
from .ledger import Change, apply_change

GIFTS = (OperationKind.WELCOME_BONUS, OperationKind.VISIT_BONUS)  # what no purchase stands behind


@dataclass(frozen=True)
class Bonuses:
    welcome_points: int = 0  # 0: no welcome bonus
    welcome_sources: frozenset[CustomerSource] = frozenset()
    wifi_visit_points: int = 0  # 0: a visit gives nothing


def bonuses_of(session: Session, merchant_id: int) -> Bonuses:
    row = session.get(ProgramBonuses, merchant_id)
    if row is None:
        return Bonuses()
    return Bonuses(
        row.welcome_points,
        frozenset(CustomerSource(value) for value in row.welcome_sources),
        row.wifi_visit_points,
    )


def welcome_points(session: Session, merchant_id: int, source: CustomerSource | None) -> int:
    """The welcome bonus a new customer from `source` gets: 0 for none."""
    bonuses = bonuses_of(session, merchant_id)
    return bonuses.welcome_points if source in bonuses.welcome_sources else 0


def give_welcome(
    session: Session, card: Card, source: CustomerSource | None, store: Store | None, now: datetime
) -> Operation | None:
    """The welcome bonus of a card just made (no one else sees it yet: no lock), when its source
    gets one."""
    points = welcome_points(session, card.merchant_id, source)
    if not points:
        return None
    return apply_change(session, card, store, Change(OperationKind.WELCOME_BONUS, points), now)


def give_visit(session: Session, hotspot: Hotspot, card: Card, visit: WifiVisit) -> Operation | None:
    """The points of the day's first Wi-Fi visit at the visit's venue, `visit` being stored in
    this transaction. The card's row lock is taken first: of two visits racing, the second sees
    the first once it has the lock, and gives nothing."""
    merchant = hotspot.merchant
    points = bonuses_of(session, merchant.id).wifi_visit_points
    if not points:
        return None
    session.refresh(card, with_for_update=True)
    zone = ZoneInfo(merchant.timezone)
    midnight = datetime.combine(visit.created_at.astimezone(zone).date(), time(0), zone)
    earlier = session.scalar(
        select(WifiVisit.id).where(
            WifiVisit.customer_id == card.customer_id,
            WifiVisit.store_id == visit.store_id,
            WifiVisit.created_at >= midnight,
            WifiVisit.id != visit.id,
        )
    )
    if earlier is not None or card.blocked_at is not None:
        return None
    change = Change(OperationKind.VISIT_BONUS, points)
    return apply_change(session, card, hotspot.store, change, visit.created_at)

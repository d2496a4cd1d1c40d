"""A store's figures, day by day in the merchant's time zone: customers signed up there, of whom
on the Wi-Fi, and vouchers collected there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from ..errors import Invalid
from ..models import Customer, Merchant, StaffLevel, Voucher, WifiVisit
from . import utcnow
from .staff import StaffScope

MAX_DAYS = 366


@dataclass(frozen=True)
class Day:
    day: date
    sign_ups: int
    wifi_sign_ups: int
    vouchers_collected: int


@dataclass(frozen=True)
class Figures:
    store: str | None  # a store's code; None: every store
    days: list[Day]

    @property
    def totals(self) -> Day:
        return Day(
            self.days[-1].day if self.days else utcnow().date(),
            sum(day.sign_ups for day in self.days),
            sum(day.wifi_sign_ups for day in self.days),
            sum(day.vouchers_collected for day in self.days),
        )


def _per_day(session: Session, query: Select[Any], zone: ZoneInfo) -> dict[date, int]:
    counts: dict[date, int] = {}
    for moment in session.scalars(query):
        day = moment.astimezone(zone).date()
        counts[day] = counts.get(day, 0) + 1
    return counts


def store_figures(
    session: Session, scope: StaffScope, store_code: str | None, days: int = 30, now: datetime | None = None
) -> Figures:
    """The last `days` days (today included) at one store, or at every store (an admin, without a
    code). A manager sees their own store only; another store is NotFound."""
    scope.require(StaffLevel.ADMIN, StaffLevel.MANAGER)
    if not 1 <= days <= MAX_DAYS:
        raise Invalid("invalid_days", f"Figures cover 1-{MAX_DAYS} days.")
    store = scope.store(session, store_code)
    merchant = session.get_one(Merchant, scope.merchant_id)
    zone = ZoneInfo(merchant.timezone)
    today = (now or utcnow()).astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, datetime.min.time(), zone)

    # What is counted: (when it happened, at which store, and which of those rows).
    counted: list[tuple[InstrumentedAttribute[Any], InstrumentedAttribute[Any], list[Any]]] = [
        (Customer.created_at, Customer.store_id, [Customer.merchant_id == scope.merchant_id]),
        (
            WifiVisit.created_at,
            WifiVisit.store_id,
            [WifiVisit.merchant_id == scope.merchant_id, WifiVisit.new_customer],
        ),
        (Voucher.collected_at, Voucher.collected_store_id, [Voucher.merchant_id == scope.merchant_id]),
    ]
    sign_ups, wifi, collected = (
        _per_day(
            session,
            select(moment).where(
                moment >= since, *conditions, *([at_store == store.id] if store is not None else [])
            ),
            zone,
        )
        for moment, at_store, conditions in counted
    )
    return Figures(
        store.code if store is not None else None,
        [
            Day(day, sign_ups.get(day, 0), wifi.get(day, 0), collected.get(day, 0))
            for day in (first + timedelta(days=offset) for offset in range(days))
        ],
    )

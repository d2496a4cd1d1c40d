"""A store's figures (every store's for the admin) over a chosen period, day by day in the merchant's
time zone: new members by where they signed up, active members, points issued and redeemed, credit
sold and spent, vouchers issued and collected, Wi-Fi visits and how many were returning guests.

Counted where it happened: an operation at its store, a voucher collected at the store it was
collected at, a sign-up at the customer's store of sign-up, a visit at its hotspot's store.
Vouchers are taken online, at no store: "issued" is counted for every store together only."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from ..errors import Invalid
from ..models import (
    Card,
    Customer,
    CustomerSource,
    Merchant,
    Operation,
    OperationKind,
    StaffLevel,
    Voucher,
    WifiVisit,
)
from . import utcnow
from .staff import StaffScope

MAX_DAYS = 366
SOURCES = ("web", "wifi", "import", "till")  # "till": enrolled by staff or an integration
ISSUING = (
    OperationKind.EARN_POINTS,
    OperationKind.PURCHASE,
    OperationKind.ADJUSTMENT,
    OperationKind.WELCOME_BONUS,
    OperationKind.VISIT_BONUS,
)
REDEEMING = (OperationKind.REDEEM_POINTS, OperationKind.REWARD, OperationKind.REWARD_REFUND)


@dataclass
class Day:
    day: date
    sign_ups: int = 0
    wifi_sign_ups: int = 0
    vouchers_collected: int = 0
    points_issued: int = 0
    points_redeemed: int = 0  # rewards and redemptions, less the points of cancelled vouchers


@dataclass
class Summary:
    new_members: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SOURCES, 0))
    active_members: int = 0  # cards with at least one operation in the period
    points_issued: int = 0
    points_redeemed: int = 0
    credit_sold: int = 0  # minor units of the merchant's currency
    credit_spent: int = 0
    vouchers_issued: int | None = 0  # None for one store: vouchers are taken online
    vouchers_collected: int = 0
    wifi_visits: int = 0
    returning_guests: int = 0  # Wi-Fi visits by a guest who had a card already

    @property
    def redemption_rate(self) -> float | None:
        """The share of the points issued in the period that were redeemed in it."""
        return self.points_redeemed / self.points_issued if self.points_issued else None

    @property
    def returning_rate(self) -> float | None:
        return self.returning_guests / self.wifi_visits if self.wifi_visits else None


@dataclass(frozen=True)
class Figures:
    store: str | None  # a store's code; None: every store
    first: date
    last: date
    days: list[Day]
    summary: Summary


def period(first: date | None, last: date | None, days: int, today: date) -> tuple[date, date]:
    """The period asked for: from `first` to `last` (both included), or the last `days` days."""
    last = last or (first + timedelta(days=days - 1) if first else today)
    first = first or last - timedelta(days=days - 1)
    if first > last:
        raise Invalid("period_reversed", "The period ends before it starts.")
    if (last - first).days + 1 > MAX_DAYS:
        raise Invalid("period_too_long", f"Figures cover 1-{MAX_DAYS} days.")
    return first, last


def store_figures(
    session: Session,
    scope: StaffScope,
    store_code: str | None,
    days: int = 30,
    now: datetime | None = None,
    first: date | None = None,
    last: date | None = None,
) -> Figures:
    """The period at one store, or at every store (an admin, without a code). A manager sees their
    own store only; another store is NotFound."""
    scope.require(StaffLevel.ADMIN, StaffLevel.MANAGER)
    if not 1 <= days <= MAX_DAYS:
        raise Invalid("invalid_days", f"Figures cover 1-{MAX_DAYS} days.")
    store = scope.store(session, store_code)
    zone = ZoneInfo(session.get_one(Merchant, scope.merchant_id).timezone)
    first, last = period(first, last, days, (now or utcnow()).astimezone(zone).date())
    since = datetime.combine(first, time(0), zone)
    until = datetime.combine(last + timedelta(days=1), time(0), zone)
    counter = _Counter(
        session, scope.merchant_id, store.id if store is not None else None, zone, since, until
    )
    by_day = {
        first + timedelta(days=offset): Day(first + timedelta(days=offset))
        for offset in range((last - first).days + 1)
    }
    summary = Summary()
    counter.sign_ups(by_day, summary)
    counter.operations(by_day, summary)
    counter.vouchers(by_day, summary)
    counter.visits(by_day, summary)
    return Figures(store.code if store is not None else None, first, last, list(by_day.values()), summary)


class _Counter:
    """The period's rows, read once each and counted into the days and the summary."""

    def __init__(
        self,
        session: Session,
        merchant_id: int,
        store_id: int | None,
        zone: ZoneInfo,
        since: datetime,
        until: datetime,
    ) -> None:
        self.session, self.merchant_id, self.store_id, self.zone = session, merchant_id, store_id, zone
        self.since, self.until = since, until

    def _within(self, moment: Any, at_store: Any) -> list[ColumnElement[bool]]:
        conditions = [moment >= self.since, moment < self.until]
        return conditions + ([at_store == self.store_id] if self.store_id is not None else [])

    def _day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def sign_ups(self, by_day: dict[date, Day], summary: Summary) -> None:
        query = select(Customer.created_at, Customer.source).where(
            Customer.merchant_id == self.merchant_id, *self._within(Customer.created_at, Customer.store_id)
        )
        for moment, source in self.session.execute(query):
            day = by_day[self._day(moment)]
            day.sign_ups += 1
            day.wifi_sign_ups += source is CustomerSource.WIFI
            summary.new_members[source.value if source is not None else "till"] += 1

    def operations(self, by_day: dict[date, Day], summary: Summary) -> None:
        query = (
            select(
                Operation.created_at, Operation.kind, Operation.points, Operation.credit, Operation.card_id
            )
            .join(Card, Card.id == Operation.card_id)
            .where(
                Card.merchant_id == self.merchant_id, *self._within(Operation.created_at, Operation.store_id)
            )
        )
        active: set[int] = set()
        for moment, kind, points, credit, card_id in self.session.execute(query):
            active.add(card_id)
            day = by_day[self._day(moment)]
            if kind in ISSUING and points > 0:
                day.points_issued += points
            elif kind in REDEEMING:
                day.points_redeemed -= points
            if kind is OperationKind.TOPUP_CREDIT:
                summary.credit_sold += credit
            elif kind is OperationKind.SPEND_CREDIT:
                summary.credit_spent -= credit
        summary.active_members = len(active)
        summary.points_issued = sum(day.points_issued for day in by_day.values())
        summary.points_redeemed = sum(day.points_redeemed for day in by_day.values())

    def vouchers(self, by_day: dict[date, Day], summary: Summary) -> None:
        collected = select(Voucher.collected_at).where(
            Voucher.merchant_id == self.merchant_id,
            *self._within(Voucher.collected_at, Voucher.collected_store_id),
        )
        for moment in self.session.scalars(collected):  # never None: the period has an end
            by_day[self._day(cast(datetime, moment))].vouchers_collected += 1
        summary.vouchers_collected = sum(day.vouchers_collected for day in by_day.values())
        if self.store_id is not None:
            summary.vouchers_issued = None
            return
        issued = select(func.count()).where(
            Voucher.merchant_id == self.merchant_id,
            Voucher.created_at >= self.since,
            Voucher.created_at < self.until,
        )
        summary.vouchers_issued = self.session.scalar(issued) or 0

    def visits(self, by_day: dict[date, Day], summary: Summary) -> None:
        query = select(WifiVisit.new_customer).where(
            WifiVisit.merchant_id == self.merchant_id, *self._within(WifiVisit.created_at, WifiVisit.store_id)
        )
        for new_customer in self.session.scalars(query):
            summary.wifi_visits += 1
            summary.returning_guests += not new_customer


COLUMNS = ("day", "sign_ups", "wifi_sign_ups", "vouchers_collected", "points_issued", "points_redeemed")


def as_csv(figures: Figures) -> str:
    """The days of the figures as CSV, one row a day, with a header naming the columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for day in figures.days:
        writer.writerow([day.day.isoformat(), *(getattr(day, name) for name in COLUMNS[1:])])
    return out.getvalue()

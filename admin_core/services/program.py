"""What the program offers a card right now: its tier, the rewards it can take, points expiring.
Reads only; each query is one statement, and a dashboard is one, whatever the card's history."""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Select,
    Subquery,
    and_,
    bindparam,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from ..models import (
    Campaign,
    Card,
    Merchant,
    Operation,
    OperationKind,
    Reward,
    Tier,
    Voucher,
    VoucherStatus,
)

EXPIRY_NOTICE = timedelta(days=30)


@dataclass(frozen=True)
class TierProgress:
    earned: int  # points earned in the tier period
    current: str | None
    next: str | None
    next_threshold: int | None

    @property
    def missing(self) -> int | None:
        return None if self.next_threshold is None else self.next_threshold - self.earned


@dataclass(frozen=True)
class ExpiringPoints:
    points: int
    on: datetime


@dataclass(frozen=True)
class RewardOffer:
    reward: Reward
    redeemable: bool
    missing: int  # points still needed; 0 when affordable
    sold_out: bool = False
    taken: int = 0  # vouchers the card holds or held for it (cancelled ones aside)
    limit_reached: bool = False
    available_from: datetime | None = None  # not yet: from then on

    @property
    def blocked(self) -> bool:
        """Points aside, something keeps this card from taking it."""
        return self.sold_out or self.limit_reached or self.available_from is not None


def add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def active_campaign(session: Session, merchant_id: int, now: datetime) -> Campaign | None:
    return session.scalar(_running(merchant_id, now))


def _running(
    merchant_id: int | ColumnElement[int], now: datetime | ColumnElement[datetime]
) -> Select[Campaign]:
    """The running campaign (the one ending last, when several overlap)."""
    return (
        select(Campaign)
        .where(Campaign.merchant_id == merchant_id, Campaign.starts_at <= now, Campaign.ends_at > now)
        .order_by(Campaign.ends_at.desc())
        .limit(1)
    )


EARNING = (OperationKind.EARN_POINTS, OperationKind.PURCHASE)  # what counts towards a tier


def earned_in_period(merchant: Merchant, card_id: int, now: datetime) -> ScalarSelect[int]:
    """The points a card earned in the merchant's tier period, those of voided operations aside."""
    return _earned_since(card_id, add_months(now, -merchant.tier_period_months))


def _earned_since(
    card_id: int | ColumnElement[int], since: datetime | ColumnElement[datetime]
) -> ScalarSelect[int]:
    void = aliased(Operation)
    return (
        select(func.coalesce(func.sum(Operation.points), 0))
        .where(
            Operation.card_id == card_id,
            Operation.kind.in_(EARNING),
            Operation.created_at >= since,
            ~exists().where(void.reverses_id == Operation.id),
        )
        .scalar_subquery()
    )


def tier_progress(session: Session, merchant: Merchant, card: Card, now: datetime) -> TierProgress | None:
    """None when the merchant has no tiers."""
    earned = select(earned_in_period(merchant, card.id, now).label("earned")).cte("earned")
    row = session.execute(select(*_tier_of(earned.c.earned, merchant.id)).select_from(earned)).one()
    return _progress(*row)


def _tier_of(
    earned: ColumnElement[int], merchant_id: int | ColumnElement[int]
) -> tuple[ColumnElement[Any], ...]:
    """`earned`, the tier reached with it, the next one and its threshold, whether there are any:
    the columns `_progress` reads."""
    tiers = Tier.merchant_id == merchant_id
    reached = select(Tier.name).where(tiers, Tier.threshold <= earned).order_by(Tier.threshold.desc())
    ahead = select(Tier.name).where(tiers, Tier.threshold > earned).order_by(Tier.threshold)
    return (
        earned,
        reached.limit(1).scalar_subquery(),
        ahead.limit(1).scalar_subquery(),
        ahead.with_only_columns(Tier.threshold).limit(1).scalar_subquery(),
        exists().where(tiers),
    )


def _progress(
    earned: int, current: str | None, following: str | None, threshold: int | None, any_tiers: bool
) -> TierProgress | None:
    return TierProgress(int(earned), current, following, threshold) if any_tiers else None


def _listing(
    merchant_id: int | ColumnElement[int], now: datetime | ColumnElement[datetime]
) -> ColumnElement[bool]:
    return and_(
        Reward.merchant_id == merchant_id,
        Reward.active.is_(True),
        or_(Reward.active_until.is_(None), Reward.active_until > now),
    )


def _listed(merchant_id: int, now: datetime) -> Select[Reward]:
    return select(Reward).where(_listing(merchant_id, now)).order_by(Reward.points, Reward.id)


def _taken(card_id: int | ColumnElement[int]) -> Subquery:
    """Per reward, the card's vouchers for it, cancelled ones aside."""
    return (
        select(Voucher.reward_id, func.count().label("taken"))
        .where(Voucher.card_id == card_id, Voucher.status != VoucherStatus.CANCELLED)
        .group_by(Voucher.reward_id)
        .subquery()
    )


def catalogue(session: Session, merchant_id: int, now: datetime) -> list[Reward]:
    """Active rewards not past their end, cheapest first; those not started yet are listed too."""
    return list(session.scalars(_listed(merchant_id, now)))


def card_catalogue(
    session: Session, merchant_id: int, card_id: int, now: datetime
) -> list[tuple[Reward, int]]:
    """The catalogue with, per reward, the card's vouchers for it (cancelled ones aside): one query."""
    taken = _taken(card_id)
    query = (
        _listed(merchant_id, now)
        .add_columns(func.coalesce(taken.c.taken, 0))
        .outerjoin(taken, taken.c.reward_id == Reward.id)
    )
    return [(reward, count) for reward, count in session.execute(query)]


def offer(reward: Reward, points: int, campaign_on: bool, now: datetime, taken: int) -> RewardOffer:
    limit = reward.per_customer_limit
    marked = RewardOffer(
        reward,
        redeemable=False,
        missing=max(reward.points - points, 0),
        sold_out=reward.stock is not None and reward.stock <= 0,
        taken=taken,
        limit_reached=limit is not None and taken >= limit,
        available_from=reward.active_from if reward.active_from and reward.active_from > now else None,
    )
    return replace(marked, redeemable=campaign_on and not marked.missing and not marked.blocked)


def offers(
    listed: list[tuple[Reward, int]], points: int, campaign_on: bool, now: datetime
) -> list[RewardOffer]:
    return [offer(reward, points, campaign_on, now, taken) for reward, taken in listed]


def expiring_points(merchant: Merchant, card: Card, now: datetime) -> ExpiringPoints | None:
    """Points lapse `points_validity_months` after the card's last activity; warn within 30 days."""
    if not merchant.points_validity_months or card.points <= 0 or card.last_activity_at is None:
        return None
    on = add_months(card.last_activity_at, merchant.points_validity_months)
    if on - now > EXPIRY_NOTICE:
        return None
    return ExpiringPoints(card.points, on)


@functools.cache
def _dashboard_statement() -> Select[Any]:
    """The points earned in the tier period and the open vouchers (counted once, in a CTE), the
    tiers around them, the running campaign and the catalogue with the card's vouchers of each
    reward (a row per reward, at least one). Building it cost more than running it: it is built
    once, with the merchant, the card and the times as parameters."""
    merchant_id: ColumnElement[int] = bindparam("merchant_id")
    card_id: ColumnElement[int] = bindparam("card_id")
    now: ColumnElement[datetime] = bindparam("now")
    summary = select(
        _earned_since(card_id, bindparam("since")).label("earned"),
        select(func.count())
        .select_from(Voucher)
        .where(
            Voucher.card_id == card_id,
            Voucher.status == VoucherStatus.ISSUED,
            Voucher.expires_at > now,
        )
        .scalar_subquery()
        .label("open_vouchers"),
    ).cte("summary")
    running = _running(merchant_id, now).with_only_columns(Campaign.id).scalar_subquery()
    taken = _taken(card_id)
    return (
        select(*_tier_of(summary.c.earned, merchant_id), summary.c.open_vouchers)
        .add_columns(Campaign, Reward, func.coalesce(taken.c.taken, 0))
        .select_from(summary)
        .outerjoin(Campaign, Campaign.id == running)
        .outerjoin(Reward, _listing(merchant_id, now))
        .outerjoin(taken, taken.c.reward_id == Reward.id)
        .order_by(Reward.points, Reward.id)
    )


@dataclass(frozen=True)
class Dashboard:
    card: Card
    tier: TierProgress | None
    campaign: Campaign | None
    next_reward: RewardOffer | None  # the cheapest reward the card cannot afford yet
    reward_waiting: bool  # a reward can be taken now
    expiring: ExpiringPoints | None
    open_vouchers: int


def dashboard(session: Session, merchant: Merchant, card: Card, now: datetime) -> Dashboard:
    """One statement (see `_dashboard_statement`), built once per process: only its values change."""
    values = {
        "merchant_id": merchant.id,
        "card_id": card.id,
        "now": now,
        "since": add_months(now, -merchant.tier_period_months),
    }
    rows = session.execute(_dashboard_statement(), values).all()
    open_vouchers, campaign = rows[0][5:7]
    rewards = offers(
        [(row[7], row[8]) for row in rows if row[7] is not None], card.points, campaign is not None, now
    )
    return Dashboard(
        card=card,
        tier=_progress(*rows[0][:5]),
        campaign=campaign,
        next_reward=next((each for each in rewards if each.missing > 0 and not each.blocked), None),
        reward_waiting=any(each.redeemable for each in rewards),
        expiring=expiring_points(merchant, card, now),
        open_vouchers=open_vouchers or 0,
    )


def tiers(session: Session, merchant_id: int) -> list[Tier]:
    """The program's levels, lowest first: what the portal's rules page lists."""
    return list(session.scalars(select(Tier).where(Tier.merchant_id == merchant_id).order_by(Tier.threshold)))

"""What the program offers a card right now: its tier, the rewards it can take, points expiring.
Reads only; each query is one statement, so a dashboard costs a fixed handful."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

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
from .cards import get_card

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


def add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def active_campaign(session: Session, merchant_id: int, now: datetime) -> Campaign | None:
    return session.scalar(
        select(Campaign)
        .where(Campaign.merchant_id == merchant_id, Campaign.starts_at <= now, Campaign.ends_at > now)
        .order_by(Campaign.ends_at.desc())
        .limit(1)
    )


def tier_progress(session: Session, merchant: Merchant, card: Card, now: datetime) -> TierProgress | None:
    """None when the merchant has no tiers."""
    since = add_months(now, -merchant.tier_period_months)
    earned_in_period = (
        select(func.coalesce(func.sum(Operation.points), 0))
        .where(
            Operation.card_id == card.id,
            Operation.kind == OperationKind.EARN_POINTS,
            Operation.created_at >= since,
        )
        .scalar_subquery()
    )
    rows = session.execute(
        select(Tier.name, Tier.threshold, earned_in_period)
        .where(Tier.merchant_id == merchant.id)
        .order_by(Tier.threshold)
    ).all()
    if not rows:
        return None
    earned = int(rows[0][2])
    reached = [row for row in rows if row.threshold <= earned]
    ahead = [row for row in rows if row.threshold > earned]
    return TierProgress(
        earned=earned,
        current=reached[-1].name if reached else None,
        next=ahead[0].name if ahead else None,
        next_threshold=ahead[0].threshold if ahead else None,
    )


def catalogue(session: Session, merchant_id: int) -> list[Reward]:
    return list(
        session.scalars(
            select(Reward)
            .where(Reward.merchant_id == merchant_id, Reward.active.is_(True))
            .order_by(Reward.points, Reward.id)
        )
    )


def offers(rewards: list[Reward], points: int, campaign_on: bool) -> list[RewardOffer]:
    return [
        RewardOffer(
            reward,
            redeemable=campaign_on and reward.points <= points,
            missing=max(reward.points - points, 0),
        )
        for reward in rewards
    ]


def expiring_points(merchant: Merchant, card: Card, now: datetime) -> ExpiringPoints | None:
    """Points lapse `points_validity_months` after the card's last activity; warn within 30 days."""
    if not merchant.points_validity_months or card.points <= 0 or card.last_activity_at is None:
        return None
    on = add_months(card.last_activity_at, merchant.points_validity_months)
    if on - now > EXPIRY_NOTICE:
        return None
    return ExpiringPoints(card.points, on)


@dataclass(frozen=True)
class Dashboard:
    card: Card
    tier: TierProgress | None
    campaign: Campaign | None
    next_reward: RewardOffer | None  # the cheapest reward the card cannot afford yet
    reward_waiting: bool  # a reward can be taken now
    expiring: ExpiringPoints | None
    open_vouchers: int


def dashboard(session: Session, merchant: Merchant, number: str, now: datetime) -> Dashboard:
    card = get_card(session, merchant.id, number)
    campaign = active_campaign(session, merchant.id, now)
    rewards = offers(catalogue(session, merchant.id), card.points, campaign is not None)
    open_vouchers = session.scalar(
        select(func.count())
        .select_from(Voucher)
        .where(
            Voucher.card_id == card.id,
            Voucher.status == VoucherStatus.ISSUED,
            Voucher.expires_at > now,
        )
    )
    return Dashboard(
        card=card,
        tier=tier_progress(session, merchant, card, now),
        campaign=campaign,
        next_reward=next((offer for offer in rewards if offer.missing > 0), None),
        reward_waiting=any(offer.redeemable for offer in rewards),
        expiring=expiring_points(merchant, card, now),
        open_vouchers=open_vouchers or 0,
    )


def tiers(session: Session, merchant_id: int) -> list[Tier]:
    """The program's levels, lowest first: what the portal's rules page lists."""
    return list(session.scalars(select(Tier).where(Tier.merchant_id == merchant_id).order_by(Tier.threshold)))

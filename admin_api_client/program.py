"""The program's answers: tiers, rewards, vouchers and the dashboard that sums them up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .models import Balances, Card


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True)
class Campaign:
    name: str
    starts_at: datetime
    ends_at: datetime

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Campaign | None:
        if data is None:
            return None
        return cls(
            data["name"], datetime.fromisoformat(data["starts_at"]), datetime.fromisoformat(data["ends_at"])
        )


@dataclass(frozen=True)
class Reward:
    id: int
    name: str
    description: str
    points: int
    image_url: str | None
    picture_digest: str | None = None  # an uploaded picture: the site serves it
    redeemable: bool = False  # for this card, now
    missing: int = 0  # points this card still needs
    sold_out: bool = False
    taken: int = 0  # this card's vouchers for it, cancelled ones aside
    limit_reached: bool = False  # the card has taken it as often as one may
    available_from: datetime | None = None  # not yet: from then on

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reward:
        return cls(
            id=data["id"],
            name=data["name"],
            description=data["description"],
            points=data["points"],
            image_url=data.get("image_url"),
            picture_digest=data.get("picture_digest"),
            redeemable=data.get("redeemable", False),
            missing=data.get("missing", 0),
            sold_out=data.get("sold_out", False),
            taken=data.get("taken", 0),
            limit_reached=data.get("limit_reached", False),
            available_from=_when(data.get("available_from")),
        )


@dataclass(frozen=True)
class Catalogue:
    campaign: Campaign | None
    rewards: list[Reward]
    points: int | None  # the card's, when asked for a card

    @property
    def campaign_on(self) -> bool:
        return self.campaign is not None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Catalogue:
        return cls(
            Campaign.from_json(data.get("campaign")),
            [Reward.from_json(reward) for reward in data["rewards"]],
            data.get("points"),
        )


@dataclass(frozen=True)
class Voucher:
    code: str
    reward: Reward
    points: int
    status: str  # issued, collected, cancelled, expired
    created_at: datetime
    expires_at: datetime
    collected_at: datetime | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Voucher:
        return cls(
            code=data["code"],
            reward=Reward.from_json(data["reward"]),
            points=data["points"],
            status=data["status"],
            created_at=datetime.fromisoformat(data["created_at"]),
            expires_at=datetime.fromisoformat(data["expires_at"]),
            collected_at=_when(data.get("collected_at")),
        )


@dataclass(frozen=True)
class VoucherResult:
    voucher: Voucher
    balances: Balances
    replayed: bool

    @classmethod
    def from_json(cls, data: dict[str, Any], replayed: bool = False) -> VoucherResult:
        return cls(Voucher.from_json(data["voucher"]), Balances.from_json(data["balances"]), replayed)


@dataclass(frozen=True)
class TierProgress:
    current: str | None
    next: str | None
    earned: int
    next_threshold: int | None
    missing: int | None

    @property
    def percent(self) -> int:
        """How far from the current tier's start to the next one; 100 at the top tier."""
        if self.next_threshold is None:
            return 100
        return max(0, min(100, self.earned * 100 // max(self.next_threshold, 1)))

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> TierProgress | None:
        if data is None:
            return None
        return cls(data["current"], data["next"], data["earned"], data["next_threshold"], data["missing"])


@dataclass(frozen=True)
class ExpiringPoints:
    points: int
    on: datetime


@dataclass(frozen=True)
class StampProgress:
    """A stamp card on the customer's card: `stamps` of `stamps_needed` on the current fill."""

    id: int
    name: str
    stamps: int
    stamps_needed: int
    reward: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StampProgress:
        return cls(data["id"], data["name"], data["stamps"], data["stamps_needed"], data["reward"])


@dataclass(frozen=True)
class Dashboard:
    card: Card
    tier: TierProgress | None
    campaign: Campaign | None
    next_reward: Reward | None
    reward_waiting: bool
    expiring: ExpiringPoints | None
    open_vouchers: int
    stamp_cards: tuple[StampProgress, ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Dashboard:
        expiring = data.get("expiring")
        next_reward = data.get("next_reward")
        return cls(
            card=Card.from_json(data["card"]),
            tier=TierProgress.from_json(data.get("tier")),
            campaign=Campaign.from_json(data.get("campaign")),
            next_reward=Reward.from_json(next_reward) if next_reward else None,
            reward_waiting=data["reward_waiting"],
            expiring=ExpiringPoints(expiring["points"], datetime.fromisoformat(expiring["on"]))
            if expiring
            else None,
            open_vouchers=data["open_vouchers"],
            stamp_cards=tuple(StampProgress.from_json(each) for each in data.get("stamp_cards", [])),
        )

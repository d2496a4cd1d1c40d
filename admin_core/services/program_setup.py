"""The merchant's admin sets up the program: tiers and points campaigns (rewards: `reward_admin`,
the points rate: `points_rates`). The staff UI and the API (a merchant key has the admin's scope)
call these same functions; another merchant's tier or campaign is "no such thing".

A card's tier is not stored: it follows from the points earned in the tier period, so deleting a
tier moves its cards to the tier below (or none) at once, and changing a multiplier counts from
the next purchase on. Where campaigns overlap, a purchase gets the highest multiplier among those
running at its store (`earning.terms_at`), not their product."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..database import Database
from ..errors import Conflict, Invalid, InvalidFields, NotFound
from ..models import Campaign, StaffLevel, Store, Tier
from . import unique_or, utcnow
from .earning import MAX_MULTIPLIER, PLAIN
from .ledger import MAX_POINTS
from .offers import known_group
from .reward_admin import decode_cursor, encode_cursor
from .staff import StaffScope

MAX_TIERS = 20
MAX_BENEFITS = 2000
PAGE_SIZE = 50


class InvalidDetails(InvalidFields):
    """A field error per field, with a code for each (the staff UI says it in its language)."""

    def __init__(self, code: str, problems: dict[str, tuple[str, str]]) -> None:
        super().__init__(
            code,
            "Some fields are not valid.",
            {name: [message] for name, (_code, message) in problems.items()},
        )
        self.codes = {name: code for name, (code, _message) in problems.items()}


@dataclass(frozen=True)
class TierDetails:
    name: str
    threshold: int  # points earned in the merchant's tier period
    benefits: str = ""
    multiplier_percent: int = 100  # the purchase points of its members, in hundredths


@dataclass(frozen=True)
class CampaignDetails:
    """`stores` are store codes; none: every store. `multiplier_percent` None: points as usual."""

    name: str
    starts_at: datetime
    ends_at: datetime
    multiplier_percent: int | None = None
    stores: tuple[str, ...] = ()
    group_id: int | None = None  # its multiplier for this customer group's members only


@dataclass(frozen=True)
class CampaignPage:
    campaigns: list[Campaign]
    next_cursor: str | None


def _name(problems: dict[str, tuple[str, str]], value: str, limit: int) -> str:
    value = value.strip()
    if not 1 <= len(value) <= limit:
        problems["name"] = ("invalid_name", f"A name is 1-{limit} characters.")
    return value


def _multiplier(problems: dict[str, tuple[str, str]], percent: int | None) -> None:
    if percent is not None and not PLAIN <= percent <= MAX_MULTIPLIER:
        problems["multiplier"] = ("invalid_multiplier", "A multiplier is from 1 to 10.")


def _checked_tier(details: TierDetails) -> TierDetails:
    problems: dict[str, tuple[str, str]] = {}
    name = _name(problems, details.name, 64)
    benefits = details.benefits.strip()
    if not 0 <= details.threshold <= MAX_POINTS:
        problems["threshold"] = ("invalid_threshold", f"A tier starts at 0-{MAX_POINTS} points.")
    if len(benefits) > MAX_BENEFITS:
        problems["benefits"] = ("benefits_too_long", f"Benefits are at most {MAX_BENEFITS} characters.")
    _multiplier(problems, details.multiplier_percent)
    if problems:
        raise InvalidDetails("invalid_tier", problems)
    return TierDetails(name, details.threshold, benefits, details.multiplier_percent)


def _apply_tier(session: Session, tier: Tier, details: TierDetails) -> Tier:
    tier.name, tier.threshold = details.name, details.threshold
    tier.benefits, tier.multiplier_percent = details.benefits, details.multiplier_percent
    with unique_or(session, Conflict("tier_exists", f"Another tier starts at {details.threshold} points.")):
        session.add(tier)
    return tier


def list_tiers(session: Session, scope: StaffScope) -> list[Tier]:
    """The ladder, lowest first (at most MAX_TIERS: no pages)."""
    scope.require(StaffLevel.ADMIN)
    return list(
        session.scalars(select(Tier).where(Tier.merchant_id == scope.merchant_id).order_by(Tier.threshold))
    )


def get_tier(session: Session, scope: StaffScope, tier_id: int, *, for_update: bool = False) -> Tier:
    scope.require(StaffLevel.ADMIN)
    tier = session.get(Tier, tier_id, with_for_update=for_update)
    if tier is None or tier.merchant_id != scope.merchant_id:
        raise NotFound("tier_not_found", "No such tier.")
    return tier


def add_tier(session: Session, scope: StaffScope, details: TierDetails) -> Tier:
    """Inside the caller's write transaction (the API's idempotent write)."""
    scope.require(StaffLevel.ADMIN)
    clean = _checked_tier(details)
    count = session.scalar(
        select(func.count()).select_from(Tier).where(Tier.merchant_id == scope.merchant_id)
    )
    if (count or 0) >= MAX_TIERS:
        raise Conflict("too_many_tiers", f"A program has at most {MAX_TIERS} tiers.")
    return _apply_tier(session, Tier(merchant_id=scope.merchant_id), clean)


def create_tier(db: Database, scope: StaffScope, details: TierDetails) -> Tier:
    with db.write() as session:
        return add_tier(session, scope, details)


def update_tier(db: Database, scope: StaffScope, tier_id: int, details: TierDetails) -> Tier:
    with db.write() as session:
        tier = get_tier(session, scope, tier_id, for_update=True)
        return _apply_tier(session, tier, _checked_tier(details))


def delete_tier(db: Database, scope: StaffScope, tier_id: int) -> None:
    """Its cards fall to the tier below, or to none; their points and history stay."""
    with db.write() as session:
        session.delete(get_tier(session, scope, tier_id, for_update=True))


def _stores(
    session: Session, merchant_id: int, codes: tuple[str, ...], problems: dict[str, tuple[str, str]]
) -> list[Store]:
    wanted = sorted(set(codes))
    if not wanted:
        return []
    found = list(
        session.scalars(select(Store).where(Store.merchant_id == merchant_id, Store.code.in_(wanted)))
    )
    missing = set(wanted) - {store.code for store in found}
    if missing:
        problems["stores"] = ("unknown_store", f"No such store: {', '.join(sorted(missing))}.")
    return found


def _apply_campaign(session: Session, campaign: Campaign, details: CampaignDetails) -> Campaign:
    problems: dict[str, tuple[str, str]] = {}
    name = _name(problems, details.name, 200)
    for field, moment in (("starts_at", details.starts_at), ("ends_at", details.ends_at)):
        if moment.utcoffset() is None:
            problems[field] = ("invalid_time", "Give the time with its time zone.")
    if not problems.keys() & {"starts_at", "ends_at"} and details.ends_at <= details.starts_at:
        problems["ends_at"] = ("invalid_period", "A campaign ends after it starts.")
    _multiplier(problems, details.multiplier_percent)
    stores = _stores(session, campaign.merchant_id, details.stores, problems)
    if details.group_id is not None:
        try:
            known_group(session, campaign.merchant_id, details.group_id)
        except Invalid as unknown:
            problems["group_id"] = (unknown.code, unknown.message)
    if problems:
        raise InvalidDetails("invalid_campaign", problems)
    campaign.name, campaign.starts_at, campaign.ends_at = name, details.starts_at, details.ends_at
    campaign.multiplier_percent, campaign.stores = details.multiplier_percent, stores
    campaign.group_id = details.group_id
    session.add(campaign)
    session.flush()
    return campaign


def list_campaigns(
    session: Session, scope: StaffScope, cursor: str | None = None, limit: int = PAGE_SIZE
) -> CampaignPage:
    """Newest first, a page at a time."""
    scope.require(StaffLevel.ADMIN)
    query = (
        select(Campaign)
        .options(selectinload(Campaign.stores))
        .where(Campaign.merchant_id == scope.merchant_id)
    )
    if cursor is not None:
        query = query.where(Campaign.id < decode_cursor(cursor))
    rows = list(session.scalars(query.order_by(Campaign.id.desc()).limit(limit + 1)))
    more, rows = len(rows) > limit, rows[:limit]
    return CampaignPage(rows, encode_cursor(rows[-1].id) if more else None)


def get_campaign(
    session: Session, scope: StaffScope, campaign_id: int, *, for_update: bool = False
) -> Campaign:
    scope.require(StaffLevel.ADMIN)
    campaign = session.get(
        Campaign, campaign_id, with_for_update=for_update, options=[selectinload(Campaign.stores)]
    )
    if campaign is None or campaign.merchant_id != scope.merchant_id:
        raise NotFound("campaign_not_found", "No such campaign.")
    return campaign


def add_campaign(session: Session, scope: StaffScope, details: CampaignDetails) -> Campaign:
    """Inside the caller's write transaction (the API's idempotent write)."""
    scope.require(StaffLevel.ADMIN)
    return _apply_campaign(session, Campaign(merchant_id=scope.merchant_id), details)


def create_campaign(db: Database, scope: StaffScope, details: CampaignDetails) -> Campaign:
    with db.write() as session:
        return add_campaign(session, scope, details)


def update_campaign(db: Database, scope: StaffScope, campaign_id: int, details: CampaignDetails) -> Campaign:
    with db.write() as session:
        return _apply_campaign(session, get_campaign(session, scope, campaign_id, for_update=True), details)


def delete_campaign(db: Database, scope: StaffScope, campaign_id: int, now: datetime | None = None) -> None:
    """Only before it starts: once it has, purchases earned under it and the portal showed it."""
    with db.write() as session:
        campaign = get_campaign(session, scope, campaign_id, for_update=True)
        if campaign.starts_at <= (now or utcnow()):
            raise Conflict(
                "campaign_started",
                "A campaign that has started cannot be deleted: purchases earned points under it. "
                "Set its end instead.",
            )
        session.delete(campaign)

"""A merchant sets up the program: tiers and points campaigns (rewards: `reward_admin`)."""

from __future__ import annotations

from datetime import datetime

from ..database import Database
from ..errors import Conflict, Invalid
from ..models import Campaign, Tier
from . import add_unique
from .ledger import MAX_POINTS


def _name(value: str, limit: int) -> str:
    value = value.strip()
    if not 1 <= len(value) <= limit:
        raise Invalid("invalid_name", f"A name is 1-{limit} characters.")
    return value


def create_tier(db: Database, merchant_id: int, name: str, threshold: int) -> Tier:
    if not 0 <= threshold <= MAX_POINTS:
        raise Invalid("invalid_threshold", f"A tier starts at 0-{MAX_POINTS} points.")
    tier = Tier(merchant_id=merchant_id, name=_name(name, 64), threshold=threshold)
    return add_unique(db, tier, Conflict("tier_exists", f"A tier starts at {threshold} points already."))


def create_campaign(
    db: Database, merchant_id: int, name: str, starts_at: datetime, ends_at: datetime
) -> Campaign:
    if ends_at <= starts_at:
        raise Invalid("invalid_period", "A campaign ends after it starts.")
    campaign = Campaign(merchant_id=merchant_id, name=_name(name, 200), starts_at=starts_at, ends_at=ends_at)
    with db.write() as session:
        session.add(campaign)
    return campaign

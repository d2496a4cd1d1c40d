"""The merchant's admin defines the rewards: what they cost, how many there are, how often one
customer may take one, when and at which stores. The staff UI and the API (a merchant key has the
admin's scope) call these same functions; a reward of another merchant is "no such reward"."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..database import Database
from ..errors import Invalid, InvalidAtFields, NotFound
from ..models import Reward, RewardPicture, StaffLevel, Store
from . import cursors, logos, utcnow
from .ledger import MAX_POINTS
from .staff import StaffScope
from .store_groups import stores_in

MAX_STOCK = 1_000_000
MAX_LIMIT = 1000
MAX_DESCRIPTION = 2000
PAGE_SIZE = 50
# The logo's checks hold for pictures too; only the words differ.
PICTURE_CODES = {"invalid_logo": "invalid_picture", "logo_too_large": "picture_too_large"}


@dataclass(frozen=True)
class RewardDetails:
    """Everything the admin sets on a reward. `stores` are store codes or store groups
    (`group:<id>`, services/stores.py), saved as the stores they are now; none: every store."""

    name: str
    points: int
    description: str = ""
    stock: int | None = None  # None: unlimited
    per_customer_limit: int | None = None  # None: no limit
    active_from: datetime | None = None
    active_until: datetime | None = None
    stores: tuple[str, ...] = ()
    voucher_valid_days: int = 30

    @classmethod
    def of(cls, reward: Reward) -> RewardDetails:
        return cls(
            name=reward.name,
            points=reward.points,
            description=reward.description,
            stock=reward.stock,
            per_customer_limit=reward.per_customer_limit,
            active_from=reward.active_from,
            active_until=reward.active_until,
            stores=tuple(store.code for store in reward.stores),
            voucher_valid_days=reward.voucher_valid_days,
        )


class InvalidReward(InvalidAtFields):
    """A field error per field, with a code for each (the staff UI says it in its language)."""

    def __init__(self, problems: dict[str, tuple[str, str]]) -> None:
        super().__init__("invalid_reward", problems)


@dataclass(frozen=True)
class RewardPage:
    rewards: list[Reward]
    next_cursor: str | None  # None: this is the last page


@dataclass
class _Check:
    problems: dict[str, tuple[str, str]] = field(default_factory=dict)

    def within(self, name: str, value: int | None, low: int, high: int, code: str, message: str) -> None:
        if value is not None and not low <= value <= high:
            self.problems[name] = (code, message)


def _stores(session: Session, merchant_id: int, choices: tuple[str, ...], check: _Check) -> list[Store]:
    try:
        return stores_in(session, merchant_id, choices)
    except (NotFound, Invalid) as error:
        check.problems["stores"] = (error.code, error.message)
        return []


def _checked(session: Session, merchant_id: int, details: RewardDetails) -> tuple[RewardDetails, list[Store]]:
    check = _Check()
    name, description = details.name.strip(), details.description.strip()
    if not 1 <= len(name) <= 200:
        check.problems["name"] = ("invalid_name", "A name is 1-200 characters.")
    if len(description) > MAX_DESCRIPTION:
        check.problems["description"] = (
            "description_too_long",
            f"A description is at most {MAX_DESCRIPTION} characters.",
        )
    check.within(
        "points", details.points, 1, MAX_POINTS, "invalid_points", f"A reward costs 1-{MAX_POINTS} points."
    )
    check.within(
        "stock",
        details.stock,
        0,
        MAX_STOCK,
        "invalid_stock",
        f"The stock is 0-{MAX_STOCK}, or empty for unlimited.",
    )
    check.within(
        "per_customer_limit",
        details.per_customer_limit,
        1,
        MAX_LIMIT,
        "invalid_limit",
        f"A customer may take it 1-{MAX_LIMIT} times, or leave it empty for no limit.",
    )
    check.within(
        "voucher_valid_days",
        details.voucher_valid_days,
        1,
        366,
        "invalid_validity",
        "A voucher is valid for 1-366 days.",
    )
    for name_of, moment in (("active_from", details.active_from), ("active_until", details.active_until)):
        if moment is not None and moment.utcoffset() is None:
            check.problems[name_of] = ("invalid_time", "Give the time with its time zone.")
    if (
        "active_from" not in check.problems
        and "active_until" not in check.problems
        and details.active_from is not None
        and details.active_until is not None
        and details.active_until <= details.active_from
    ):
        check.problems["active_until"] = ("invalid_period", "The end must come after the start.")
    stores = _stores(session, merchant_id, details.stores, check)
    if check.problems:
        raise InvalidReward(check.problems)
    clean = RewardDetails(
        name=name,
        points=details.points,
        description=description,
        stock=details.stock,
        per_customer_limit=details.per_customer_limit,
        active_from=details.active_from,
        active_until=details.active_until,
        stores=tuple(store.code for store in stores),
        voucher_valid_days=details.voucher_valid_days,
    )
    return clean, stores


def _apply(reward: Reward, details: RewardDetails, stores: list[Store]) -> None:
    reward.name, reward.description, reward.points = details.name, details.description, details.points
    reward.stock, reward.per_customer_limit = details.stock, details.per_customer_limit
    reward.active_from, reward.active_until = details.active_from, details.active_until
    reward.voucher_valid_days = details.voucher_valid_days
    reward.stores = stores


def add_reward(session: Session, scope: StaffScope, details: RewardDetails) -> Reward:
    """Inside the caller's write transaction (the API's idempotent write)."""
    scope.require(StaffLevel.ADMIN)
    clean, stores = _checked(session, scope.merchant_id, details)
    reward = Reward(merchant_id=scope.merchant_id, active=True, created_at=utcnow())
    _apply(reward, clean, stores)
    session.add(reward)
    session.flush()
    return reward


def create_reward(db: Database, scope: StaffScope, details: RewardDetails) -> Reward:
    with db.write() as session:
        return add_reward(session, scope, details)


def get_reward(session: Session, scope: StaffScope, reward_id: int, *, for_update: bool = False) -> Reward:
    scope.require(StaffLevel.ADMIN)
    reward = session.get(Reward, reward_id, with_for_update=for_update, options=[selectinload(Reward.stores)])
    if reward is None or reward.merchant_id != scope.merchant_id:
        raise NotFound("reward_not_found", "No such reward.")
    return reward


def update_reward(db: Database, scope: StaffScope, reward_id: int, details: RewardDetails) -> Reward:
    with db.write() as session:
        reward = get_reward(session, scope, reward_id, for_update=True)
        clean, stores = _checked(session, scope.merchant_id, details)
        _apply(reward, clean, stores)
        return reward


def set_reward_active(db: Database, scope: StaffScope, reward_id: int, active: bool) -> Reward:
    """Switched off, it leaves the catalogue; vouchers already issued stay valid."""
    with db.write() as session:
        reward = get_reward(session, scope, reward_id, for_update=True)
        reward.active = active
        return reward


def encode_cursor(reward_id: int) -> str:
    return cursors.encode("r", reward_id)


def decode_cursor(text: str) -> int:
    return cursors.decode_id("r", text)


def list_rewards(
    session: Session, scope: StaffScope, cursor: str | None = None, limit: int = PAGE_SIZE
) -> RewardPage:
    """Every reward, switched off ones too, oldest first; a page ends where `next_cursor` goes on."""
    scope.require(StaffLevel.ADMIN)
    query = select(Reward).options(selectinload(Reward.stores)).where(Reward.merchant_id == scope.merchant_id)
    if cursor is not None:
        query = query.where(Reward.id > decode_cursor(cursor))
    rows = list(session.scalars(query.order_by(Reward.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return RewardPage(rows, encode_cursor(rows[-1].id) if more else None)


def set_picture(db: Database, scope: StaffScope, reward_id: int, data: bytes) -> Reward:
    try:
        kind = logos.content_type(data)
    except Invalid as error:
        code = PICTURE_CODES.get(error.code, error.code)
        raise InvalidReward({"picture": (code, error.message.replace("logo", "picture"))}) from None
    digest = hashlib.sha256(data).hexdigest()
    with db.write() as session:
        reward = get_reward(session, scope, reward_id, for_update=True)
        picture = session.get(RewardPicture, reward_id) or RewardPicture(reward_id=reward_id)
        picture.content_type, picture.data, picture.digest, picture.updated_at = kind, data, digest, utcnow()
        session.add(picture)
        reward.picture_digest = digest
        return reward


def remove_picture(db: Database, scope: StaffScope, reward_id: int) -> Reward:
    with db.write() as session:
        reward = get_reward(session, scope, reward_id, for_update=True)
        picture = session.get(RewardPicture, reward_id)
        if picture is not None:
            session.delete(picture)
        reward.picture_digest = None
        return reward


def find_picture(session: Session, merchant_id: int, reward_id: int) -> RewardPicture | None:
    """The picture the portal shows; any reward of the merchant, switched off or not."""
    reward = session.get(Reward, reward_id)
    if reward is None or reward.merchant_id != merchant_id:
        return None
    return session.get(RewardPicture, reward_id)

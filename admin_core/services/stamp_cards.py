"""The merchant's admin defines stamp cards: what earns a stamp, how many fill the card, which of
the merchant's rewards a filled card becomes (a voucher valid so many days), at which stores
stamps are given (none: every store). The staff UI and the API call these same functions; a
stamp card of another merchant is "no such stamp card"."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..database import MAX_ID, Database
from ..errors import Invalid, InvalidAtFields, NotFound
from ..models import Reward, StaffLevel, StampCard, Store
from . import cursors, utcnow
from .staff import StaffScope
from .store_groups import stores_in

MAX_NAME = 64
MAX_STAMPS_NEEDED = 100
MAX_VALID_DAYS = 366
PAGE_SIZE = 50


@dataclass(frozen=True)
class StampCardDetails:
    """`stores` are store codes or groups (`group:<id>`), saved as the stores they are now."""

    name: str
    stamps_needed: int
    reward_id: int
    voucher_valid_days: int = 30
    stores: tuple[str, ...] = ()

    @classmethod
    def of(cls, stamp_card: StampCard) -> StampCardDetails:
        return cls(
            name=stamp_card.name,
            stamps_needed=stamp_card.stamps_needed,
            reward_id=stamp_card.reward_id,
            voucher_valid_days=stamp_card.voucher_valid_days,
            stores=tuple(store.code for store in stamp_card.stores),
        )


class InvalidStampCard(InvalidAtFields):
    def __init__(self, problems: dict[str, tuple[str, str]]) -> None:
        super().__init__("invalid_stamp_card", problems)


@dataclass(frozen=True)
class StampCardPage:
    stamp_cards: list[StampCard]
    next_cursor: str | None  # None: this is the last page


def _checked(
    session: Session, merchant_id: int, details: StampCardDetails
) -> tuple[str, Reward | None, list[Store]]:
    problems: dict[str, tuple[str, str]] = {}
    name = details.name.strip()
    if not 1 <= len(name) <= MAX_NAME:
        problems["name"] = ("invalid_stamp_name", f"What earns a stamp is named in 1-{MAX_NAME} characters.")
    if not 2 <= details.stamps_needed <= MAX_STAMPS_NEEDED:
        problems["stamps_needed"] = (
            "invalid_stamps_needed",
            f"A stamp card is filled by 2-{MAX_STAMPS_NEEDED} stamps.",
        )
    if not 1 <= details.voucher_valid_days <= MAX_VALID_DAYS:
        problems["voucher_valid_days"] = (
            "invalid_validity",
            f"A voucher is valid for 1-{MAX_VALID_DAYS} days.",
        )
    reward = session.get(Reward, details.reward_id) if 0 < details.reward_id <= MAX_ID else None
    if reward is None or reward.merchant_id != merchant_id:
        problems["reward_id"] = ("reward_not_found", "Choose one of your rewards.")
        reward = None
    stores: list[Store] = []
    try:
        stores = stores_in(session, merchant_id, details.stores)
    except (NotFound, Invalid) as error:
        problems["stores"] = (error.code, error.message)
    if problems:
        raise InvalidStampCard(problems)
    return name, reward, stores


def _apply(stamp_card: StampCard, details: StampCardDetails, name: str, stores: list[Store]) -> None:
    stamp_card.name, stamp_card.stamps_needed = name, details.stamps_needed
    stamp_card.reward_id, stamp_card.voucher_valid_days = details.reward_id, details.voucher_valid_days
    stamp_card.stores = stores


def add_stamp_card(
    session: Session, scope: StaffScope, details: StampCardDetails, *, active: bool = True
) -> StampCard:
    """Inside the caller's write transaction (the API's idempotent write)."""
    scope.require(StaffLevel.ADMIN)
    name, reward, stores = _checked(session, scope.merchant_id, details)
    stamp_card = StampCard(merchant_id=scope.merchant_id, active=active, created_at=utcnow(), reward=reward)
    _apply(stamp_card, details, name, stores)
    session.add(stamp_card)
    session.flush()
    return stamp_card


def create_stamp_card(db: Database, scope: StaffScope, details: StampCardDetails) -> StampCard:
    with db.write() as session:
        return add_stamp_card(session, scope, details)


def get_stamp_card(
    session: Session, scope: StaffScope, stamp_card_id: int, *, for_update: bool = False
) -> StampCard:
    scope.require(StaffLevel.ADMIN)
    stamp_card = session.get(
        StampCard, stamp_card_id, with_for_update=for_update, options=[selectinload(StampCard.stores)]
    )
    if stamp_card is None or stamp_card.merchant_id != scope.merchant_id:
        raise NotFound("stamp_card_not_found", "No such stamp card.")
    return stamp_card


def update_stamp_card(
    db: Database, scope: StaffScope, stamp_card_id: int, details: StampCardDetails, active: bool | None = None
) -> StampCard:
    """Progress already made stays; a card past the new number fills at its next stamp."""
    with db.write() as session:
        stamp_card = get_stamp_card(session, scope, stamp_card_id, for_update=True)
        name, _reward, stores = _checked(session, scope.merchant_id, details)
        _apply(stamp_card, details, name, stores)
        if active is not None:
            stamp_card.active = active
        session.flush()
        session.refresh(stamp_card)
        return stamp_card


def set_stamp_card_active(db: Database, scope: StaffScope, stamp_card_id: int, active: bool) -> StampCard:
    """Switched off, the till offers it no more and the portal no longer shows it; vouchers it
    issued stay valid."""
    with db.write() as session:
        stamp_card = get_stamp_card(session, scope, stamp_card_id, for_update=True)
        stamp_card.active = active
        return stamp_card


def list_stamp_cards(
    session: Session, scope: StaffScope, cursor: str | None = None, limit: int = PAGE_SIZE
) -> StampCardPage:
    """Every stamp card, switched off ones too, oldest first."""
    scope.require(StaffLevel.ADMIN)
    query = (
        select(StampCard)
        .options(selectinload(StampCard.stores))
        .where(StampCard.merchant_id == scope.merchant_id)
    )
    if cursor is not None:
        query = query.where(StampCard.id > cursors.decode_id("k", cursor))
    rows = list(session.scalars(query.order_by(StampCard.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return StampCardPage(rows, cursors.encode("k", rows[-1].id) if more else None)


def active_stamp_cards(session: Session, merchant_id: int) -> list[StampCard]:
    """What the till offers and the portal shows."""
    return list(
        session.scalars(
            select(StampCard)
            .options(selectinload(StampCard.stores))
            .where(StampCard.merchant_id == merchant_id, StampCard.active.is_(True))
            .order_by(StampCard.id)
        )
    )

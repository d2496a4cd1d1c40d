"""Rewards become vouchers: the points leave the card when the voucher is issued, come back if it
is cancelled, and are gone once it is collected at the till or expires.

Redeeming locks the card row first (SELECT … FOR UPDATE on PostgreSQL, the write lock on SQLite),
so concurrent redemptions against one balance run one after another and the balance never goes
below zero."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from loyalty_common.error_codes import Code

from ..errors import Conflict, Gone, NotFound
from ..models import Card, Merchant, Operation, OperationKind, Reward, Voucher, VoucherStatus
from . import utcnow
from .cards import get_card, usable
from .merchants import find_store, require_active
from .program import active_campaign

# No 0/O, 1/I/L: codes are read aloud and typed at the till.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
CODE_ATTEMPTS = 5


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw: str) -> str:
    return "".join(raw.split()).replace("-", "").upper()


def is_open(voucher: Voucher, now: datetime) -> bool:
    return voucher.status is VoucherStatus.ISSUED and voucher.expires_at > now


def redeem_reward(
    session: Session, merchant: Merchant, number: str, reward_id: int, now: datetime | None = None
) -> tuple[Voucher, Card]:
    """Inside the caller's write transaction."""
    now = now or utcnow()
    card = get_card(session, merchant.id, number, for_update=True)
    reward = session.get(Reward, reward_id)
    if reward is None or reward.merchant_id != merchant.id or not reward.active:
        raise NotFound("reward_not_found", "No such reward.")
    if reward.stock is not None:
        # Cards of different customers race for the same stock: the reward row is the lock.
        reward = session.get_one(Reward, reward_id, with_for_update=True, populate_existing=True)
    if active_campaign(session, merchant.id, now) is None:
        raise Conflict(Code.NO_CAMPAIGN, "Rewards can be taken only while a points campaign is on.")
    _check_window(reward, now)
    if reward.per_customer_limit is not None and taken_by_card(session, card.id, reward.id) >= (
        reward.per_customer_limit
    ):
        raise Conflict("limit_reached", "This card has taken this reward as often as it may.")
    if reward.stock is not None and reward.stock <= 0:
        raise Conflict("out_of_stock", "This reward is sold out.")
    if card.points < reward.points:
        raise Conflict(Code.INSUFFICIENT_POINTS, "The card does not have enough points.")
    if reward.stock is not None:
        reward.stock -= 1
    card.points -= reward.points
    card.last_activity_at = now
    session.add(
        Operation(
            card_id=card.id,
            kind=OperationKind.REWARD,
            points=-reward.points,
            description=reward.name,
            created_at=now,
        )
    )
    voucher = issue_voucher(session, merchant.id, card, reward, now)
    return voucher, card


def _check_window(reward: Reward, now: datetime) -> None:
    if reward.active_from is not None and now < reward.active_from:
        raise Conflict("not_yet", f"This reward can be taken from {reward.active_from.isoformat()}.")
    if reward.active_until is not None and now >= reward.active_until:
        raise Conflict("reward_ended", "This reward can no longer be taken.")


def taken_by_card(session: Session, card_id: int, reward_id: int) -> int:
    """Vouchers the card holds or held for the reward; cancelled ones do not count."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Voucher)
            .where(
                Voucher.card_id == card_id,
                Voucher.reward_id == reward_id,
                Voucher.status != VoucherStatus.CANCELLED,
            )
        )
        or 0
    )


def issue_voucher(
    session: Session,
    merchant_id: int,
    card: Card,
    reward: Reward,
    now: datetime,
    *,
    gift_days: int | None = None,
) -> Voucher:
    """A voucher for `reward`, bought with its points; with `gift_days`, given for nothing (a filled
    stamp card) and valid that many days: its cancellation gives back no points."""
    for _attempt in range(CODE_ATTEMPTS):
        voucher = Voucher(
            merchant_id=merchant_id,
            card_id=card.id,
            reward=reward,
            code=new_code(),
            points=reward.points if gift_days is None else 0,
            status=VoucherStatus.ISSUED,
            created_at=now,
            expires_at=now + timedelta(days=reward.voucher_valid_days if gift_days is None else gift_days),
        )
        try:
            with session.begin_nested():
                session.add(voucher)
        except IntegrityError:
            continue  # the code is taken: 31^8 makes this rare, not impossible
        return voucher
    raise Conflict("voucher_code_exhausted", "Could not find a free voucher code; try again.")


def open_vouchers(session: Session, card_id: int, now: datetime) -> list[Voucher]:
    return list(
        session.scalars(
            select(Voucher)
            .where(
                Voucher.card_id == card_id,
                Voucher.status == VoucherStatus.ISSUED,
                Voucher.expires_at > now,
            )
            .order_by(Voucher.created_at.desc(), Voucher.id.desc())
        )
    )


def find_voucher(session: Session, merchant_id: int, code: str, *, for_update: bool = False) -> Voucher:
    query = select(Voucher).where(Voucher.merchant_id == merchant_id, Voucher.code == normalize_code(code))
    if for_update:
        query = query.with_for_update(of=Voucher)
    voucher = session.scalar(query)
    if voucher is None:
        raise NotFound("voucher_not_found", "No such voucher.")
    return voucher


def _check_open(voucher: Voucher, now: datetime) -> None:
    if voucher.status is VoucherStatus.COLLECTED:
        raise Gone("voucher_collected", "This voucher was collected already.")
    if voucher.status is VoucherStatus.CANCELLED:
        raise Gone("voucher_cancelled", "This voucher was cancelled.")
    if voucher.expires_at <= now:
        raise Gone("voucher_expired", "This voucher has expired.")


def collect_voucher(
    session: Session, merchant_id: int, code: str, store_code: str, now: datetime | None = None
) -> Voucher:
    """At the till: the reward is handed over; the voucher cannot be used again."""
    now = now or utcnow()
    voucher = find_voucher(session, merchant_id, code, for_update=True)
    _check_open(voucher, now)
    usable(session.get_one(Card, voucher.card_id))
    store = find_store(session, merchant_id, store_code)
    if store is None:
        raise NotFound("unknown_store", f"No store '{store_code}' at this merchant.")
    require_active(store)
    stores = voucher.reward.stores
    if stores and store not in stores:
        where = ", ".join(each.name for each in stores)
        raise Conflict("wrong_store", f"This reward is collected only at: {where}.")
    voucher.status = VoucherStatus.COLLECTED
    voucher.collected_at = now
    voucher.collected_store_id = store.id
    return voucher


def cancel_voucher(
    session: Session,
    merchant_id: int,
    code: str,
    *,
    number: str | None = None,
    now: datetime | None = None,
) -> tuple[Voucher, Card]:
    """The points go back to the card. With `number`, only that card's own voucher."""
    now = now or utcnow()
    voucher = find_voucher(session, merchant_id, code, for_update=True)
    card = session.get_one(Card, voucher.card_id, with_for_update=True)
    if number is not None and card.number != get_card(session, merchant_id, number).number:
        raise NotFound("voucher_not_found", "No such voucher.")
    _check_open(voucher, now)
    voucher.status = VoucherStatus.CANCELLED
    voucher.cancelled_at = now
    if voucher.reward.stock is not None and voucher.points > 0:  # a gift was not taken from the stock
        reward = session.get_one(Reward, voucher.reward_id, with_for_update=True, populate_existing=True)
        if reward.stock is not None:  # unless it became unlimited meanwhile
            reward.stock += 1
    card.points += voucher.points
    card.last_activity_at = now
    session.add(
        Operation(
            card_id=card.id,
            kind=OperationKind.REWARD_REFUND,
            points=voucher.points,
            description=voucher.reward.name,
            created_at=now,
        )
    )
    return voucher, card

"""Coupons the merchant publishes and the passes a card holds.

A coupon is for every customer (no store) or for the customers whose home store it names; it
shows while published and valid_from <= now < valid_until. A pass is a number of entries (None:
unlimited) usable within its period; using one takes an entry under a row lock.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session, joinedload

from ..database import Database
from ..errors import Conflict, Invalid, NotFound
from ..models import Card, Coupon, CouponUse, CustomerGroup, GroupKind, Pass, customer_group_members
from . import utcnow
from .cards import get_card
from .customer_filters import find_group, groups_with
from .merchants import find_store

COUPON_CODE = re.compile(r"^[0-9A-Z-]{1,32}$")
MAX_ENTRIES = 10_000
MAX_USES = 1_000  # of a coupon, per card
# Passes that ended (by date or by entries) this long ago still show, greyed, then drop off.
PAST_PASSES_SHOWN = timedelta(days=90)


class PassStatus(enum.Enum):
    ACTIVE = "active"
    UPCOMING = "upcoming"  # bought, not yet valid
    USED_UP = "used_up"  # no entries left
    EXPIRED = "expired"


def pass_status(held: Pass, now: datetime) -> PassStatus:
    if now >= held.valid_until:
        return PassStatus.EXPIRED
    if held.entries_left is not None and held.entries_left <= 0:
        return PassStatus.USED_UP
    if now < held.valid_from:
        return PassStatus.UPCOMING
    return PassStatus.ACTIVE


@dataclass(frozen=True)
class CustomerOffers:
    coupons: list[Coupon]  # newest first, each with its store loaded
    uses: dict[int, int]  # coupon id → how many times this card used it
    passes: list[Pass]  # latest ending first; includes recently ended ones (see pass_status)


def coupons_for(card: Card, now: datetime) -> Select[Coupon]:
    """The coupons the card's holder may use now: published, valid, for every customer or for the
    customers of their store, and for everyone or a manual customer group they are in, or for a
    filter group (which `coupons_with_uses` asks about); newest first."""
    audience: ColumnElement[bool] = Coupon.store_id.is_(None)
    if card.customer.store_id is not None:
        audience = or_(audience, Coupon.store_id == card.customer.store_id)
    members = customer_group_members.c
    groups = or_(
        Coupon.group_id.is_(None),
        Coupon.group_id.in_(select(members.group_id).where(members.customer_id == card.customer_id)),
        Coupon.group_id.in_(
            select(CustomerGroup.id).where(
                CustomerGroup.merchant_id == card.merchant_id, CustomerGroup.kind == GroupKind.FILTER
            )
        ),
    )
    return (
        select(Coupon)
        .options(joinedload(Coupon.store))
        .where(
            Coupon.merchant_id == card.merchant_id,
            Coupon.valid_until > now,
            Coupon.valid_from <= now,
            Coupon.published.is_(True),
            audience,
            groups,
        )
        .order_by(Coupon.created_at.desc(), Coupon.id.desc())
    )


def coupons_with_uses(session: Session, card: Card, now: datetime) -> list[tuple[Coupon, int]]:
    """The coupons the card's holder may use now, each with how many times the card used it: one
    statement, and one per filter group a coupon is for (is the holder among whom it finds?)."""
    used = (
        select(func.count())
        .where(CouponUse.coupon_id == Coupon.id, CouponUse.card_id == card.id)
        .scalar_subquery()
    )
    query = (
        coupons_for(card, now)
        .outerjoin(CustomerGroup, CustomerGroup.id == Coupon.group_id)
        .add_columns(used, CustomerGroup.kind)
    )
    found = session.execute(query).all()
    searched = {coupon.group_id for coupon, _uses, kind in found if kind is GroupKind.FILTER}
    member = groups_with(session, card.merchant_id, card.customer_id, (each for each in searched if each))
    return [
        (coupon, uses)
        for coupon, uses, kind in found
        if kind is not GroupKind.FILTER or coupon.group_id in member
    ]


def customer_offers(
    session: Session, merchant_id: int, number: str, now: datetime | None = None
) -> CustomerOffers:
    """What the card's holder can use now. Three statements: card, coupons (with their uses),
    passes; and one per filter group a coupon is for."""
    now = now or utcnow()
    card = get_card(session, merchant_id, number)
    found = coupons_with_uses(session, card, now)
    passes = session.scalars(
        select(Pass)
        .where(Pass.card_id == card.id, Pass.valid_until > now - PAST_PASSES_SHOWN)
        .order_by(Pass.valid_until.desc(), Pass.id.desc())
    ).all()
    return CustomerOffers(
        [coupon for coupon, _ in found], {coupon.id: uses for coupon, uses in found}, list(passes)
    )


def _period(valid_from: datetime, valid_until: datetime) -> None:
    if valid_from.tzinfo is None or valid_until.tzinfo is None:
        raise Invalid("invalid_period", "Give the period as aware datetimes.")
    if valid_until <= valid_from:
        raise Invalid("invalid_period", "The end of the period must come after its start.")


def known_group(session: Session, merchant_id: int, group_id: int) -> None:
    """A coupon or campaign is for one of the merchant's groups: else Invalid `unknown_group`."""
    try:
        find_group(session, merchant_id, group_id)
    except NotFound:
        raise Invalid("unknown_group", "No such customer group.") from None


def publish_coupon(
    db: Database,
    merchant_id: int,
    *,
    title: str,
    valid_until: datetime,
    valid_from: datetime | None = None,
    description: str = "",
    code: str | None = None,
    store_code: str | None = None,
    published: bool = True,
    uses_per_card: int | None = 1,
    group_id: int | None = None,
    now: datetime | None = None,
) -> Coupon:
    """A coupon for every customer, or for the customers of the store `store_code`, or (too) for
    the members of the customer group `group_id`; each card uses it `uses_per_card` times at a
    till (None: no limit)."""
    now = now or utcnow()
    valid_from = valid_from or now
    title = title.strip()
    if not 0 < len(title) <= 200:
        raise Invalid("invalid_title", "A coupon needs a title of at most 200 characters.")
    code = code.strip().upper() if code and code.strip() else None
    if code is not None and not COUPON_CODE.match(code):
        raise Invalid("invalid_coupon_code", "A coupon code is 1-32 letters, digits or dashes.")
    _period(valid_from, valid_until)
    if uses_per_card is not None and not 0 < uses_per_card <= MAX_USES:
        raise Invalid("invalid_uses", f"A coupon is used 1 to {MAX_USES} times per card, or with no limit.")
    with db.write() as session:
        store = None
        if store_code is not None:
            store = find_store(session, merchant_id, store_code)
            if store is None:
                raise Invalid("unknown_store", f"No store '{store_code}' at this merchant.")
        if group_id is not None:
            known_group(session, merchant_id, group_id)
        coupon = Coupon(
            merchant_id=merchant_id,
            store=store,
            title=title,
            description=description.strip(),
            code=code,
            valid_from=valid_from,
            valid_until=valid_until,
            published=published,
            uses_per_card=uses_per_card,
            group_id=group_id,
            created_at=now,
        )
        session.add(coupon)
    return coupon


def issue_pass(
    db: Database,
    merchant_id: int,
    number: str,
    *,
    name: str,
    valid_until: datetime,
    entries: int | None = None,
    valid_from: datetime | None = None,
    now: datetime | None = None,
) -> Pass:
    """Put a pass on a card: `entries` uses (None: unlimited) from `valid_from` (default now)."""
    now = now or utcnow()
    valid_from = valid_from or now
    name = name.strip()
    if not 0 < len(name) <= 120:
        raise Invalid("invalid_name", "A pass needs a name of at most 120 characters.")
    if entries is not None and not 0 < entries <= MAX_ENTRIES:
        raise Invalid("invalid_entries", f"A pass has between 1 and {MAX_ENTRIES} entries, or no limit.")
    _period(valid_from, valid_until)
    with db.write() as session:
        card = get_card(session, merchant_id, number)
        held = Pass(
            card_id=card.id,
            name=name,
            entries_total=entries,
            entries_left=entries,
            valid_from=valid_from,
            valid_until=valid_until,
            created_at=now,
        )
        session.add(held)
    return held


def use_pass_entry(db: Database, merchant_id: int, pass_id: int, now: datetime | None = None) -> Pass:
    """Take one entry of a pass (an unlimited pass is only checked)."""
    with db.write() as session:
        return take_entry(session, merchant_id, pass_id, now or utcnow())


def take_entry(session: Session, merchant_id: int, pass_id: int, now: datetime) -> Pass:
    """In the caller's transaction: the pass row is locked, so two tills using the last entry at
    once cannot both succeed."""
    held = session.scalar(
        select(Pass)
        .join(Card, Card.id == Pass.card_id)
        .where(Pass.id == pass_id, Card.merchant_id == merchant_id)
        .with_for_update(of=Pass)
    )
    if held is None:
        raise NotFound("pass_not_found", "No such pass.")
    status = pass_status(held, now)
    if status is PassStatus.EXPIRED:
        raise Conflict("pass_expired", "This pass has expired.")
    if status is PassStatus.UPCOMING:
        raise Conflict("pass_not_started", "This pass is not valid yet.")
    if status is PassStatus.USED_UP:
        raise Conflict("pass_used_up", "This pass has no entries left.")
    if held.entries_left is not None:
        held.entries_left -= 1
    return held

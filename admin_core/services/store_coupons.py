"""Coupons as staff manage them: a store manager publishes and withdraws their store's coupons;
the merchant's admin any store's, and those for every customer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..database import Database
from ..errors import NotFound
from ..models import Coupon, StaffLevel
from .offers import publish_coupon
from .staff import StaffScope

MANAGING = (StaffLevel.ADMIN, StaffLevel.MANAGER)


def coupons_in_scope(session: Session, scope: StaffScope) -> list[Coupon]:
    scope.require(*MANAGING)
    query = select(Coupon).options(joinedload(Coupon.store)).where(Coupon.merchant_id == scope.merchant_id)
    if scope.store_id is not None:
        query = query.where(Coupon.store_id == scope.store_id)
    return list(session.scalars(query.order_by(Coupon.valid_until.desc(), Coupon.id.desc())))


def create_coupon(
    db: Database,
    scope: StaffScope,
    *,
    title: str,
    valid_from: datetime,
    valid_until: datetime,
    description: str = "",
    code: str | None = None,
    store_code: str | None = None,
    uses_per_card: int | None = 1,
    group_id: int | None = None,
) -> Coupon:
    """`store_code` None: for every customer (an admin), or the manager's own store."""
    scope.require(*MANAGING)
    with db.read() as session:
        store = scope.store(session, store_code)
    return publish_coupon(
        db,
        scope.merchant_id,
        title=title,
        description=description,
        code=code,
        valid_from=valid_from,
        valid_until=valid_until,
        store_code=store.code if store is not None else None,
        uses_per_card=uses_per_card,
        group_id=group_id,
    )


def set_coupon_published(db: Database, scope: StaffScope, coupon_id: int, published: bool) -> Coupon:
    scope.require(*MANAGING)
    with db.write() as session:
        coupon = session.get(Coupon, coupon_id, with_for_update=True)
        outside = scope.store_id is not None and (coupon is None or coupon.store_id != scope.store_id)
        if coupon is None or coupon.merchant_id != scope.merchant_id or outside:
            raise NotFound("coupon_not_found", "No such coupon.")
        coupon.published = published
        return coupon

"""The demo's customer group: "Regulars" (the first demo card's holder, added by hand), with a
coupon only they are offered."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from .database import Database
from .models import CustomerGroup
from .services import utcnow
from .services.customer_groups import GroupDetails, add_member, new_group
from .services.offers import publish_coupon
from .services.staff import StaffScope

REGULARS = "Regulars"


def ensure_regulars(db: Database, merchant_id: int, number: str) -> None:
    with db.read() as session:
        found = session.scalar(
            select(CustomerGroup.id).where(
                CustomerGroup.merchant_id == merchant_id, CustomerGroup.name == REGULARS
            )
        )
    if found is not None:
        return
    scope = StaffScope.merchant(merchant_id)
    group = new_group(db, scope, GroupDetails(REGULARS))
    with db.write() as session:
        add_member(session, scope, group.id, number)
    publish_coupon(
        db,
        merchant_id,
        title="A pastry on the house for our regulars",
        description="With any coffee, once: thank you for coming back.",
        valid_until=utcnow() + timedelta(days=30),
        group_id=group.id,
    )

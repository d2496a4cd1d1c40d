"""A coupon used at a till: once per card, unless the coupon allows more (`uses_per_card`, None:
no limit). The card row is locked while its uses are counted, so two tills cannot both take the
last use; each use is also an operation on the card (`coupon_use`, the coupon's title), under the
till's attempt key like every till write."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..database import MAX_ID, Database
from ..errors import Conflict, Forbidden, NotFound
from ..models import Card, Coupon, CouponUse, CustomerGroup, Operation, OperationKind
from . import utcnow
from .cards import get_card, usable
from .customer_filters import groups_with
from .idempotency import Outcome, request_fingerprint, run_once
from .offers import coupons_with_uses
from .staff import StaffScope


def uses_left(coupon: Coupon, uses: int) -> int | None:
    return None if coupon.uses_per_card is None else max(coupon.uses_per_card - uses, 0)


def _not_for_the_holder(session: Session, card: Card, coupon_id: int) -> None:
    """A coupon for a customer group the card's holder is not in: said, not hidden as not found."""
    coupon = session.get(Coupon, coupon_id) if 0 < coupon_id <= MAX_ID else None
    if coupon is None or coupon.merchant_id != card.merchant_id or coupon.group_id is None:
        return
    if coupon.group_id not in groups_with(session, card.merchant_id, card.customer_id, [coupon.group_id]):
        group = session.get_one(CustomerGroup, coupon.group_id)
        raise Forbidden(
            "coupon_not_for_customer",
            f"This coupon is for the customer group '{group.name}' only, and this customer is not in it.",
        )


def use_coupon(
    db: Database, scope: StaffScope, number: str, coupon_id: int, store_code: str | None, attempt: str
) -> Outcome:
    """NotFound `coupon_not_found` for a coupon the card's holder may not use now (withdrawn,
    expired, another store's customers'); Forbidden `coupon_not_for_customer` for a coupon of a
    customer group the holder is not in; Conflict `coupon_used_up` once its uses are taken."""
    fingerprint = request_fingerprint("COUPON_USE", number, [coupon_id, store_code, scope.staff_id])

    def work(session: Session) -> tuple[int, dict[str, object]]:
        store = scope.store_at_till(session, store_code)
        card: Card = usable(get_card(session, scope.merchant_id, number, for_update=True))
        now = utcnow()
        found = [
            (coupon, uses) for coupon, uses in coupons_with_uses(session, card, now) if coupon.id == coupon_id
        ]
        if not found:
            _not_for_the_holder(session, card, coupon_id)
            raise NotFound("coupon_not_found", "This card has no such coupon to use now.")
        [(coupon, uses)] = found
        if uses_left(coupon, uses) == 0:
            raise Conflict("coupon_used_up", "This card has used this coupon already.")
        session.add(
            CouponUse(
                coupon_id=coupon.id,
                card_id=card.id,
                store_id=store.id,
                staff_id=scope.staff_id,
                created_at=now,
            )
        )
        session.add(
            Operation(
                card_id=card.id,
                store_id=store.id,
                kind=OperationKind.COUPON_USE,
                points=0,
                credit=0,
                discount=0,
                description=coupon.title[:200],
                staff_id=scope.staff_id,
                created_at=now,
            )
        )
        return 201, {"coupon": coupon.id, "uses": uses + 1, "uses_left": uses_left(coupon, uses + 1)}

    return run_once(db, scope.merchant_id, f"till:{attempt}", fingerprint, work)

"""Points per currency unit: the merchant's rate (portal settings), and a store's own where it
differs. A purchase uses its store's rate when it has one (`earning.terms_at`)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..database import Database
from ..errors import Invalid, NotFound
from ..models import Merchant, StaffLevel, Store
from .staff import StaffScope

MAX_RATE = 1000  # as the portal settings allow the merchant's


def check_rate(rate: int) -> int:
    if not 0 <= rate <= MAX_RATE:
        raise Invalid("invalid_points_rate", f"A rate is 0-{MAX_RATE} points per currency unit.")
    return rate


def merchant_rate(session: Session, scope: StaffScope) -> int:
    return session.get_one(Merchant, scope.merchant_id).points_per_unit


def store_rates(session: Session, scope: StaffScope) -> list[Store]:
    """Every store, with its own rate or None (the merchant's)."""
    scope.require(StaffLevel.ADMIN)
    return scope.stores(session)


def set_store_rate(db: Database, scope: StaffScope, code: str, rate: int | None) -> Store:
    """`rate` None: the store uses the merchant's rate again."""
    scope.require(StaffLevel.ADMIN)
    with db.write() as session:
        store = scope.store(session, code)
        if store is None:
            raise NotFound("unknown_store", "No such store.")
        store.points_per_unit = None if rate is None else check_rate(rate)
        return store

"""The merchant's admin runs the stores: opens one (a code, never changed, and a name), renames it,
gives its address, opening hours and coordinates (for maps and wallet passes), switches it off and
on. A switched-off store is not offered at the till and records nothing (`store_inactive`); its
history stays. The staff UI and the API (a merchant key has the admin's scope) call these."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..database import Database
from ..errors import Conflict, InvalidAtFields, NotFound
from ..models import StaffLevel, Store
from . import cursors, unique_or
from .merchants import STORE_CODE
from .staff import StaffScope
from .store_hours import Hours, Problem, checked_hours

PAGE_SIZE = 50
MAX_NAME = 200
MAX_ADDRESS = 500
DECIMALS = 6  # about 10 cm: more says nothing a map can use


@dataclass(frozen=True)
class StoreDetails:
    """What the admin sets on a store besides its code. `opening_hours` None: not given."""

    name: str
    address: str = ""
    opening_hours: Hours | None = None
    latitude: float | None = None
    longitude: float | None = None

    @classmethod
    def of(cls, store: Store) -> StoreDetails:
        return cls(store.name, store.address, store.opening_hours, store.latitude, store.longitude)


class InvalidStore(InvalidAtFields):
    def __init__(self, problems: dict[str, Problem]) -> None:
        super().__init__("invalid_store", problems)


@dataclass(frozen=True)
class StorePage:
    stores: list[Store]
    next_cursor: str | None  # None: this is the last page


def _coordinate(
    problems: dict[str, Problem], name: str, value: float | None, limit: int, message: str
) -> float | None:
    if value is None:
        return None
    if not (math.isfinite(value) and -limit <= value <= limit):
        problems[name] = (f"invalid_{name}", message)
        return None
    return round(value, DECIMALS)


def _checked(details: StoreDetails, problems: dict[str, Problem]) -> StoreDetails:
    name, address = details.name.strip(), details.address.strip()
    if not 1 <= len(name) <= MAX_NAME:
        problems["name"] = ("invalid_name", f"A name is 1-{MAX_NAME} characters.")
    if len(address) > MAX_ADDRESS:
        problems["address"] = ("address_too_long", f"An address is at most {MAX_ADDRESS} characters.")
    hours = None
    if details.opening_hours is not None:
        hours, hour_problems = checked_hours(details.opening_hours)
        problems.update(hour_problems)
    latitude = _coordinate(problems, "latitude", details.latitude, 90, "A latitude is -90 to 90 degrees.")
    longitude = _coordinate(
        problems, "longitude", details.longitude, 180, "A longitude is -180 to 180 degrees."
    )
    if (details.latitude is None) != (details.longitude is None):
        missing = "latitude" if details.latitude is None else "longitude"
        problems[missing] = ("coordinates_pair", "Give both the latitude and the longitude, or neither.")
    if problems:
        raise InvalidStore(problems)
    return StoreDetails(name, address, hours, latitude, longitude)


def _apply(store: Store, details: StoreDetails) -> None:
    store.name, store.address, store.opening_hours = details.name, details.address, details.opening_hours
    store.latitude, store.longitude = details.latitude, details.longitude


def add_store(session: Session, scope: StaffScope, code: str, details: StoreDetails) -> Store:
    """Inside the caller's write transaction (the API's idempotent write). Errors: InvalidStore
    (a code and message per field), Conflict `store_exists`."""
    scope.require(StaffLevel.ADMIN)
    problems: dict[str, Problem] = {}
    if not STORE_CODE.match(code):
        problems["code"] = ("invalid_store_code", "A store code is 1-32 letters, digits, - or _.")
    clean = _checked(details, problems)
    store = Store(merchant_id=scope.merchant_id, code=code, active=True)
    _apply(store, clean)
    with unique_or(session, Conflict("store_exists", f"A store '{code}' exists already.")):
        session.add(store)
    return store


def new_store(db: Database, scope: StaffScope, code: str, details: StoreDetails) -> Store:
    with db.write() as session:
        return add_store(session, scope, code, details)


def get_store(session: Session, scope: StaffScope, code: str, *, for_update: bool = False) -> Store:
    scope.require(StaffLevel.ADMIN)
    query = select(Store).where(Store.merchant_id == scope.merchant_id, Store.code == code)
    store = session.scalar(query.with_for_update() if for_update else query)
    if store is None:
        raise NotFound("store_not_found", "No such store.")
    return store


def update_store(db: Database, scope: StaffScope, code: str, details: StoreDetails) -> Store:
    with db.write() as session:
        store = get_store(session, scope, code, for_update=True)
        _apply(store, _checked(details, {}))
        return store


def set_store_active(db: Database, scope: StaffScope, code: str, active: bool) -> Store:
    """Switched off, the store records nothing more; its operations, customers and staff stay."""
    with db.write() as session:
        store = get_store(session, scope, code, for_update=True)
        store.active = active
        return store


def list_stores(
    session: Session, scope: StaffScope, cursor: str | None = None, limit: int = PAGE_SIZE
) -> StorePage:
    """Every store, switched off ones too, by code; a page ends where `next_cursor` goes on."""
    scope.require(StaffLevel.ADMIN)
    query = select(Store).where(Store.merchant_id == scope.merchant_id)
    if cursor is not None:
        query = query.where(Store.code > cursors.decode_text("s", cursor, STORE_CODE))
    rows = list(session.scalars(query.order_by(Store.code).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return StorePage(rows, cursors.encode("s", rows[-1].code) if more else None)

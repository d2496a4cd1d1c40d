"""The demo's stores as their admin would describe them: addresses, opening hours, where they are
on a map, and a store group."""

from __future__ import annotations

from sqlalchemy import select

from .database import Database
from .models import StoreGroup
from .services.staff import StaffScope
from .services.store_groups import GroupDetails, add_group
from .services.stores import StoreDetails, get_store, update_store

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
STORE_DETAILS = {
    "MAIN": StoreDetails(
        name="Via Roma 1 — main shop",
        address="Via Roma 1, 00184 Roma RM, Italy",
        opening_hours={
            **{
                day: [{"open": "07:30", "close": "13:00"}, {"open": "15:30", "close": "20:00"}]
                for day in WEEKDAYS
            },
            "sat": [{"open": "08:00", "close": "20:00"}],
        },
        latitude=41.896578,
        longitude=12.496243,
    ),
    "STATION": StoreDetails(
        name="Central Station kiosk",
        address="Roma Termini, Piazza dei Cinquecento, 00185 Roma RM, Italy",
        opening_hours={day: [{"open": "06:00", "close": "22:00"}] for day in (*WEEKDAYS, "sat", "sun")},
        latitude=41.901092,
        longitude=12.500973,
    ),
}
GROUP = GroupDetails("Rome shops", ("MAIN", "STATION"))


def ensure_store_details(db: Database, merchant_id: int) -> None:
    """Idempotent: a store keeps the details it was given (here or by its admin)."""
    scope = StaffScope.merchant(merchant_id)
    for code, details in STORE_DETAILS.items():
        with db.read() as session:
            described = bool(get_store(session, scope, code).address)
        if not described:
            update_store(db, scope, code, details)
    with db.write() as session:
        if session.scalar(select(StoreGroup.id).where(StoreGroup.merchant_id == merchant_id)) is None:
            add_group(session, scope, GROUP)

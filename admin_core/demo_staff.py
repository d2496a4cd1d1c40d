"""The demo's staff: the merchant's admin, a manager at the main shop, a user at the station kiosk.
Their passwords are printed by `core demo`, because it is a demo."""

from __future__ import annotations

from typing import Any

from passlib.context import CryptContext
from sqlalchemy import select

from .database import Database
from .models import Staff, StaffLevel
from .services.staff import NewStaff, StaffScope, create_staff

PASSWORD = "demo-staff-password"
# e-mail, first, last, level, store
STAFF: list[tuple[str, str, str, StaffLevel, str | None]] = [
    ("admin@demo.example", "Giulia", "Conti", StaffLevel.ADMIN, None),
    ("manager@demo.example", "Luca", "Ferri", StaffLevel.MANAGER, "MAIN"),
    ("till@demo.example", "Sara", "Neri", StaffLevel.USER, "STATION"),
]


def ensure_staff(db: Database, hasher: CryptContext, merchant_id: int) -> list[dict[str, Any]]:
    with db.read() as session:
        existing = set(session.scalars(select(Staff.email).where(Staff.merchant_id == merchant_id)))
    for email, first, last, level, store in STAFF:
        if email not in existing:
            create_staff(
                db,
                hasher,
                StaffScope.merchant(merchant_id),
                NewStaff(first, last, email, PASSWORD, level, store),
            )
    return [
        {"email": email, "password": PASSWORD, "level": level.value, "store": store}
        for email, _first, _last, level, store in STAFF
    ]

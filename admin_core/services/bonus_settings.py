"""The admin sets the program's bonuses (services/bonuses.py gives them): the staff UI and the
API (a merchant key has the admin's scope) call these same functions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..database import Database
from ..errors import InvalidAtFields
from ..models import ProgramBonuses, StaffLevel
from . import found_or_added, utcnow
from .bonuses import Bonuses, bonuses_of
from .staff import StaffScope

MAX_BONUS = 100_000


def read_bonuses(session: Session, scope: StaffScope) -> Bonuses:
    scope.require(StaffLevel.ADMIN)
    return bonuses_of(session, scope.merchant_id)


def set_bonuses(db: Database, scope: StaffScope, bonuses: Bonuses) -> Bonuses:
    scope.require(StaffLevel.ADMIN)
    problems = {
        name: ("invalid_points", f"From 0 to {MAX_BONUS} points (0: none).")
        for name, value in (
            ("welcome_points", bonuses.welcome_points),
            ("wifi_visit_points", bonuses.wifi_visit_points),
        )
        if not 0 <= value <= MAX_BONUS
    }
    if problems:
        raise InvalidAtFields("invalid_bonuses", problems)
    with db.write() as session:
        mine = ProgramBonuses.merchant_id == scope.merchant_id
        query = select(ProgramBonuses).where(mine).with_for_update()
        now = utcnow()
        row = found_or_added(
            session, query, lambda: ProgramBonuses(merchant_id=scope.merchant_id, updated_at=now)
        )
        row.welcome_points, row.wifi_visit_points = bonuses.welcome_points, bonuses.wifi_visit_points
        row.welcome_sources = sorted(source.value for source in bonuses.welcome_sources)
        row.updated_at = now
    return bonuses

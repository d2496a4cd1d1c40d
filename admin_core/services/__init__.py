"""Core services: plain functions over the database that own their transactions."""

from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy.exc import IntegrityError

from ..database import Base, Database
from ..errors import Conflict

Row = TypeVar("Row", bound=Base)


def utcnow() -> datetime:
    return datetime.now(UTC)


def add_unique(db: Database, row: Row, conflict: Conflict) -> Row:
    """Insert `row`; a unique constraint in the way (a double submit, a race) raises `conflict`."""
    try:
        with db.write() as session:
            session.add(row)
    except IntegrityError:
        raise conflict from None
    return row

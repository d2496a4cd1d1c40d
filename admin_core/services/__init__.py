"""Core services: plain functions over the database that own their transactions."""

from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..database import Base, Database
from ..errors import Conflict

Row = TypeVar("Row", bound=Base)


def utcnow() -> datetime:
    return datetime.now(UTC)


def add_unique(db: Database, row: Row, conflict: Conflict, session: Session | None = None) -> Row:
    """Insert `row`; a unique constraint in the way (a double submit, a race) raises `conflict`.
    With `session`, inside the caller's transaction, in a savepoint: after a conflict that
    transaction is still usable (e.g. to try another card number)."""
    try:
        if session is not None:
            with session.begin_nested():
                session.add(row)
        else:
            with db.write() as own:
                own.add(row)
    except IntegrityError:
        raise conflict from None
    return row

"""Core services: plain functions over the database that own their transactions."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import Select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..database import Base, Database
from ..errors import Conflict

Row = TypeVar("Row", bound=Base)


def utcnow() -> datetime:
    return datetime.now(UTC)


@contextmanager
def unique_or(session: Session, conflict: Conflict) -> Iterator[None]:
    """What the block adds or changes, in a savepoint: a unique constraint in the way (a double
    submit, a race) raises `conflict`, and the caller's transaction stays usable."""
    try:
        with session.begin_nested():
            yield
    except IntegrityError:
        raise conflict from None


def add_unique(db: Database, row: Row, conflict: Conflict, session: Session | None = None) -> Row:
    """Insert `row`; a unique constraint in the way (a double submit, a race) raises `conflict`.
    With `session`, inside the caller's transaction, in a savepoint: after a conflict that
    transaction is still usable (e.g. to try another card number)."""
    if session is not None:
        with unique_or(session, conflict):
            session.add(row)
        return row
    try:
        with db.write() as own:
            own.add(row)
    except IntegrityError:
        raise conflict from None
    return row


def found_or_added(session: Session, query: Select[Row], make: Callable[[], Row]) -> Row:
    """The row `query` finds, else the one `make` gives, added in a savepoint: when a racing
    request adds the same first (a unique constraint), that one is found and answered."""
    found = session.scalar(query)
    if found is not None:
        return found
    made = make()
    try:
        with session.begin_nested():
            session.add(made)
    except IntegrityError:
        return session.scalars(query).one()
    return made

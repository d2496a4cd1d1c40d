"""Sessions logged out before their time. A portal or staff session carries a random id in its
signed cookie; nothing is stored when it begins, one row when it is logged out, so that a copy of
its cookie is refused from then on while the owner's other sessions go on. The row is kept until
the session would have expired anyway (its age ends it then)."""

from __future__ import annotations

import hashlib
import secrets
from contextlib import suppress
from datetime import datetime

from sqlalchemy import ColumnElement, exists

from ..database import Database
from ..errors import Conflict
from ..models import EndedSession
from . import add_unique


def new_session_id() -> str:
    return secrets.token_urlsafe(24)


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def is_ended(session_id: str) -> ColumnElement[bool]:
    """True once the session was logged out: a clause, to ask in the query that loads its owner."""
    return exists().where(EndedSession.id_hash == _digest(session_id))


def end_session(db: Database, session_id: str, expires_at: datetime) -> None:
    """Log the session out everywhere its cookie is; `expires_at`: when its age would end it."""
    with suppress(Conflict):  # ended already: a double click on "log out"
        add_unique(db, EndedSession(id_hash=_digest(session_id), expires_at=expires_at), Conflict("", ""))

"""What the core keeps only for a while: replayable responses, delivered e-mail (its links and
addresses), spent one-time links, customers files once they have done their work, and logged-out
sessions once their age would end them anyway, Wi-Fi gateways' lapsed grants. Run daily
(`core purge-records`); nothing still waiting to happen is touched: queued e-mail, links that still
work, imports younger than their retention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import CursorResult, Delete, Update, delete, or_, update

from ..database import Database
from ..models import (
    CustomerImport,
    EndedSession,
    IdempotencyRecord,
    OutboundMail,
    PortalToken,
    WifiGatewayGrant,
)
from . import utcnow


@dataclass(frozen=True)
class Retention:
    # A client retries within minutes; a day's margin would do, a month is generous.
    idempotency: timedelta = timedelta(days=30)
    # Sent or given-up e-mail (its bodies went at delivery; the address and subject stay): long
    # enough to answer "did it go?".
    mail: timedelta = timedelta(days=30)
    # One-time links, counted from when they stopped working.
    links: timedelta = timedelta(days=30)
    # A customers file: an applied one keeps its report, not the file; one never applied goes.
    import_files: timedelta = timedelta(days=90)
    # A logged-out session, counted from when its lifetime would have ended it: the margin keeps
    # it refused should the lifetime setting be raised meanwhile.
    ended_sessions: timedelta = timedelta(days=30)


@dataclass(frozen=True)
class Purged:
    idempotency_records: int
    mail: int
    links: int
    import_files: int
    ended_sessions: int = 0
    gateway_grants: int = 0


def _count(db: Database, statement: Delete | Update) -> int:
    with db.write() as session:
        result = session.execute(statement.execution_options(synchronize_session=False))
        assert isinstance(result, CursorResult)
        return int(result.rowcount)


def purge_records(db: Database, retention: Retention | None = None, now: datetime | None = None) -> Purged:
    keep = retention or Retention()
    now = now or utcnow()
    imports_before = now - keep.import_files
    return Purged(
        idempotency_records=_count(
            db, delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now - keep.idempotency)
        ),
        mail=_count(
            db,
            delete(OutboundMail).where(
                or_(OutboundMail.sent_at < now - keep.mail, OutboundMail.failed_at < now - keep.mail)
            ),
        ),
        links=_count(
            db,
            delete(PortalToken).where(
                or_(PortalToken.expires_at < now - keep.links, PortalToken.used_at < now - keep.links)
            ),
        ),
        import_files=_count(
            db,
            delete(CustomerImport).where(
                CustomerImport.applied_at.is_(None), CustomerImport.created_at < imports_before
            ),
        )
        + _count(
            db,
            update(CustomerImport)
            .where(
                CustomerImport.applied_at.is_not(None),
                CustomerImport.created_at < imports_before,
                or_(CustomerImport.content != b"", CustomerImport.lines.is_not(None)),
            )
            .values(content=b"", lines=None),
        ),
        ended_sessions=_count(
            db, delete(EndedSession).where(EndedSession.expires_at < now - keep.ended_sessions)
        ),
        # A gateway's grants lapse within minutes; a lapsed one still holds what its guest typed.
        gateway_grants=_count(db, delete(WifiGatewayGrant).where(WifiGatewayGrant.expires_at < now)),
    )

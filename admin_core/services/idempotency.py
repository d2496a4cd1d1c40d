"""Run a write once per idempotency key; a replay answers the stored response.

The key is claimed by inserting its row in the same transaction as the work. A concurrent request
with the same key waits on that row (PostgreSQL's unique index, SQLite's write lock), then finds
the stored response. Failed work stores nothing, so a corrected request can reuse the key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from loyalty_common.error_codes import Code

from ..database import Database
from ..errors import Invalid
from ..models import IdempotencyRecord
from . import utcnow

MAX_STORED_KEY = 255  # the column's width


@dataclass(frozen=True)
class Outcome:
    status: int
    body: dict[str, Any]
    replayed: bool


def request_fingerprint(method: str, path: str, payload: Any) -> str:
    canonical = json.dumps([method, path, payload], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _stored(session: Session, merchant_id: int, key: str, fingerprint: str) -> Outcome | None:
    record = session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.merchant_id == merchant_id, IdempotencyRecord.key == key
        )
    )
    if record is None:
        return None
    if record.request_hash != fingerprint:
        raise Invalid(
            Code.IDEMPOTENCY_KEY_REUSED,
            "This Idempotency-Key was used for another request.",
        )
    assert record.status_code is not None and record.response_body is not None
    return Outcome(record.status_code, json.loads(record.response_body), replayed=True)


def run_once(
    db: Database,
    merchant_id: int,
    key: str,
    fingerprint: str,
    work: Callable[[Session], tuple[int, dict[str, Any]]],
) -> Outcome:
    if len(key) > MAX_STORED_KEY:  # a caller's prefix ("till:") on top of a client's key
        raise Invalid("idempotency_key_too_long", f"An attempt's key is at most {MAX_STORED_KEY} characters.")
    try:
        with db.write() as session:
            stored = _stored(session, merchant_id, key, fingerprint)
            if stored is not None:
                return stored
            record = IdempotencyRecord(
                merchant_id=merchant_id,
                key=key,
                request_hash=fingerprint,
                created_at=utcnow(),
            )
            session.add(record)
            session.flush()
            status, body = work(session)
            record.status_code = status
            record.response_body = json.dumps(body)
        return Outcome(status, body, replayed=False)
    except IntegrityError:
        with db.read() as session:
            stored = _stored(session, merchant_id, key, fingerprint)
        if stored is None:
            raise
        return stored

"""Customer imports outside the request. The upload keeps the file and queues its check; applying
queues the apply; `core run-imports` workers claim queued imports with a lease (SKIP LOCKED on
PostgreSQL) and run them through customer_import, one at a time.

Time: a worker gives a check or an apply TIME_LIMIT, then stops it (`import_timed_out`, failed);
the lease is longer, so no other worker takes over an import that is still running. A worker that
dies (killed, out of memory) leaves its lease: the import is taken again once it has passed, at
most MAX_ATTEMPTS times in all. A file the import cannot use ends failed with its reason; any
other trouble keeps the import queued, tried again after RETRY_AFTER. The file itself is never
lost on the way: it is stored before the upload is answered, and only the housekeeping removes it.
"""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import defer

from ..database import Database
from ..errors import Conflict, CoreError
from ..models import CustomerImport, ImportStatus
from . import utcnow
from .customer_files import read_lines
from .customer_import import TIME_LIMIT, apply_import, check_file, get_import, valid_filename

LEASE = timedelta(seconds=TIME_LIMIT + 300)
RETRY_AFTER = timedelta(minutes=1)
MAX_ATTEMPTS = 3
QUEUED = (ImportStatus.QUEUED_CHECK, ImportStatus.QUEUED_APPLY)
log = logging.getLogger(__name__)


def submit(
    db: Database,
    merchant_id: int,
    filename: str,
    content: bytes,
    staff_id: int | None = None,
    now: datetime | None = None,
) -> CustomerImport:
    """Keep the file and queue its check; nothing is read yet but its size. Invalid: the name
    (`invalid_filename`), `empty_file`, `file_too_large`."""
    now = now or utcnow()
    filename = valid_filename(filename)
    read_lines(content)  # its size checks: the lines themselves are read as they are iterated
    upload = CustomerImport(
        merchant_id=merchant_id,
        staff_id=staff_id,
        filename=filename,
        digest=hashlib.sha256(content).hexdigest(),
        content=content,
        status=ImportStatus.QUEUED_CHECK,
        created_at=now,
    )
    with db.write() as session:
        session.add(upload)
    return upload


def queue_apply(db: Database, merchant_id: int, import_id: int) -> CustomerImport:
    """Queue a checked import's apply; one queued or applied already is answered as it is.
    Conflict `import_not_checked` while its check waits, or once it failed."""
    with db.write() as session:
        upload = get_import(session, merchant_id, import_id, for_update=True)
        if upload.status is ImportStatus.CHECKED:
            upload.status = ImportStatus.QUEUED_APPLY
            upload.claimed_until, upload.attempts, upload.error_message = None, 0, None
        elif upload.status not in (ImportStatus.QUEUED_APPLY, ImportStatus.APPLIED):
            raise Conflict("import_not_checked", "This file has not been checked, or could not be.")
        return upload


def claim(db: Database, now: datetime) -> CustomerImport | None:
    """The oldest queued import no worker holds, leased to the caller (its file not loaded)."""
    with db.write() as session:
        upload = session.scalar(
            select(CustomerImport)
            .options(defer(CustomerImport.content), defer(CustomerImport.lines))
            .where(
                CustomerImport.status.in_(QUEUED),
                or_(CustomerImport.claimed_until.is_(None), CustomerImport.claimed_until <= now),
            )
            .order_by(CustomerImport.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if upload is None:
            return None
        upload.attempts += 1
        upload.claimed_until = now + LEASE
        return upload


def _settle(db: Database, upload: CustomerImport, **values: object) -> None:
    """Record what became of a claimed import, unless another worker settled it meanwhile."""
    with db.write() as session:
        session.execute(
            update(CustomerImport)
            .where(CustomerImport.id == upload.id, CustomerImport.status == upload.status)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def _fail(db: Database, upload: CustomerImport, code: str, message: str, now: datetime) -> None:
    _settle(
        db,
        upload,
        status=ImportStatus.FAILED,
        error_code=code,
        error_message=message[:500],
        failed_at=now,
        claimed_until=None,
    )


def _run(db: Database, upload: CustomerImport, now: datetime, deadline: float) -> None:
    if upload.status is ImportStatus.QUEUED_APPLY:
        apply_import(db, upload.merchant_id, upload.id, now, deadline)
        return
    with db.read() as session:
        content = session.get_one(CustomerImport, upload.id).content
    packed, report = check_file(db, upload.merchant_id, content, now, deadline)
    _settle(
        db,
        upload,
        status=ImportStatus.CHECKED,
        lines=packed,
        report=report,
        checked_at=now,
        claimed_until=None,
        error_message=None,
    )


def run_next(db: Database, now: datetime | None = None, limit: float = TIME_LIMIT) -> CustomerImport | None:
    """Claim one queued import and check or apply it within `limit` seconds: the import as it
    was claimed, or None when none is waiting."""
    now = now or utcnow()
    upload = claim(db, now)
    if upload is None:
        return None
    if upload.attempts > MAX_ATTEMPTS:  # each earlier worker died with it, or kept failing
        _fail(db, upload, "import_failed", "This file could not be processed; upload it again.", now)
        return upload
    try:
        _run(db, upload, now, time.monotonic() + limit)
    except CoreError as error:
        _fail(db, upload, error.code, error.message, now)
    except Exception:  # the database went away, a bug: the file stays, tried again later
        log.exception("customer import %s: attempt %s failed", upload.id, upload.attempts)
        _settle(
            db,
            upload,
            claimed_until=now + RETRY_AFTER,
            error_message="Something went wrong; it is tried again in a minute.",
        )
    return upload

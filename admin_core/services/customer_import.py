"""Customers imported from a merchant's file (CSV or XLSX): a dry run first, which keeps the file and
its report, then the apply, which reads the kept file again and creates what is still new.

A card number the merchant has already leaves its row "unchanged": nothing about that card changes,
so importing the same file twice changes nothing. A new card comes with its customer, an
`adjustment` operation per opening balance (so the ledger agrees with the balances) and a consent
record (source "import") per consent the file gives.

Applying inserts in batches, a transaction each (see `customer_inserts`). A card created by someone
else between the check and the insert makes its batch fail on the unique number; that batch is then
done again row by row, so its other rows are kept and that one becomes "unchanged".
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import datetime
from typing import Any

from babel.numbers import get_currency_precision
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer

from ..database import Database
from ..errors import Conflict, Invalid, NotFound
from ..models import CustomerImport, CustomerSource, ImportStatus, Merchant
from . import utcnow
from .bonuses import welcome_points
from .consents import wording_version
from .customer_files import (
    Sheet,
    is_workbook,
    pack_lines,
    read_lines,
    unpack_lines,
    within_limit,
)
from .customer_inserts import TABLES, NewCards, existing_numbers
from .customer_rows import CONSENTS, CheckedRows, NewCard, RowRules, check
from .customer_workbook import Line
from .merchants import find_store, get_merchant_by_id

BATCH = 2_000  # rows per transaction when applying
MAX_FILENAME = 255
PREVIEW = 20  # new cards a report shows
TIME_LIMIT = 600.0  # seconds a worker gives a check or an apply (see import_queue)


def _timed_out() -> Invalid:
    return Invalid(
        "import_timed_out",
        f"This file took longer than {TIME_LIMIT // 60:.0f} minutes; cards created before it stopped "
        "are kept. Upload it again to see what is left.",
    )


def _in_time(lines: Iterator[Line], deadline: float | None) -> Iterator[Line]:
    for line in lines:
        if deadline is not None and time.monotonic() > deadline:
            raise _timed_out()
        yield line


def valid_filename(raw: str) -> str:
    name = raw.strip()
    if not 1 <= len(name) <= MAX_FILENAME:
        raise Invalid("invalid_filename", f"A file name is 1-{MAX_FILENAME} characters.")
    return name


def _store_lookup(session: Session, merchant_id: int) -> Callable[[str], int | None]:
    """The merchant's store of a code, asked once per code: a file names the same few stores often."""
    known: dict[str, int | None] = {}

    def store_id(code: str) -> int | None:
        if code not in known:
            store = find_store(session, merchant_id, code)
            known[code] = store.id if store else None
        return known[code]

    return store_id


def _check_file(session: Session, merchant: Merchant, sheet: Sheet, now: datetime) -> CheckedRows:
    rules = RowRules(
        today=now.date(),
        currency=merchant.currency,
        currency_precision=get_currency_precision(merchant.currency),
        store_id=_store_lookup(session, merchant.id),
    )
    return check(sheet, rules)


def _preview(card: NewCard) -> dict[str, Any]:
    return {
        "card": card.number,
        "first_name": card.first_name,
        "last_name": card.last_name,
        "email": card.email,
        "points": card.points,
        "credit": card.credit,
    }


def _report(sheet: Sheet, checked: CheckedRows, fresh: list[NewCard], created: int) -> dict[str, Any]:
    """What the file holds; `preview` shows the first of the new cards as they would be created."""
    return {
        "rows": checked.rows,
        "created": created,
        "unchanged": len(checked.good) - created,
        "rejected": len(checked.rejections),
        "rejections": [asdict(rejection) for rejection in checked.rejections],
        "unknown_columns": sheet.unknown_columns,
        "preview": [_preview(card) for card in fresh[:PREVIEW]],
    }


def check_file(
    db: Database, merchant_id: int, content: bytes, now: datetime, deadline: float | None = None
) -> tuple[bytes | None, dict[str, Any]]:
    """The file checked: a workbook's lines packed for the apply (None for a CSV file) and the
    report. Invalid when the file cannot be used at all (see `customer_files.read_rows`), or
    `import_timed_out` once `time.monotonic()` passes `deadline`."""
    # A workbook's lines are kept (see pack_lines), read no further than the row limit allows.
    lines = list(_in_time(within_limit(read_lines(content)), deadline)) if is_workbook(content) else None
    sheet = Sheet(iter(lines)) if lines is not None else Sheet(_in_time(read_lines(content), deadline))
    with db.read() as session:
        merchant = get_merchant_by_id(session, merchant_id)
        checked = _check_file(session, merchant, sheet, now)
        existing = existing_numbers(session, merchant_id, [row.number for row in checked.good])
    packed = pack_lines(lines) if lines is not None else None
    fresh = [row for row in checked.good if row.number not in existing]
    return packed, _report(sheet, checked, fresh, len(fresh))


def dry_run(
    db: Database,
    merchant_id: int,
    filename: str,
    content: bytes,
    staff_id: int | None = None,
    now: datetime | None = None,
) -> CustomerImport:
    """Check the file here and now (the operator's command; uploads are checked by `core
    run-imports`, see import_queue) and keep it with its report: what applying it now would
    create, leave unchanged and reject (every rejected row, with its line). Invalid when the file
    cannot be used at all; nothing is kept then."""
    now = now or utcnow()
    filename = valid_filename(filename)
    packed, report = check_file(db, merchant_id, content, now)
    upload = CustomerImport(
        merchant_id=merchant_id,
        staff_id=staff_id,
        filename=filename,
        digest=hashlib.sha256(content).hexdigest(),
        content=content,
        lines=packed,
        report=report,
        status=ImportStatus.CHECKED,
        created_at=now,
        checked_at=now,
    )
    with db.write() as session:
        session.add(upload)
    return upload


def recent_imports(session: Session, merchant_id: int, limit: int = 10) -> list[CustomerImport]:
    """The merchant's latest imports, newest first, without their files."""
    return list(
        session.scalars(
            select(CustomerImport)
            .options(defer(CustomerImport.content), defer(CustomerImport.lines))
            .where(CustomerImport.merchant_id == merchant_id)
            .order_by(CustomerImport.created_at.desc())
            .limit(limit)
        )
    )


def get_import(
    session: Session, merchant_id: int, import_id: int, *, for_update: bool = False
) -> CustomerImport:
    """The merchant's import (its file is loaded only when read); NotFound for another merchant's."""
    query = (
        select(CustomerImport)
        .where(CustomerImport.id == import_id, CustomerImport.merchant_id == merchant_id)
        .options(defer(CustomerImport.content), defer(CustomerImport.lines))
    )
    upload = session.scalar(query.with_for_update() if for_update else query)
    if upload is None:
        raise NotFound("import_not_found", "No such import.")
    return upload


def apply_import(
    db: Database,
    merchant_id: int,
    import_id: int,
    now: datetime | None = None,
    deadline: float | None = None,
) -> CustomerImport:
    """Create the import's new cards, checking its file again against the database as it is now;
    the report then says what was created, left unchanged and rejected. An import applied already
    is answered as it is (its report and `applied_at`): applying twice changes nothing. Conflict
    for an import not checked (yet, or ever); `import_timed_out` past `deadline` (monotonic)."""
    now = now or utcnow()
    with db.read() as session:
        upload = get_import(session, merchant_id, import_id)
        if upload.applied_at is not None:
            return upload
        if upload.status not in (ImportStatus.CHECKED, ImportStatus.QUEUED_APPLY):
            raise Conflict("import_not_checked", "This file has not been checked, or could not be.")
        merchant = get_merchant_by_id(session, merchant_id)
        lines = unpack_lines(upload.lines) if upload.lines else read_lines(upload.content)
        sheet = Sheet(_in_time(lines, deadline))
        checked = _check_file(session, merchant, sheet, now)
        # Looked up once, before anything is inserted. Asked per batch while the import grows the
        # table, PostgreSQL went on planning it on the statistics from before the import and read
        # all of the merchant's cards each time (up to 4 s a batch at 100,000 rows).
        existing = existing_numbers(session, merchant_id, [row.number for row in checked.good])
        welcome = welcome_points(session, merchant_id, CustomerSource.IMPORT)
    fresh = [row for row in checked.good if row.number not in existing]
    creation = NewCards(
        merchant_id,
        {kind: wording_version(merchant, kind) for kind in CONSENTS},
        f"Opening balance, import {import_id}",
        now,
        welcome,
    )
    created = 0
    for start in range(0, len(fresh), BATCH):
        if deadline is not None and time.monotonic() > deadline:
            raise _timed_out()
        batch = fresh[start : start + BATCH]
        try:
            with db.write() as session:
                creation.insert(session, batch)
            created += len(batch)
        except IntegrityError:
            with db.write() as session:
                created += creation.one_by_one(session, batch)
    if created:
        db.analyze(*TABLES)
    with db.write() as session:
        upload = get_import(session, merchant_id, import_id, for_update=True)
        if upload.applied_at is None:  # else a simultaneous apply finished first: its report stands
            upload.report = _report(sheet, checked, fresh, created)
            upload.applied_at = now
            upload.status, upload.claimed_until = ImportStatus.APPLIED, None
    return upload

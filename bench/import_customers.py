"""Customers import at scale: a generated file of --rows customers (3% of them bad: e-mail, store,
birth date, credit, or a card repeated) goes through the dry run, then the apply, then both again
with the same file, which must change nothing. In-process, through the service functions (no HTTP:
the API's upload only keeps the body, and `core run-imports` runs the same check and apply), on a
scratch database with the demo merchant.

    .venv/bin/python bench/import_customers.py [--db sqlite|postgresql] [--rows 100000] [--xlsx]

--xlsx also imports the same number of other customers from an Excel workbook.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import time
from collections.abc import Callable
from typing import Any

from common import ROOT, prepare, scratch_database
from openpyxl import Workbook
from sqlalchemy import func, select

sys.path.insert(0, str(ROOT))

from admin_core.database import Database
from admin_core.models import Card, ConsentRecord, Customer, CustomerImport, Operation
from admin_core.services.customer_import import apply_import, dry_run
from admin_core.services.merchants import get_merchant

HEADER = [
    "card_number",
    "first_name",
    "last_name",
    "email",
    "phone",
    "gender",
    "birth_date",
    "language",
    "store",
    "points",
    "credit",
    "marketing",
    "notify_email",
    "notify_sms",
]
BAD_SHARE = 0.03
NAMES = ["Anna", "Marco", "Ingrid", "Giulia", "Ivan", "Maria", "Lars", "Elena", "Paolo", "Sofia"]


def customers(count: int, first_number: int, seed: int) -> list[list[Any]]:
    """Realistic rows: most give a name, e-mail and a store; some give balances and consents."""
    chance = random.Random(seed)
    rows: list[list[Any]] = []
    for index in range(count):
        number = first_number + index
        row: list[Any] = [
            str(number),
            chance.choice(NAMES),
            f"Surname{index}",
            f"customer{number}@bench.example",
            f"+39 333 {number % 10_000_000:07d}" if chance.random() < 0.6 else "",
            chance.choice(["female", "male", "", "F", "M"]),
            f"{chance.randint(1, 28):02d}/{chance.randint(1, 12):02d}/{chance.randint(1940, 2012)}",
            chance.choice(["it", "en", "bg", "nb", ""]),
            chance.choice(["MAIN", "STATION"]),
            chance.choice([0, 0, 50, 120, 1500]),
            chance.choice(["", "", "12,50", "3.00"]),
            chance.choice(["yes", "no", ""]),
            chance.choice(["sì", ""]),
            chance.choice(["no", ""]),
        ]
        if chance.random() < BAD_SHARE:
            flaw = chance.randrange(5)
            if flaw == 0:
                row[3] = "not-an-address"
            elif flaw == 1:
                row[8] = "NOWHERE"
            elif flaw == 2:
                row[6] = "31/02/1990"
            elif flaw == 3:
                row[10] = "12.505"
            elif rows:
                row[0] = rows[chance.randrange(len(rows))][0]  # a card repeated from earlier
        rows.append(row)
    return rows


def as_csv(rows: list[list[Any]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8-sig")


def as_xlsx(rows: list[list[Any]]) -> bytes:
    """As Excel and LibreOffice write it: with the sheet's dimension up front. (A streaming writer's
    file without it, such as openpyxl's write-only mode gives, costs openpyxl a second pass.)"""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append([int(row[0]), *row[1:]])  # card numbers as numbers, the way Excel keeps them
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def counts(db: Database) -> dict[str, int]:
    with db.read() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Customer, Card, Operation, ConsentRecord)
        }


def timed(what: str, rows: int, work: Callable[[], CustomerImport]) -> CustomerImport:
    started = time.perf_counter()
    done = work()
    seconds = time.perf_counter() - started
    report = done.report or {}
    print(
        f"  {what:<24} {seconds:6.2f} s  {rows / seconds:9.0f} rows/s   created {report['created']}, "
        f"unchanged {report['unchanged']}, rejected {report['rejected']}"
    )
    return done


def run(db: Database, merchant_id: int, name: str, content: bytes, rows: int) -> None:
    print(f"{name}: {rows} rows, {len(content) / 1e6:.1f} MB")
    upload = timed("dry run", rows, lambda: dry_run(db, merchant_id, name, content))
    timed("apply", rows, lambda: apply_import(db, merchant_id, upload.id))
    before = counts(db)
    again = timed("same file: dry run", rows, lambda: dry_run(db, merchant_id, name, content))
    timed("same file: apply", rows, lambda: apply_import(db, merchant_id, again.id))
    after = counts(db)
    print(f"  rows in the database: {after}")
    if after != before:
        raise SystemExit(f"importing the same file again changed the database: {before} -> {after}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--xlsx", action="store_true", help="Also import from an Excel workbook.")
    args = parser.parse_args()

    with scratch_database(args.db) as url:
        prepare(url)
        db = Database.from_url(url)
        with db.read() as session:
            merchant_id = get_merchant(session, "demo").id
        print(f"backend: {args.db}, in-process service calls")
        run(db, merchant_id, "customers.csv", as_csv(customers(args.rows, 10_000_000, 1)), args.rows)
        if args.xlsx:
            workbook = as_xlsx(customers(args.rows, 20_000_000, 2))
            run(db, merchant_id, "customers.xlsx", workbook, args.rows)
        db.dispose()


if __name__ == "__main__":
    main()

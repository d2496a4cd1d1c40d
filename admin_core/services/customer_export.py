"""The admin's CSV export of the customers a search finds, with its filters: a generator of text
chunks, one keyset page of the search at a time (its own short read transaction each), so that
a million customers never sit in memory together.

Safe to open in a spreadsheet: UTF-8 with a BOM (Excel's sign for the encoding), and a cell that
starts like a formula (= + - @, a tab, a carriage return) is prefixed with an apostrophe, so it is
shown as text and never run. Consents respected: the e-mail address and the phone number, which
are what marketing would use, are written only for customers who consented to marketing; the
header says so.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence

from babel.numbers import get_currency_precision

from ..database import Database
from ..errors import Invalid
from ..models import Merchant, StaffLevel
from .customer_search import MAX_QUERY, Cursor, CustomerFilters, CustomerRow, customer_rows
from .staff import StaffScope

PAGE = 1000  # rows per read of the search
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The columns, by their meaning; the staff UI names them in the staff member's language.
COLUMNS = (
    "card_number",
    "first_name",
    "last_name",
    "home_store",
    "source",
    "signed_up_at",
    "points",
    "credit",
    "discount",
    "marketing_consent",
    "email_if_marketing_consent",
    "phone_if_marketing_consent",
)


def safe(cell: str) -> str:
    """A cell a spreadsheet shows as text, never as a formula."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def money(minor: int, precision: int) -> str:
    """Minor units as the currency writes them ("12.50"), without a float on the way."""
    if not precision:
        return str(minor)
    whole, part = divmod(abs(minor), 10**precision)
    return f"{'-' if minor < 0 else ''}{whole}.{part:0{precision}d}"


def _cells(row: CustomerRow, precision: int) -> list[str]:
    consented = row.marketing_consent
    return [
        row.number,
        row.first_name,
        row.last_name,
        row.store_code or "",
        row.source.value if row.source else "",
        row.signed_up_at.isoformat(timespec="seconds"),
        str(row.points),
        money(row.credit, precision),
        money(row.discount, precision),
        "yes" if consented else "no",
        (row.email or "") if consented else "",
        (row.phone or "") if consented else "",
    ]


def export_customers(
    db: Database,
    scope: StaffScope,
    query: str,
    filters: CustomerFilters,
    header: Sequence[str] = COLUMNS,
) -> Iterator[str]:
    """The CSV text, a page of rows per chunk, newest card first. The query and filters are
    checked before the first chunk, so a refusal comes before any answer has begun."""
    scope.require(StaffLevel.ADMIN)
    if len(query) > MAX_QUERY:
        raise Invalid("invalid_query", f"A search is at most {MAX_QUERY} characters.")
    with db.read() as session:
        precision = get_currency_precision(session.get_one(Merchant, scope.merchant_id).currency)
        first, more = customer_rows(session, scope, query, filters, None, PAGE)
    return _chunks(db, scope, query, filters, header, precision, first, more)


def _chunks(
    db: Database,
    scope: StaffScope,
    query: str,
    filters: CustomerFilters,
    header: Sequence[str],
    precision: int,
    rows: list[CustomerRow],
    more: bool,
) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe(str(name)) for name in header])
    yield BOM + _take(buffer)
    while True:
        writer.writerows([safe(cell) for cell in _cells(row, precision)] for row in rows)
        yield _take(buffer)
        if not more or not rows:
            return
        with db.read() as session:
            rows, more = customer_rows(session, scope, query, filters, Cursor(rows[-1].card_id, False), PAGE)


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text

"""A customers file as rows of text: CSV (UTF-8, with or without BOM, `,` `;` or tab between fields)
or an Excel workbook (.xlsx, its first sheet). What a file is comes from its content, never its name.

The first line is the header; its names are matched case-insensitively against the fields below and
a few obvious aliases. Each row then becomes `(line, {field: text})`, with the file's own line
numbers (the header is line 1) so that a report points where the merchant will look.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections.abc import Iterator

from ..errors import Invalid
from .customer_workbook import Line, workbook_lines

MAX_BYTES = 32 * 1024 * 1024
MAX_ROWS = 200_000
ZIP = b"PK\x03\x04"  # an .xlsx is a zip archive
# The fields a file may give, each with the header names that mean it (compared as `_header` makes them).
ALIASES = {
    "card_number": ("card_number", "card", "number", "card_no", "cardnumber"),
    "first_name": ("first_name", "firstname", "name", "given_name"),
    "last_name": ("last_name", "lastname", "surname", "family_name"),
    "email": ("email", "e_mail", "mail", "email_address"),
    "phone": ("phone", "phone_number", "mobile", "telephone"),
    "gender": ("gender", "sex"),
    "birth_date": ("birth_date", "birthdate", "born", "date_of_birth", "dob", "birthday"),
    "language": ("language", "locale", "lang"),
    "store": ("store", "store_code", "home_store"),
    "points": ("points", "opening_points"),
    "credit": ("credit", "opening_credit"),
    "marketing": ("marketing", "marketing_consent", "newsletter"),
    "notify_email": ("notify_email", "email_notifications"),
    "notify_sms": ("notify_sms", "sms_notifications"),
}
FIELD_OF = {alias: field for field, aliases in ALIASES.items() for alias in aliases}


def _header(name: str) -> str:
    """'E-mail', 'Card Number' and 'card-number' all become e_mail, card_number…"""
    return re.sub(r"[\s-]+", "_", name.strip().lower())


def _csv_lines(content: bytes) -> Iterator[Line]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(
            "unsupported_file", "This file is neither a CSV file (UTF-8) nor an Excel workbook (.xlsx)."
        ) from None
    header = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=max(",;\t", key=header.count))
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1  # a quoted field may span lines: the next row starts after
    except csv.Error as error:
        raise Invalid("invalid_csv", f"Line {reader.line_num} cannot be read: {error}.") from None


class Sheet:
    """A file's header, read at once (so that a file the import cannot use is refused before any
    row is looked at), and its rows, read as they are iterated (once)."""

    def __init__(self, lines: Iterator[Line]) -> None:
        _, header = next(lines, (1, []))
        self.fields: list[str | None] = []
        self.unknown_columns: list[str] = []
        for name in header:
            field = FIELD_OF.get(_header(name))
            if field is not None and field in self.fields:
                raise Invalid("duplicate_column", f"The column '{name.strip()}' appears twice.")
            if field is None and name.strip():
                self.unknown_columns.append(name.strip())
            self.fields.append(field)
        if "card_number" not in self.fields:
            raise Invalid(
                "no_card_column",
                "The file has no card number column: its first line names the columns, "
                "one of them 'card_number' (or 'card', 'number').",
            )
        self._lines = lines

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        rows = 0
        for line, cells in self._lines:
            if not any(cell.strip() for cell in cells):
                continue  # blank lines, and the empty rows spreadsheets leave behind
            rows += 1
            if rows > MAX_ROWS:
                raise Invalid("too_many_rows", f"A file holds at most {MAX_ROWS} customers.")
            yield (
                line,
                {field: cell.strip() for field, cell in zip(self.fields, cells, strict=False) if field},
            )


def read_lines(content: bytes) -> Iterator[Line]:
    """The file's lines, header first, or Invalid (empty_file, file_too_large, unsupported_file,
    invalid_csv, or a workbook's: see `customer_workbook.workbook_lines`)."""
    if not content.strip():
        raise Invalid("empty_file", "The file is empty.")
    if len(content) > MAX_BYTES:
        raise Invalid("file_too_large", f"A file is at most {MAX_BYTES // (1024 * 1024)} MB.")
    return workbook_lines(content) if is_workbook(content) else _csv_lines(content)


def read_rows(content: bytes) -> Sheet:
    """The file's rows, or Invalid (as `read_lines`, and duplicate_column, no_card_column;
    too_many_rows while iterating)."""
    return Sheet(read_lines(content))


def within_limit(lines: Iterator[Line]) -> Iterator[Line]:
    """The lines, until they hold more than MAX_ROWS rows (blank ones aside): then Invalid."""
    rows = -1  # the header is not a row
    for line in lines:
        rows += any(cell.strip() for cell in line[1])
        if rows > MAX_ROWS:
            raise Invalid("too_many_rows", f"A file holds at most {MAX_ROWS} customers.")
        yield line


def is_workbook(content: bytes) -> bool:
    return content.startswith(ZIP)


def pack_lines(lines: list[Line]) -> bytes:
    """A workbook's lines as read, kept for applying: reading a workbook again costs what reading
    it did (openpyxl: about 12 s for 100,000 rows), reading these back a second."""
    return gzip.compress(json.dumps(lines, separators=(",", ":")).encode(), compresslevel=1)


def unpack_lines(packed: bytes) -> Iterator[Line]:
    return ((line, cells) for line, cells in json.loads(gzip.decompress(packed)))

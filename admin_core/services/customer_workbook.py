"""An Excel workbook's first sheet as lines of text, within bounds a hostile file cannot stretch.

A workbook is a zip archive: a few kilobytes can unpack to gigabytes (shared strings that openpyxl
holds in memory whole), or declare a sheet of the whole grid (cells at A1 and XFD1048576: openpyxl
would hand over a billion empty cells, row by row). So before openpyxl reads anything, each part's
unpacked size is checked against what it is used for (zipfile never unpacks more than the size a
part declares), and the sheet's declared dimension against the columns and lines a customers file
may have; while reading, every line and cell counts, blank ones too, so that a sheet that declares
nothing is stopped as soon as it goes beyond them.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime

from openpyxl import load_workbook
from openpyxl.packaging.manifest import Manifest
from openpyxl.packaging.relationship import get_rels_path
from openpyxl.reader.excel import _find_workbook_part  # how openpyxl itself finds the workbook
from openpyxl.reader.workbook import WorkbookParser
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.xml.constants import (
    ARC_CONTENT_TYPES,
    ARC_CORE,
    ARC_CUSTOM,
    ARC_STYLE,
    ARC_THEME,
    SHARED_STRINGS,
)
from openpyxl.xml.functions import fromstring

from ..errors import Invalid

MB = 1024 * 1024
# The sheet is read as a stream: 200,000 customers as openpyxl writes them unpack to 142 MB.
MAX_SHEET_BYTES = 256 * MB
MAX_STRINGS_BYTES = 64 * MB  # shared strings: held in memory, every one
MAX_PART_BYTES = 4 * MB  # any other part (workbook, styles, relationships…): parsed whole
MAX_TOTAL_BYTES = 320 * MB
MAX_COLUMNS = 64
MAX_LINES = 400_000  # the header, the customers (customer_files.MAX_ROWS) and blank lines
MAX_CELLS = 10_000_000  # lines times columns, blank cells included
MAX_BLANK_LINES = 10_000  # walking a million blank lines (rows left formatted) takes seconds
BROKEN = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, OSError, SyntaxError)
DAMAGED = "This Excel file cannot be read: it is damaged or not a workbook."
# What openpyxl reads whole whatever the workbook says.
READ_WHOLE = frozenset({ARC_CONTENT_TYPES, ARC_CORE, ARC_CUSTOM, ARC_STYLE, ARC_THEME})

Line = tuple[int, list[str]]


def _too_large(part: str, limit: int) -> Invalid:
    return Invalid(
        "xlsx_too_large",
        f"This Excel file unpacks to more than it may: its part {part} is over {limit // MB} MB.",
    )


def _sheet_too_large(what: str) -> Invalid:
    return Invalid(
        "sheet_too_large",
        f"The sheet {what}: a customers file has at most {MAX_LINES:,} lines, "
        f"{MAX_COLUMNS} columns and {MAX_CELLS:,} cells.",
    )


def _check_parts(archive: zipfile.ZipFile) -> None:
    """Every part within the limit of what openpyxl does with it, before it reads any of them."""
    sizes = {info.filename: info.file_size for info in archive.infolist()}
    if sum(sizes.values()) > MAX_TOTAL_BYTES:
        raise _too_large("all together", MAX_TOTAL_BYTES)

    def small(part: str) -> str:
        if sizes.get(part, 0) > MAX_PART_BYTES:
            raise _too_large(part, MAX_PART_BYTES)
        return part

    package = Manifest.from_tree(fromstring(archive.read(small(ARC_CONTENT_TYPES))))
    workbook = small(_find_workbook_part(package).PartName.lstrip("/"))
    small(get_rels_path(workbook))
    parser = WorkbookParser(archive, workbook, keep_links=False)
    parser.parse()
    strings = package.find(SHARED_STRINGS)
    strings_part = strings.PartName.lstrip("/") if strings else None
    whole = READ_WHOLE | {workbook, strings_part}
    streamed = (rel.target for _, rel in parser.find_sheets() if "chartsheet" not in rel.Type)
    sheets = {target for target in streamed if target not in whole}
    for part, size in sizes.items():
        limit = (
            MAX_STRINGS_BYTES
            if part == strings_part
            else MAX_SHEET_BYTES
            if part in sheets
            else MAX_PART_BYTES
        )
        if size > limit:
            raise _too_large(part, limit)


def _cell_text(value: object) -> str:
    """Excel cells as the text a CSV would hold: whole numbers without '.0' (card numbers, phones),
    dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def workbook_lines(content: bytes) -> Iterator[Line]:
    """The first sheet's lines, or Invalid: invalid_xlsx, xlsx_too_large, sheet_too_large (also
    while iterating)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            _check_parts(archive)
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True, keep_links=False)
    except BROKEN:
        raise Invalid("invalid_xlsx", DAMAGED) from None
    try:
        sheet = workbook.worksheets[0]
        rows, columns = sheet.max_row or 0, sheet.max_column or 0  # as the sheet declares them
        if columns > MAX_COLUMNS or rows > MAX_LINES or rows * columns > MAX_CELLS:
            raise _sheet_too_large(f"declares {rows:,} lines of {columns:,} columns")
        cells = blank = 0
        # Read as it is iterated: a damaged part shows only then (SyntaxError: bad XML).
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells += len(values)
            if line > MAX_LINES or cells > MAX_CELLS:
                raise _sheet_too_large(f"goes on beyond {MAX_LINES:,} lines or {MAX_CELLS:,} cells")
            if any(value is not None for value in values[MAX_COLUMNS:]):
                raise _sheet_too_large(f"has a cell beyond column {MAX_COLUMNS} on line {line}")
            texts = [_cell_text(value) for value in values[:MAX_COLUMNS]]
            blank += not any(text.strip() for text in texts)
            if blank > MAX_BLANK_LINES:
                raise _sheet_too_large(f"has more than {MAX_BLANK_LINES:,} blank lines")
            yield line, texts
    except BROKEN:
        raise Invalid("invalid_xlsx", "This Excel file cannot be read: it is damaged.") from None
    finally:
        workbook.close()

"""Hostile Excel files: a few kilobytes that claim the whole grid, or unpack to gigabytes. Each is
refused, saying why, before it is read (or after a bounded part of it), and nothing is kept."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from flask import Flask

from admin_core.context import Core
from admin_core.errors import Invalid
from admin_core.models import CustomerImport
from admin_core.services.customer_files import read_lines
from admin_core.services.customer_import import dry_run
from admin_core.services.customer_workbook import MAX_BLANK_LINES, MAX_COLUMNS, MAX_STRINGS_BYTES
from admin_core.services.merchants import get_merchant

from .conftest import run_imports
from .test_staff import ADMIN, log_in, token

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
TYPES = f"""<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="{OFFICE}.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{OFFICE}.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="{OFFICE}.sharedStrings+xml"/>
</Types>"""
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheets>
<sheet name="Customers" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{RELATIONSHIPS}/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""


def sheet(cells: str, dimension: str | None) -> str:
    given = f'<dimension ref="{dimension}"/>' if dimension else ""
    data = f"{given}<sheetData>{cells}</sheetData>"
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">{data}</worksheet>'


def text(reference: str, value: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{value}</t></is></c>'


def row(number: int, *cells: str) -> str:
    return f'<row r="{number}">{"".join(cells)}</row>'


def workbook(worksheet: str, shared_strings_bytes: int = 0) -> bytes:
    """An .xlsx made by hand: the parts openpyxl needs, and shared strings of that size."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", worksheet)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            strings.write(f'<sst xmlns="{MAIN}">'.encode())
            chunk = b"<si><t>" + b"x" * 1_000_000 + b"</t></si>"
            for _ in range(shared_strings_bytes // len(chunk)):
                strings.write(chunk)
            strings.write(b"</sst>")
    return out.getvalue()


def lines_read(content: bytes) -> tuple[list[list[str]], Invalid]:
    """The lines the import got from the file before it was refused, and the refusal."""
    read: list[list[str]] = []
    with pytest.raises(Invalid) as refused:
        for _, cells in read_lines(content):
            read.append(cells)
    return read, refused.value


GOOD_ROWS = row(1, text("A1", "card_number"), text("B1", "first_name")) + row(
    2, text("A2", "5000000001"), text("B2", "Giulia")
)


def test_a_hand_made_workbook_reads_as_a_merchant_s() -> None:
    assert list(read_lines(workbook(sheet(GOOD_ROWS, "A1:B2")))) == [
        (1, ["card_number", "first_name"]),
        (2, ["5000000001", "Giulia"]),
    ]


def test_two_cells_at_the_grid_s_corners_are_refused_before_a_cell_is_read(core: Core, demo: Any) -> None:
    corners = row(1, text("A1", "card_number")) + row(1048576, '<c r="XFD1048576"><v>1</v></c>')
    content = workbook(sheet(corners, "A1:XFD1048576"))
    assert len(content) < 2_000
    read, refused = lines_read(content)
    assert read == [] and refused.code == "sheet_too_large"
    assert f"{MAX_COLUMNS} columns" in refused.message
    with core.db.read() as session:
        merchant_id = get_merchant(session, "demo").id
    with pytest.raises(Invalid):
        dry_run(core.db, merchant_id, "corners.xlsx", content)
    with core.db.read() as session:
        assert session.query(CustomerImport).count() == 0


def test_without_a_dimension_the_grid_s_far_corner_is_refused_when_reached() -> None:
    corners = row(1, text("A1", "card_number")) + row(2, text("A2", "1"), '<c r="XFD2"><v>1</v></c>')
    read, refused = lines_read(workbook(sheet(corners, None)))
    assert read == [["card_number"]] and refused.code == "sheet_too_large"


def test_without_a_dimension_a_million_blank_lines_are_not_walked_through() -> None:
    far = row(1, text("A1", "card_number")) + row(1048576, text("A1048576", "1"))
    read, refused = lines_read(workbook(sheet(far, None)))
    assert refused.code == "sheet_too_large" and "blank lines" in refused.message
    assert len(read) <= MAX_BLANK_LINES + 1 and sum(map(len, read)) == 1


def test_shared_strings_that_unpack_beyond_the_limit_are_refused_before_parsing() -> None:
    bomb = workbook(sheet(GOOD_ROWS, "A1:B2"), shared_strings_bytes=MAX_STRINGS_BYTES + 2_000_000)
    assert len(bomb) < MAX_STRINGS_BYTES // 100  # a small upload
    read, refused = lines_read(bomb)
    assert read == [] and refused.code == "xlsx_too_large"
    assert "xl/sharedStrings.xml" in refused.message


def test_the_api_answers_a_hostile_workbook_with_its_reason(core_app: Flask, demo: Any) -> None:
    corners = row(1, text("A1", "card_number")) + row(1048576, '<c r="XFD1048576"><v>1</v></c>')
    key = {"Authorization": f"Bearer {demo['api_key']}"}
    sent = core_app.test_client().post(
        "/api/v1/customers/imports?filename=corners.xlsx",
        data=workbook(sheet(corners, "A1:XFD1048576")),
        headers=key,
        content_type="application/octet-stream",
    )
    assert sent.status_code == 202
    run_imports(core_app)
    refused = core_app.test_client().get(f"/api/v1/customers/imports/{sent.json['id']}", headers=key)
    assert refused.json["status"] == "failed" and refused.json["error"]["code"] == "sheet_too_large"
    assert "16,384 columns" in refused.json["error"]["message"]


def test_the_staff_ui_says_why_a_hostile_workbook_is_refused(core_app: Flask, demo: Any) -> None:
    staff = core_app.test_client()
    log_in(staff, ADMIN)
    corners = row(1, text("A1", "card_number")) + row(1048576, '<c r="XFD1048576"><v>1</v></c>')
    for content, says in (
        (workbook(sheet(corners, "A1:XFD1048576")), "The sheet is too large for a customers file"),
        (workbook(sheet(GOOD_ROWS, "A1:B2"), MAX_STRINGS_BYTES + 2_000_000), "This Excel file unpacks"),
    ):
        page = staff.get("/imports").text
        refused = staff.post(
            "/imports",
            data={"csrf_token": token(page), "file": (io.BytesIO(content), "customers.xlsx")},
            content_type="multipart/form-data",
        )
        assert refused.status_code == 302
        run_imports(core_app)
        assert says in staff.get(refused.headers["Location"]).text


def test_a_part_that_understates_its_size_is_unpacked_no_further_than_it_says() -> None:
    honest = workbook(sheet(GOOD_ROWS, "A1:B2"), shared_strings_bytes=MAX_STRINGS_BYTES + 2_000_000)
    name = b"xl/sharedStrings.xml"
    entry = honest.rindex(b"PK\x01\x02", 0, honest.rindex(name))  # its central directory record
    assert honest[entry + 46 : entry + 46 + len(name)] == name
    lying = honest[: entry + 24] + (1_000).to_bytes(4, "little") + honest[entry + 28 :]
    read, refused = lines_read(lying)
    assert read == [] and refused.code == "invalid_xlsx"

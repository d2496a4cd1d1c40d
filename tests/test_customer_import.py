"""Customers import: a file's rows checked (every rejection with its line and code), then created
with their balances, ledger and consents; the same file again changes nothing. Through the
service, the CLI, the API and the client."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import pytest
from flask import Flask
from openpyxl import Workbook
from sqlalchemy import func, select

from admin_api_client import CoreClient, NotFound
from admin_api_client.imports import ImportFailure, ImportReport, Problem
from admin_core.context import Core
from admin_core.database import Database
from admin_core.errors import Invalid
from admin_core.models import (
    Card,
    ConsentKind,
    ConsentRecord,
    Customer,
    CustomerImport,
    Operation,
    OperationKind,
    Store,
)
from admin_core.services import customer_files, customer_import
from admin_core.services.cards import enroll_customer, find_card
from admin_core.services.customer_files import read_rows
from admin_core.services.customer_import import apply_import, dry_run
from admin_core.services.merchants import create_api_key, create_merchant, get_merchant

from .conftest import run_imports
from .test_staff import ADMIN, log_in

# A merchant's export as it comes: one good row, one of each mistake, a blank line, a card the
# merchant has already, and a column the import does not know.
CUSTOMERS_CSV = """\
card_number,first_name,last_name,email,phone,gender,birth_date,language,store,points,credit,marketing,notify_email,notify_sms,notes
5000000001,Giulia,Verdi,Giulia@Example.com,+39 333 1234567,female,1990-04-02,it,MAIN,120,"12,50",yes,sì,no,VIP
5000000002,Lars,Berg,lars@example,,,,nb,,,,,,,
5000000001,Again,Verdi,,,,,,,,,,,,
5000000003,Ugo,Neri,,,,,,NOWHERE,,,,,,
5000000004,Eva,Rosa,,,,31/02/1990,,,,,,,,
5000000005,Ivan,Petrov,,12,,,,,,,,,,

7000100001,Anna,Rossi,anna@example.com,,,,,,500,,,,,
5000000007,Ola,Nordmann,ola@example.no,,M,15.05.2012,nb,STATION,0,3.00,nei,,ja
5000000006,Maria,Ivanova,,,,,,,,12.505,,,,
""".encode()
REJECTED = [
    (3, "5000000002", "invalid_email"),
    (4, "5000000001", "duplicate_card"),
    (5, "5000000003", "unknown_store"),
    (6, "5000000004", "invalid_birth_date"),
    (7, "5000000005", "invalid_phone"),
    (11, "5000000006", "invalid_credit"),
]


@pytest.fixture
def merchant_id(core: Core, demo: dict[str, Any]) -> int:
    with core.db.read() as session:
        return get_merchant(session, "demo").id


def counts(db: Database) -> tuple[int, ...]:
    with db.read() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Customer, Card, Operation, ConsentRecord, CustomerImport)
        )


def test_the_dry_run_reports_every_rejected_row_and_changes_nothing(core: Core, merchant_id: int) -> None:
    before = counts(core.db)
    upload = dry_run(core.db, merchant_id, "customers.csv", CUSTOMERS_CSV)
    report = upload.report or {}
    assert {name: report[name] for name in ("rows", "created", "unchanged", "rejected")} == {
        "rows": 9,
        "created": 2,
        "unchanged": 1,
        "rejected": 6,
    }
    assert [(each["line"], each["card"], each["code"]) for each in report["rejections"]] == REJECTED
    assert report["rejections"][1]["message"] == "Duplicate card, first on line 2."
    assert report["unknown_columns"] == ["notes"]
    assert upload.applied_at is None and upload.content == CUSTOMERS_CSV
    assert counts(core.db) == (*before[:4], before[4] + 1)  # the upload is kept, nothing else


def test_a_row_with_a_control_character_is_rejected_and_the_others_go_in(
    core: Core, merchant_id: int
) -> None:
    content = (
        b"card_number,first_name,store\n"
        b"5000000011,An\x00na,\n"  # PostgreSQL refuses NUL in text
        b"5000000012,Ugo,MA\x1bIN\n"
        b"5000000013,Eva,MAIN\n"
    )
    before = counts(core.db)
    upload = apply_import(core.db, merchant_id, dry_run(core.db, merchant_id, "c.csv", content).id)
    report = upload.report or {}
    assert [(each["line"], each["card"], each["code"]) for each in report["rejections"]] == [
        (2, "5000000011", "invalid_text"),
        (3, "5000000012", "invalid_text"),
    ]
    assert report["created"] == 1 and counts(core.db)[:2] == (before[0] + 1, before[1] + 1)


@pytest.mark.both_backends  # bulk inserts
def test_apply_creates_the_good_rows_with_their_balances_ledger_and_consents(
    core: Core, merchant_id: int
) -> None:
    before = counts(core.db)
    upload = apply_import(core.db, merchant_id, dry_run(core.db, merchant_id, "c.csv", CUSTOMERS_CSV).id)
    assert upload.applied_at is not None
    assert (upload.report or {})["created"] == 2 and (upload.report or {})["unchanged"] == 1
    with core.db.read() as session:
        stores = {store.id: store.code for store in session.scalars(select(Store))}
        giulia = find_card(session, merchant_id, "5000000001")
        ola = find_card(session, merchant_id, "5000000007")
        anna = find_card(session, merchant_id, "7000100001")
        assert giulia is not None and ola is not None and anna is not None
        operations = session.execute(
            select(Operation.card_id, Operation.kind, Operation.points, Operation.credit, Operation.store_id)
            .where(Operation.card_id.in_([giulia.id, ola.id]))
            .order_by(Operation.id)
        ).all()
        consents = session.execute(
            select(ConsentRecord.customer_id, ConsentRecord.kind, ConsentRecord.granted, ConsentRecord.source)
            .where(ConsentRecord.customer_id.in_([giulia.customer_id, ola.customer_id]))
            .order_by(ConsentRecord.id)
        ).all()
        anna_points = anna.points

    assert (giulia.points, giulia.credit, ola.points, ola.credit) == (120, 1250, 0, 300)
    assert giulia.last_activity_at is not None  # points validity counts from the opening balance
    holder = giulia.customer
    assert (holder.first_name, holder.email, holder.phone, holder.gender, holder.locale) == (
        "Giulia",
        "giulia@example.com",
        "+39 333 1234567",
        "female",
        "it",
    )
    assert holder.birth_date == date(1990, 4, 2) and stores[holder.store_id or 0] == "MAIN"
    assert (holder.marketing_consent, holder.notify_email, holder.notify_sms) == (True, True, False)
    assert ola.customer.birth_date == date(2012, 5, 15)  # a minor: the merchant's own records
    assert (ola.customer.marketing_consent, ola.customer.notify_email, ola.customer.notify_sms) == (
        False,
        True,  # not given in the file: as any new customer
        True,
    )
    # The ledger agrees with the balances: an adjustment per opening balance, at the row's store.
    assert [
        (card, kind, points, credit, stores[store]) for card, kind, points, credit, store in operations
    ] == [
        (giulia.id, OperationKind.ADJUSTMENT, 120, 0, "MAIN"),
        (giulia.id, OperationKind.ADJUSTMENT, 0, 1250, "MAIN"),
        (ola.id, OperationKind.ADJUSTMENT, 0, 300, "STATION"),
    ]
    assert consents == [
        (giulia.customer_id, ConsentKind.MARKETING, True, "import"),
        (giulia.customer_id, ConsentKind.NOTIFY_EMAIL, True, "import"),
        (giulia.customer_id, ConsentKind.NOTIFY_SMS, False, "import"),
        (ola.customer_id, ConsentKind.MARKETING, False, "import"),
        (ola.customer_id, ConsentKind.NOTIFY_SMS, True, "import"),
    ]
    assert anna_points == 1250  # a card the merchant had is left as it was
    assert counts(core.db) == (before[0] + 2, before[1] + 2, before[2] + 3, before[3] + 5, before[4] + 1)


@pytest.mark.both_backends  # numbers already taken, found in SQL
def test_the_same_file_again_changes_nothing(core: Core, merchant_id: int) -> None:
    first = apply_import(core.db, merchant_id, dry_run(core.db, merchant_id, "c.csv", CUSTOMERS_CSV).id)
    before = counts(core.db)[:4]
    again = dry_run(core.db, merchant_id, "c.csv", CUSTOMERS_CSV)
    applied = apply_import(core.db, merchant_id, again.id)
    assert (applied.report or {})["created"] == 0 and (applied.report or {})["unchanged"] == 3
    assert (applied.report or {})["rejections"] == (first.report or {})["rejections"]
    assert counts(core.db)[:4] == before
    # Applying an import twice answers its report as it was.
    twice = apply_import(core.db, merchant_id, first.id)
    assert (twice.report, twice.applied_at) == (first.report, first.applied_at)
    assert counts(core.db)[:4] == before


def test_each_rule_has_its_code(core: Core, merchant_id: int) -> None:
    content = (
        "card,gender,language,points,credit,marketing\n"
        "5000000301,unknown,,,,\n"
        "5000000302,,fr,,,\n"
        "5000000303,,,-5,,\n"
        "5000000304,,,,100000.01,\n"
        "5000000305,,,,,maybe\n"
        ",f,,,,\n"
        "not a card!,,,,,\n"
        '5000000306,F,IT,1000000,"100000,00",Да\n'
    ).encode()
    report = dry_run(core.db, merchant_id, "c.csv", content).report or {}
    assert [(each["line"], each["card"], each["code"]) for each in report["rejections"]] == [
        (2, "5000000301", "invalid_gender"),
        (3, "5000000302", "invalid_language"),
        (4, "5000000303", "invalid_points"),
        (5, "5000000304", "invalid_credit"),
        (6, "5000000305", "invalid_consent"),
        (7, "", "missing_card_number"),
        (8, "not a card!", "invalid_card_number"),
    ]
    assert report["created"] == 1  # at the limits, in other words and cases


def test_xlsx_with_date_number_and_boolean_cells(core: Core, merchant_id: int) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Card", "Name", "Born", "Credit", "Marketing", "Points"])
    sheet.append([5000000101, "Sofia", datetime(1985, 7, 1), 12.5, True, 40])
    sheet.append([])
    sheet.append(["5000000102", "Paolo", datetime(2999, 1, 1), None, None, None])
    out = io.BytesIO()
    book.save(out)

    upload = apply_import(core.db, merchant_id, dry_run(core.db, merchant_id, "c.xlsx", out.getvalue()).id)
    report = upload.report or {}
    assert (report["created"], report["rejected"]) == (1, 1)
    assert [(each["line"], each["code"]) for each in report["rejections"]] == [(4, "invalid_birth_date")]
    with core.db.read() as session:
        sofia = find_card(session, merchant_id, "5000000101")  # a number cell, without ".0"
        assert sofia is not None
        assert (sofia.points, sofia.credit, sofia.customer.marketing_consent) == (40, 1250, True)
        assert sofia.customer.birth_date == date(1985, 7, 1)


def test_semicolons_a_bom_and_other_header_names(core: Core, merchant_id: int) -> None:
    content = (
        "\ufeffCard Number;Firstname;Surname;E-Mail;Born;Locale;Store_Code;Credit\r\n"
        "5000000201;Ingrid;Dahl;INGRID@example.no;01/02/1980;NB;STATION;7,5\r\n"
    ).encode()
    upload = apply_import(core.db, merchant_id, dry_run(core.db, merchant_id, "c.csv", content).id)
    assert (upload.report or {})["created"] == 1 and (upload.report or {})["unknown_columns"] == []
    with core.db.read() as session:
        ingrid = find_card(session, merchant_id, "5000000201")
        assert ingrid is not None and ingrid.credit == 750
        assert (ingrid.customer.email, ingrid.customer.locale) == ("ingrid@example.no", "nb")
        assert ingrid.customer.birth_date == date(1980, 2, 1)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty_file"),
        (b"%PDF-1.7\n\xe2\x28\xa1\x00 not text", "unsupported_file"),
        (b"PK\x03\x04" + bytes(60), "invalid_xlsx"),
        (b"name,email\nAnna,anna@example.com\n", "no_card_column"),
        (b"card,number\n1234,5678\n", "duplicate_column"),
        (b"card\n" + b"1" * 200_000 + b"\n", "invalid_csv"),  # a cell beyond any customer's
    ],
)
def test_a_file_the_import_cannot_use_is_refused_whole(
    core: Core, merchant_id: int, content: bytes, code: str
) -> None:
    before = counts(core.db)
    with pytest.raises(Invalid) as refused:
        dry_run(core.db, merchant_id, "upload.bin", content)
    assert refused.value.code == code
    assert counts(core.db) == before


def test_line_numbers_are_the_file_s(monkeypatch: pytest.MonkeyPatch) -> None:
    content = b'card,last_name,email\n1001,"Two\nlines",a@example.com\n\n1002\n1003,Short\n'
    rows = list(read_rows(content))
    assert rows == [
        (2, {"card_number": "1001", "last_name": "Two\nlines", "email": "a@example.com"}),
        (5, {"card_number": "1002"}),
        (6, {"card_number": "1003", "last_name": "Short"}),
    ]
    monkeypatch.setattr(customer_files, "MAX_ROWS", 2)
    with pytest.raises(Invalid) as refused:
        list(read_rows(content))
    assert refused.value.code == "too_many_rows"


@pytest.mark.both_backends  # the unique constraint on card numbers
def test_a_card_created_between_dry_run_and_apply_is_left_unchanged(core: Core, merchant_id: int) -> None:
    upload = dry_run(core.db, merchant_id, "c.csv", CUSTOMERS_CSV)
    enroll_customer(core.db, merchant_id, "5000000007", first_name="Walk-in")
    report = apply_import(core.db, merchant_id, upload.id).report or {}
    assert (report["created"], report["unchanged"], report["rejected"]) == (1, 2, 6)
    with core.db.read() as session:
        walk_in = find_card(session, merchant_id, "5000000007")
        assert walk_in is not None and (walk_in.customer.first_name, walk_in.credit) == ("Walk-in", 0)


@pytest.mark.both_backends  # a unique violation inside a savepoint
def test_a_batch_meeting_a_taken_number_is_done_again_row_by_row(
    core: Core, merchant_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As when another writer takes a number after the apply looked: the batch fails on the unique
    number, and its good rows are still created."""
    upload = dry_run(core.db, merchant_id, "c.csv", CUSTOMERS_CSV)
    before = counts(core.db)
    monkeypatch.setattr(customer_import, "existing_numbers", lambda *_: set())
    report = apply_import(core.db, merchant_id, upload.id).report or {}
    assert (report["created"], report["unchanged"]) == (2, 1)
    assert counts(core.db)[:4] == (before[0] + 2, before[1] + 2, before[2] + 3, before[3] + 5)


def test_the_command_dry_runs_and_with_apply_imports(
    core_app: Flask, core: Core, demo: dict[str, Any], tmp_path: Path
) -> None:
    file = tmp_path / "customers.csv"
    file.write_bytes(CUSTOMERS_CSV)
    runner = core_app.test_cli_runner()
    before = counts(core.db)[:4]
    checked = runner.invoke(args=["core", "import-customers", "demo", str(file)])
    assert checked.exit_code == 0, checked.output
    assert "dry run" in checked.output and "9 rows: 2 to create, 1 unchanged" in checked.output
    assert "line 3: card 5000000002: invalid_email" in checked.output
    assert "unknown columns, ignored: notes" in checked.output
    assert counts(core.db)[:4] == before

    applied = runner.invoke(args=["core", "import-customers", "demo", str(file), "--apply"])
    assert applied.exit_code == 0, applied.output
    assert "9 rows: 2 created, 1 unchanged" in applied.output
    assert counts(core.db)[:2] == (before[0] + 2, before[1] + 2)

    ghost = runner.invoke(args=["core", "import-customers", "ghost", str(file)])
    assert ghost.exit_code != 0 and "No such merchant" in ghost.output
    file.write_bytes(b"name\nAnna\n")
    unusable = runner.invoke(args=["core", "import-customers", "demo", str(file)])
    assert unusable.exit_code != 0 and "no_card_column" in unusable.output


def test_the_api_uploads_reads_and_applies_for_its_merchant_only(
    core_app: Flask, core: Core, demo: dict[str, Any]
) -> None:
    api = core_app.test_client()
    key = {"Authorization": f"Bearer {demo['api_key']}"}
    made = api.post(
        "/api/v1/customers/imports?filename=customers.csv",
        data=CUSTOMERS_CSV,
        headers=key,
        content_type="text/csv",
    )
    assert made.status_code == 202, made.json
    run_imports(core_app)
    path = f"/api/v1/customers/imports/{made.json['id']}"
    checked = api.get(path, headers=key).json
    assert checked["applied_at"] is None and checked["report"]["created"] == 2
    assert checked["report"]["rejections"][0] == {
        "line": 3,
        "card": "5000000002",
        "code": "invalid_email",
        "message": "This is not a valid e-mail address.",
        "problems": [
            {"column": "email", "code": "invalid_email", "message": "This is not a valid e-mail address."}
        ],
    }
    assert [row["card"] for row in checked["report"]["preview"]] == ["5000000001", "5000000007"]

    other = create_merchant(core.db, "other", "Other shop")
    outsider = {"Authorization": f"Bearer {create_api_key(core.db, other.id)}"}
    assert api.get(path, headers=outsider).json["error"]["code"] == "import_not_found"
    assert api.post(f"{path}/apply", headers=outsider).status_code == 404

    assert api.post(f"{path}/apply", headers=key).status_code == 202
    run_imports(core_app)
    applied = api.get(path, headers=key)
    assert applied.json["status"] == "applied" and applied.json["applied_at"] is not None
    assert applied.json["report"]["created"] == 2

    assert api.post("/api/v1/customers/imports", data=CUSTOMERS_CSV, headers=key).status_code == 422
    refused = api.post("/api/v1/customers/imports?filename=x.pdf", data=b"%PDF\xff\xfe", headers=key)
    run_imports(core_app)
    failed = api.get(f"/api/v1/customers/imports/{refused.json['id']}", headers=key).json
    assert failed["status"] == "failed" and failed["error"]["code"] == "unsupported_file"
    spec = api.get("/api/v1/openapi.json").json
    upload = spec["paths"]["/api/v1/customers/imports"]["post"]
    assert upload["requestBody"]["content"]["text/csv"]["schema"]["format"] == "binary"
    assert {"/api/v1/customers/imports/{import_id}", "/api/v1/customers/imports/{import_id}/apply"} <= set(
        spec["paths"]
    )


def test_the_client_calls(core_app: Flask, demo: dict[str, Any]) -> None:
    imports = CoreClient.in_process(core_app, api_key=demo["api_key"]).imports
    queued = imports.upload("customers.csv", CUSTOMERS_CSV)
    assert (queued.status, queued.report, queued.done) == ("queued_check", None, False)
    with pytest.raises(TimeoutError):
        imports.wait(queued.id, timeout=0.1, interval=0.05)
    run_imports(core_app)
    upload = imports.wait(queued.id)
    assert upload.report is not None and upload.status == "checked"
    assert (upload.filename, upload.applied_at, upload.report.created) == ("customers.csv", None, 2)
    assert [(each.line, each.code) for each in upload.report.rejections][:2] == [
        (3, "invalid_email"),
        (4, "duplicate_card"),
    ]
    assert upload.report.unknown_columns == ("notes",)
    assert upload.report.rejections[0].problems == (
        Problem("email", "invalid_email", "This is not a valid e-mail address."),
    )
    assert [(card.card, card.first_name, card.credit) for card in upload.report.preview] == [
        ("5000000001", "Giulia", 1250),
        ("5000000007", "Ola", 300),
    ]
    assert imports.apply(upload.id).status == "queued_apply"
    run_imports(core_app)
    applied = imports.wait(upload.id)
    assert applied.applied_at is not None and applied.report and applied.report.created == 2
    assert imports.get(upload.id) == applied
    failing = imports.upload("names.csv", b"name\nAnna\n")
    run_imports(core_app)
    assert imports.wait(failing.id).error == ImportFailure("no_card_column", ANY)
    with pytest.raises(NotFound):
        imports.get(upload.id + 1000)


def test_numbers_that_only_look_like_numbers_are_rejected_rows(core: Core, demo: dict[str, Any]) -> None:
    from admin_core.services.customer_import import dry_run
    from admin_core.services.merchants import get_merchant

    with core.db.read() as session:
        merchant = get_merchant(session, "demo").id
    report = dry_run(
        core.db, merchant, "odd.csv", "card,points\n9900000001,²\n9900000002,5\n".encode()
    ).report
    assert report is not None
    assert [(row["line"], row["code"]) for row in report["rejections"]] == [(2, "invalid_points")]
    assert report["created"] == 1


def test_a_row_reports_every_problem_it_has(core: Core, merchant_id: int) -> None:
    content = b"card,gender,language,points,credit\n5000000401,unknown,fr,2000000,12.505\n5000000402,,,7,\n"
    report = dry_run(core.db, merchant_id, "c.csv", content).report or {}
    [rejection] = report["rejections"]
    assert (rejection["line"], rejection["code"]) == (2, "invalid_gender")  # the first, as before
    assert [(each["column"], each["code"]) for each in rejection["problems"]] == [
        ("gender", "invalid_gender"),
        ("language", "invalid_language"),
        ("points", "invalid_points"),
        ("credit", "invalid_credit"),
    ]
    assert report["created"] == 1


def test_the_dry_run_previews_the_cards_it_would_create(core: Core, merchant_id: int) -> None:
    report = dry_run(core.db, merchant_id, "c.csv", CUSTOMERS_CSV).report or {}
    assert report["preview"] == [
        {
            "card": "5000000001",
            "first_name": "Giulia",
            "last_name": "Verdi",
            "email": "giulia@example.com",
            "points": 120,
            "credit": 1250,
        },
        {
            "card": "5000000007",
            "first_name": "Ola",
            "last_name": "Nordmann",
            "email": "ola@example.no",
            "points": 0,
            "credit": 300,
        },
    ]
    many = "card\n" + "".join(f"50000010{n:02}\n" for n in range(40))
    assert len((dry_run(core.db, merchant_id, "m.csv", many.encode()).report or {})["preview"]) == 20


def test_a_report_kept_before_problems_and_previews_still_reads(
    core_app: Flask, core: Core, merchant_id: int
) -> None:
    rejection = {"line": 2, "card": "77", "code": "invalid_card_number", "message": "A card number is…"}
    old = {"rows": 1, "created": 0, "unchanged": 0, "rejected": 1, "rejections": [rejection]}
    report = ImportReport.from_json({**old, "unknown_columns": []})
    assert report.preview == () and report.rejections[0].problems == (
        Problem("", "invalid_card_number", "A card number is…"),
    )
    upload = dry_run(core.db, merchant_id, "old.csv", b"card\n77\n")
    with core.db.write() as session:
        session.get(CustomerImport, upload.id).report = {**old, "unknown_columns": []}  # type: ignore[union-attr]
    staff = core_app.test_client()
    log_in(staff, ADMIN)
    page = staff.get(f"/imports/{upload.id}")
    assert page.status_code == 200 and "Not a card number: 4-32 letters or digits." in page.text

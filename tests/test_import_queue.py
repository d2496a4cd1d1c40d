"""Customer imports run outside the request: the upload and the apply answer at once (API 202, the
staff page "Checking the file…" / "Importing…"), `core run-imports` does the work, with a lease a
killed worker's import is taken again after, and nothing accepted is lost."""

from __future__ import annotations

import io
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from admin_core.context import Core
from admin_core.database import Database
from admin_core.models import CustomerImport, ImportStatus
from admin_core.services import import_queue, utcnow
from admin_core.services.import_queue import LEASE, MAX_ATTEMPTS, RETRY_AFTER, run_next, submit
from admin_core.services.merchants import create_merchant, get_merchant

from .conftest import run_imports
from .test_customer_import import CUSTOMERS_CSV, counts
from .test_staff import ADMIN, log_in, post, token


@pytest.fixture
def merchant_id(core: Core, demo: dict[str, Any]) -> int:
    with core.db.read() as session:
        return get_merchant(session, "demo").id


def stored(db: Database, import_id: int) -> CustomerImport:
    with db.read() as session:
        return session.get_one(CustomerImport, import_id)


def test_the_api_answers_at_once_and_the_worker_checks_then_applies(
    core_app: Flask, core: Core, demo: dict[str, Any]
) -> None:
    api = core_app.test_client()
    key = {"Authorization": f"Bearer {demo['api_key']}"}
    before = counts(core.db)
    made = api.post("/api/v1/customers/imports?filename=customers.csv", data=CUSTOMERS_CSV, headers=key)
    assert made.status_code == 202, made.json
    assert (made.json["status"], made.json["report"], made.json["error"]) == ("queued_check", None, None)
    path = f"/api/v1/customers/imports/{made.json['id']}"
    assert api.get(path, headers=key).json["status"] == "queued_check"
    assert api.post(f"{path}/apply", headers=key).json["error"]["code"] == "import_not_checked"

    assert f"import {made.json['id']}" in run_imports(core_app)
    checked = api.get(path, headers=key).json
    assert checked["status"] == "checked" and checked["checked_at"] is not None
    assert (checked["report"]["created"], checked["report"]["rejected"]) == (2, 6)
    assert counts(core.db)[:4] == before[:4]

    queued = api.post(f"{path}/apply", headers=key)
    assert queued.status_code == 202 and queued.json["status"] == "queued_apply"
    assert counts(core.db)[:4] == before[:4]  # nothing imported inside the request
    run_imports(core_app)
    applied = api.get(path, headers=key).json
    assert applied["status"] == "applied" and applied["report"]["created"] == 2
    assert counts(core.db)[:2] == (before[0] + 2, before[1] + 2)
    assert api.post(f"{path}/apply", headers=key).json == applied  # again: nothing more to do

    # The same file again changes nothing.
    again = api.post("/api/v1/customers/imports?filename=again.csv", data=CUSTOMERS_CSV, headers=key)
    run_imports(core_app)
    api.post(f"/api/v1/customers/imports/{again.json['id']}/apply", headers=key)
    run_imports(core_app)
    report = api.get(f"/api/v1/customers/imports/{again.json['id']}", headers=key).json["report"]
    assert (report["created"], report["unchanged"]) == (0, 3)
    assert counts(core.db)[:4] == (before[0] + 2, before[1] + 2, before[2] + 3, before[3] + 5)


def test_a_file_the_import_cannot_use_ends_failed_with_its_reason_and_is_kept(
    core_app: Flask, core: Core, demo: dict[str, Any]
) -> None:
    api = core_app.test_client()
    key = {"Authorization": f"Bearer {demo['api_key']}"}
    made = api.post("/api/v1/customers/imports?filename=x.csv", data=b"name\nAnna\n", headers=key)
    assert made.status_code == 202
    run_imports(core_app)
    failed = api.get(f"/api/v1/customers/imports/{made.json['id']}", headers=key).json
    assert failed["status"] == "failed" and failed["failed_at"] is not None
    assert failed["error"]["code"] == "no_card_column"
    assert "no card number column" in failed["error"]["message"]
    assert stored(core.db, made.json["id"]).content == b"name\nAnna\n"
    # What is known at once is refused at once.
    empty = api.post("/api/v1/customers/imports?filename=e.csv", data=b"", headers=key)
    assert empty.status_code == 422 and empty.json["error"]["code"] == "empty_file"


def test_the_staff_page_says_checking_then_shows_the_report(core_app: Flask, core: Core, demo: Any) -> None:
    staff: FlaskClient = core_app.test_client()
    log_in(staff, ADMIN)
    page = staff.get("/imports").text
    sent = staff.post(
        "/imports",
        data={"csrf_token": token(page), "file": (io.BytesIO(CUSTOMERS_CSV), "customers.csv")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302
    waiting = staff.get(sent.headers["Location"]).text
    assert "Checking the file…" in waiting and '<meta http-equiv="refresh" content="3">' in waiting
    assert "checking…" in staff.get("/imports").text

    run_imports(core_app)
    report = staff.get(sent.headers["Location"]).text
    assert "Checked; not applied yet." in report and 'http-equiv="refresh"' not in report
    rejected = report.split("Cards to create")[0]
    assert re.findall(r"<tr><td>(\d+)</td>", rejected) == ["3", "4", "5", "6", "7", "11"]

    assert post(staff, f"{sent.headers['Location']}/apply", {}, report).status_code == 302
    importing = staff.get(sent.headers["Location"]).text
    assert "Importing…" in importing and 'http-equiv="refresh"' in importing
    run_imports(core_app)
    assert "Imported: 2 new cards." in staff.get(sent.headers["Location"]).text


def test_an_import_whose_worker_died_is_taken_again_after_the_lease(core: Core, merchant_id: int) -> None:
    now = utcnow()
    upload = submit(core.db, merchant_id, "c.csv", CUSTOMERS_CSV, now=now)
    claimed = import_queue.claim(core.db, now)  # ... and the worker is killed
    assert claimed is not None and claimed.id == upload.id
    assert run_next(core.db, now + LEASE - timedelta(seconds=1)) is None  # still its
    assert run_next(core.db, now + LEASE) is not None
    done = stored(core.db, upload.id)
    assert done.status is ImportStatus.CHECKED and (done.report or {})["created"] == 2
    assert done.claimed_until is None


def test_an_import_every_worker_dies_with_ends_failed(core: Core, merchant_id: int) -> None:
    now = utcnow()
    upload = submit(core.db, merchant_id, "c.csv", CUSTOMERS_CSV, now=now)
    for attempt in range(MAX_ATTEMPTS):
        assert import_queue.claim(core.db, now + LEASE * attempt) is not None
    run_next(core.db, now + LEASE * MAX_ATTEMPTS)
    failed = stored(core.db, upload.id)
    assert (failed.status, failed.error_code) == (ImportStatus.FAILED, "import_failed")
    assert failed.content == CUSTOMERS_CSV


def test_trouble_other_than_the_file_keeps_the_import_queued(
    core: Core, merchant_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = utcnow()
    upload = submit(core.db, merchant_id, "c.csv", CUSTOMERS_CSV, now=now)

    def broken(*_: object) -> None:
        raise RuntimeError("the disk is full")

    with monkeypatch.context() as patched:
        patched.setattr(import_queue, "check_file", broken)
        run_next(core.db, now)
    waiting = stored(core.db, upload.id)
    assert waiting.status is ImportStatus.QUEUED_CHECK and waiting.error_message
    assert run_next(core.db, now + RETRY_AFTER - timedelta(seconds=1)) is None
    run_next(core.db, now + RETRY_AFTER)
    assert stored(core.db, upload.id).status is ImportStatus.CHECKED


def test_a_check_past_its_time_limit_is_stopped_and_says_so(core: Core, merchant_id: int) -> None:
    upload = submit(core.db, merchant_id, "c.csv", CUSTOMERS_CSV)
    run_next(core.db, limit=-1.0)  # the limit has passed before the first line
    failed = stored(core.db, upload.id)
    assert (failed.status, failed.error_code) == (ImportStatus.FAILED, "import_timed_out")
    assert failed.report is None


@pytest.mark.both_backends  # SKIP LOCKED on PostgreSQL, BEGIN IMMEDIATE on SQLite
def test_two_workers_never_take_the_same_import(committed_db: Database) -> None:
    merchant_id = create_merchant(committed_db, "queue", "Queue shop").id
    now = utcnow()
    made = {submit(committed_db, merchant_id, f"{n}.csv", CUSTOMERS_CSV, now=now).id for n in range(8)}
    start = Barrier(4)

    def worker(_: int) -> list[int]:
        start.wait(timeout=30)
        taken = []
        while (claimed := import_queue.claim(committed_db, now)) is not None:
            taken.append(claimed.id)
        return taken

    with ThreadPoolExecutor(4) as pool:
        taken = [each for ids in pool.map(worker, range(4)) for each in ids]
    assert sorted(taken) == sorted(made)


def test_the_staff_report_names_each_problem_with_its_limit_and_previews_new_cards(
    core_app: Flask, core: Core, demo: Any
) -> None:
    staff: FlaskClient = core_app.test_client()
    log_in(staff, ADMIN)
    page = staff.get("/imports").text
    content = b"card,first_name,points,language\n5000000501,Ada,2000000,fr\n5000000502,Bea,12,\n"
    sent = staff.post(
        "/imports",
        data={"csrf_token": token(page), "file": (io.BytesIO(content), "c.csv")},
        content_type="multipart/form-data",
    )
    run_imports(core_app)
    report = staff.get(sent.headers["Location"]).text
    assert "Points are a whole number from 0 to 1,000,000." in report
    assert "The language is en, it, bg or nb." in report
    assert re.search(r"<td>5000000502</td>\s*<td>Bea</td>", report)

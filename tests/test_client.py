"""admin_api_client against a real core: typed answers and explicit errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from flask import Flask

import admin_core
from admin_api_client import Conflict, CoreClient, Invalid, NotFound, Unauthorized, Unavailable
from admin_core.context import EXTENSION
from admin_core.database import Database
from admin_core.demo import load_demo

from .conftest import SECRET, make_config, run_imports, served
from .smtp import Inbox, free_port


@pytest.fixture
def till(core_app: Flask, demo: dict[str, Any]) -> CoreClient:
    """A client with the merchant's key, as a till integration holds it."""
    return CoreClient.in_process(core_app, api_key=demo["api_key"])


@pytest.mark.both_backends  # the idempotency record's unique constraint
def test_record_and_replay(till: CoreClient) -> None:
    first = till.record_operation("7000100001", "earn_points", 25, "MAIN", idempotency_key="sale-42")
    again = till.record_operation("7000100001", "earn_points", 25, "MAIN", idempotency_key="sale-42")
    assert (first.replayed, again.replayed) == (False, True)
    assert first.id == again.id and again.balances.points == 1275
    assert till.get_card("7000100001").balances.points == 1275


def test_a_purchase_by_amount_and_its_void(till: CoreClient) -> None:
    bought = till.record_operation("7000100001", "purchase", 1250, "MAIN")
    assert (bought.kind, bought.purchase_amount, bought.points) == ("purchase", 1250, 31)
    assert bought.calculation is not None and bought.calculation["campaign"]["multiplier"] == 2.0
    voided = till.void_operation("7000100001", bought.id)
    assert (voided.kind, voided.reverses, voided.balances.points) == ("void", bought.id, 1250)
    with pytest.raises(Conflict) as again:
        till.void_operation("7000100001", bought.id)
    assert again.value.code == "already_voided"


def test_each_failure_has_its_exception(till: CoreClient, core_app: Flask) -> None:
    with pytest.raises(NotFound) as missing:
        till.get_card("0000000000")
    assert missing.value.code == "card_not_found"
    with pytest.raises(Conflict):
        till.record_operation("7000100001", "redeem_points", 99999, "MAIN")
    with pytest.raises(Invalid) as invalid:
        till.record_operation("7000100001", "earn_points", 5, "NOWHERE")
    assert invalid.value.code == "unknown_store"
    with pytest.raises(Unauthorized):
        CoreClient.in_process(core_app, api_key="lpk_forged").get_card("7000100001")


def test_an_unreachable_core_is_unavailable() -> None:
    client = CoreClient(f"http://127.0.0.1:{free_port()}", "key", timeout=1.0)
    with pytest.raises(Unavailable):
        client.get_card("7000100001")


def test_card_numbers_with_odd_characters_stay_in_their_path_segment(till: CoreClient) -> None:
    with pytest.raises(NotFound):
        till.get_card("../portal/merchant")


def test_path_segments_beyond_latin_1_reach_the_core_as_sent(till: CoreClient) -> None:
    # In-process, the path travels in the WSGI environ, where it must be UTF-8 bytes read as
    # Latin-1 (PEP 3333): a no-break space pasted with the number is a space to the core...
    assert till.get_card("7000\u00a0100001").number == "7000100001"
    # ...and characters beyond Latin-1 name no card, as over HTTP.
    with pytest.raises(NotFound):
        till.get_card("7000\U0001f600")


def test_an_import_answers_at_once_and_the_client_waits_for_the_worker(
    committed_db: Database, inbox: Inbox
) -> None:
    """Over HTTP, with a client whose calls give up after a second: a file of 20,000 rows, which
    takes the core longer than that to check and to apply, is answered at once each time; the
    client polls until `core run-imports` is done."""
    core_app = admin_core.create_app(make_config(inbox), database=committed_db)
    demo = load_demo(core_app.extensions[EXTENSION], SECRET)
    with served(core_app) as base_url:
        impatient = CoreClient(base_url, demo["api_key"], timeout=httpx.Timeout(1.0, connect=2.0))
        rows = "".join(f"{6000000000 + n},Guest,Number{n}\n" for n in range(20_000))
        upload = impatient.imports.upload("big.csv", f"card_number,first_name,last_name\n{rows}".encode())
        assert (upload.status, upload.report) == ("queued_check", None)
        run_imports(core_app)
        checked = impatient.imports.wait(upload.id, interval=0.1)
        assert checked.report and checked.report.created == 20_000
        assert impatient.imports.apply(upload.id).status == "queued_apply"
        run_imports(core_app)
        applied = impatient.imports.wait(upload.id, interval=0.1)
        assert applied.status == "applied" and applied.report and applied.report.created == 20_000

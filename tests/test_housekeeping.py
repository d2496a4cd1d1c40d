"""`core purge-records`: what is kept only for a while goes when its time is up, and nothing that
is still waiting to happen goes with it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from admin_core.context import Core
from admin_core.errors import NotFound
from admin_core.models import Card, CustomerImport, IdempotencyRecord, OutboundMail, PortalToken, TokenPurpose
from admin_core.services import mail_queue, utcnow
from admin_core.services.customer_import import apply_import, dry_run, get_import
from admin_core.services.housekeeping import Purged, Retention, purge_records
from admin_core.services.idempotency import run_once
from admin_core.services.links import issue_link
from admin_core.services.merchants import get_merchant

from .conftest import deliver_mail
from .smtp import Inbox

pytestmark = pytest.mark.both_backends  # purges delete by dates compared in SQL

CUSTOMERS = b"card_number,first_name,last_name\n5000000001,Giulia,Verdi\n"
NOTHING = Purged(0, 0, 0, 0)


@pytest.fixture
def merchant_id(core: Core, demo: dict[str, Any]) -> int:
    with core.db.read() as session:
        return get_merchant(session, "demo").id


def count(core: Core, model: type) -> int:
    with core.db.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_each_kind_of_record_goes_when_its_time_is_up(
    core: Core, core_app: Flask, inbox: Inbox, merchant_id: int
) -> None:
    now = utcnow()
    purge_records(core.db, now=now + timedelta(days=365))  # the demo's own: only this test's are counted
    tokens, responses = count(core, PortalToken), count(core, IdempotencyRecord)

    run_once(core.db, merchant_id, "key-1", "fingerprint", lambda _session: (201, {"ok": True}))
    mail_queue.enqueue(core.db, core.mail_seal, "sent@example.com", "Sent", "Delivered, then kept a month.")
    deliver_mail(core_app)
    mail_queue.enqueue(
        core.db,
        core.mail_seal,
        "queued@example.com",
        "Queued",
        "Not yet delivered.",
        now=now + timedelta(days=40),
    )
    with core.db.write() as session:
        card = session.scalar(select(Card).where(Card.merchant_id == merchant_id).order_by(Card.id).limit(1))
        assert card is not None
        issue_link(session, card, TokenPurpose.RESET, now + timedelta(hours=1), now)
        issue_link(session, card, TokenPurpose.RESET, now + timedelta(days=100), now)  # still works
    never_applied = dry_run(core.db, merchant_id, "a.csv", CUSTOMERS, now=now)
    applied = apply_import(
        core.db, merchant_id, dry_run(core.db, merchant_id, "b.csv", CUSTOMERS, now=now).id
    )

    assert purge_records(core.db, now=now + timedelta(days=29)) == NOTHING
    assert purge_records(core.db, now=now + timedelta(days=31)) == Purged(1, 1, 1, 0)
    assert purge_records(core.db, now=now + timedelta(days=91)) == Purged(0, 0, 0, 2)
    assert purge_records(core.db, now=now + timedelta(days=91)) == NOTHING

    with core.db.read() as session:
        assert session.scalars(select(OutboundMail.recipient)).all()[-1:] == ["queued@example.com"]
        assert count(core, PortalToken) == tokens + 1
        with pytest.raises(NotFound):
            get_import(session, merchant_id, never_applied.id)
        kept = session.get_one(CustomerImport, applied.id)
        assert kept.content == b"" and kept.lines is None
        assert kept.report == applied.report and kept.applied_at is not None
    # Applying it again still answers its report, and reads no file.
    assert apply_import(core.db, merchant_id, applied.id).report == applied.report
    assert count(core, IdempotencyRecord) == responses


def test_retention_is_chosen_on_the_command_line(core_app: Flask, core: Core, merchant_id: int) -> None:
    before = count(core, IdempotencyRecord)  # the demo's till writes, today's
    run_once(core.db, merchant_id, "key-1", "fingerprint", lambda _session: (201, {"ok": True}))
    runner = core_app.test_cli_runner()
    kept = runner.invoke(args=["core", "purge-records"])
    assert kept.exit_code == 0 and "Erased: 0 replayable response(s)" in kept.output
    assert count(core, IdempotencyRecord) == before + 1
    refused = runner.invoke(args=["core", "purge-records", "--days", "0"])
    assert refused.exit_code == 2 and "--days" in refused.output
    assert Retention().import_files == timedelta(days=90)

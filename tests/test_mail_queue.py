"""E-mail survives SMTP being slow or down: stored first, delivered by the worker, retried."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier, Lock
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import admin_core
from admin_core.context import Core
from admin_core.database import Database
from admin_core.models import OutboundMail
from admin_core.services import mail_queue, utcnow

from .conftest import deliver_mail, make_config, submit
from .smtp import Inbox, free_port, start_smtp

pytestmark = pytest.mark.both_backends  # leases (SKIP LOCKED), workers racing


def queued(core: Core) -> list[OutboundMail]:
    with core.db.read() as session:
        return list(session.scalars(select(OutboundMail).order_by(OutboundMail.id)))


def activate_marco(client: FlaskClient) -> Any:
    return submit(
        client,
        "/p/demo/activate",
        {
            "card": "7000100002",
            "email": "marco@example.com",
            "password": "new-password",
            "confirm": "new-password",
        },
    )


def test_smtp_down_the_page_still_answers_and_the_message_waits(
    core_app: Flask, core: Core, client: FlaskClient, demo: dict[str, Any], inbox: Inbox
) -> None:
    down = free_port()
    core_app.config["MAIL_PORT"] = down
    core.mail.init_app(core_app)
    assert activate_marco(client).status_code == 200

    deliver_mail(core_app)
    [message] = queued(core)
    assert message.sent_at is None and message.attempts == 1
    assert message.next_attempt_at > utcnow() + timedelta(seconds=20)
    assert "ConnectionRefusedError" in (message.last_error or "")

    # SMTP comes back; when the retry is due the message goes out exactly once.
    back, stop = start_smtp(down)
    try:
        report = mail_queue.deliver_due(
            core.db, core.mail_seal, _smtp_send(core_app, core), now=message.next_attempt_at
        )
        assert report.sent == 1
        assert [m["To"] for m in back.messages] == ["marco@example.com"]
        assert (
            mail_queue.deliver_due(
                core.db, core.mail_seal, _smtp_send(core_app, core), now=utcnow() + timedelta(days=1)
            ).sent
            == 0
        )
    finally:
        stop()
    [message] = queued(core)
    assert message.sent_at is not None and message.attempts == 2


def _smtp_send(app: Flask, core: Core) -> Any:
    from admin_core.mailer import smtp_sender

    def send(letter: mail_queue.Letter) -> None:
        with app.app_context(), smtp_sender(core.mail, timeout=5) as deliver:
            deliver(letter)

    return send


def test_send_mail_once_delivers_everything_due_not_just_one_batch(
    core_app: Flask, core: Core, inbox: Inbox
) -> None:
    for number in range(45):
        mail_queue.enqueue(core.db, core.mail_seal, f"guest{number}@example.com", f"Message {number}", "Body")

    deliver_mail(core_app)

    assert sorted(str(m["To"]) for m in inbox.messages) == sorted(f"guest{n}@example.com" for n in range(45))
    assert all(message.sent_at is not None for message in queued(core))


def test_backoff_grows_and_is_capped() -> None:
    delays = [mail_queue.backoff(attempt).total_seconds() for attempt in (1, 2, 3, 10, 50)]
    assert delays == [30, 60, 120, 3600, 3600]


def test_a_permanent_refusal_is_not_retried(core: Core) -> None:
    mail_queue.enqueue(core.db, core.mail_seal, "nobody@example.com", "Hi", "Body")

    def refuse(_letter: mail_queue.Letter) -> None:
        raise mail_queue.PermanentFailure("550 no such user")

    assert mail_queue.deliver_due(core.db, core.mail_seal, refuse).failed == 1
    assert (
        mail_queue.deliver_due(core.db, core.mail_seal, refuse, now=utcnow() + timedelta(days=3)).failed == 0
    )
    [message] = queued(core)
    assert message.failed_at is not None and "550" in (message.last_error or "")


def test_bad_messages_are_refused_before_they_are_stored(core_app: Flask, demo: dict[str, Any]) -> None:
    from admin_api_client import CoreClient, Invalid
    from admin_core import trusted_site_app

    client = CoreClient.in_process(trusted_site_app(core_app)).for_merchant("demo")
    for to in ["", "not-an-address"]:
        try:
            client.queue_mail(to, "Subject", "Body")
        except Invalid as error:
            assert error.status == 422
        else:
            raise AssertionError("accepted a message without a valid recipient")


def test_several_workers_never_send_a_message_twice(committed_db: Database, inbox: Inbox) -> None:
    app = admin_core.create_app(make_config(inbox), database=committed_db)
    core: Core = app.extensions["loyalty_core"]
    for number in range(30):
        mail_queue.enqueue(
            committed_db, core.mail_seal, f"guest{number}@example.com", f"Message {number}", "Body"
        )
    sent: list[str] = []
    lock = Lock()
    start = Barrier(4)

    def send(letter: mail_queue.Letter) -> None:
        with lock:
            sent.append(letter.recipient)

    def worker(_: int) -> int:
        start.wait(timeout=30)
        total = 0
        for _round in range(5):
            total += mail_queue.deliver_due(core.db, core.mail_seal, send, limit=5).sent
        return total

    with ThreadPoolExecutor(4) as pool:
        totals = list(pool.map(worker, range(4)))
    assert sum(totals) == 30
    assert sorted(sent) == sorted(f"guest{number}@example.com" for number in range(30))

"""Drill: SMTP goes away while 100 messages wait, answers "try later", never answers, or dies in
the middle of a batch; the worker itself is killed. Whatever happens, `core send-mail` loses
nothing and delivers each message once, except the one message a crash catches between the
server's acceptance and our record of it (SMTP is at-least-once there: the server has it, we
never heard the 250), which arrives twice at most."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, or_, select, update

import admin_core
from admin_core.context import EXTENSION, Core
from admin_core.database import Database
from admin_core.models import OutboundMail
from admin_core.services import mail_queue, utcnow

from .conftest import SECRET, deliver_mail, make_config
from .smtp import Inbox, free_port, start_smtp

pytestmark = pytest.mark.both_backends  # the queue's claims and leases (SKIP LOCKED on PostgreSQL)

QUEUED = 100
ROUNDS = 20  # `send-mail --once` runs before giving up; a batch is 20 messages today


def queue(core: Core, count: int = QUEUED) -> list[str]:
    subjects = [f"Drill {number:03d}" for number in range(count)]
    for number, subject in enumerate(subjects):
        mail_queue.enqueue(
            core.db, core.mail_seal, f"guest{number}@example.com", subject, f"Message {number}"
        )
    return subjects


def point_at(core_app: Flask, core: Core, port: int, **settings: Any) -> None:
    core_app.config.update(MAIL_PORT=port, **settings)
    core.mail.init_app(core_app)


def due(core: Core) -> int:
    now = utcnow()
    with core.db.read() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(OutboundMail)
                .where(
                    OutboundMail.sent_at.is_(None),
                    OutboundMail.failed_at.is_(None),
                    OutboundMail.next_attempt_at <= now,
                    or_(OutboundMail.locked_until.is_(None), OutboundMail.locked_until <= now),
                )
            )
            or 0
        )


def send_until_nothing_due(core_app: Flask, core: Core) -> int:
    """`send-mail --once` until nothing is due (one run or several, whatever a run delivers): runs."""
    for run in range(1, ROUNDS + 1):
        deliver_mail(core_app)
        if not due(core):
            return run
    raise AssertionError(f"still {due(core)} messages due after {ROUNDS} runs of send-mail --once")


def time_passes(core: Core) -> None:
    """The retries' back-off elapses: every waiting message is due now."""
    with core.db.write() as session:
        session.execute(
            update(OutboundMail)
            .where(OutboundMail.sent_at.is_(None), OutboundMail.failed_at.is_(None))
            .values(next_attempt_at=utcnow())
        )


def rows(core: Core) -> list[OutboundMail]:
    with core.db.read() as session:
        return list(session.scalars(select(OutboundMail).order_by(OutboundMail.id)))


def received(inbox: Inbox) -> Counter[str]:
    return Counter(str(message["Subject"]) for message in inbox.messages)


def test_smtp_down_while_100_are_queued_then_each_is_delivered_once(core_app: Flask, core: Core) -> None:
    subjects = queue(core)
    down = free_port()  # nothing listens there
    point_at(core_app, core, down)
    before = utcnow()

    send_until_nothing_due(core_app, core)

    waiting = rows(core)
    assert len(waiting) == QUEUED
    for message in waiting:
        assert message.sent_at is None and message.failed_at is None and message.attempts == 1
        assert message.next_attempt_at >= before + mail_queue.FIRST_RETRY
        assert "ConnectionRefusedError" in (message.last_error or "")

    inbox, stop = start_smtp(down)
    try:
        assert due(core) == 0
        deliver_mail(core_app)  # SMTP is back, but nothing is due before its time
        assert inbox.messages == []
        time_passes(core)
        send_until_nothing_due(core_app, core)
    finally:
        stop()
    assert received(inbox) == Counter(subjects)
    assert len({message["Message-ID"] for message in inbox.messages}) == QUEUED
    assert all(message.sent_at is not None and message.attempts == 2 for message in rows(core))


class Greylisting(Inbox):
    """Answers 451 to every recipient's first try and 550 to the unknown ones."""

    def __init__(self, port: int) -> None:
        super().__init__(port)
        self.tried: set[str] = set()

    async def handle_RCPT(
        self, _server: Any, _session: Any, envelope: Any, address: str, _options: Any
    ) -> str:
        if address.startswith("unknown"):
            return "550 5.1.1 No such user"
        if address not in self.tried:
            self.tried.add(address)
            return "451 4.7.1 Greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_temporary_refusal_is_retried_and_only_a_permanent_one_stops(core_app: Flask, core: Core) -> None:
    subjects = queue(core, 10)
    mail_queue.enqueue(core.db, core.mail_seal, "unknown@example.com", "Nobody", "Body")
    inbox, stop = start_smtp(inbox=Greylisting(free_port()))
    point_at(core_app, core, inbox.port)
    try:
        send_until_nothing_due(core_app, core)
        assert inbox.messages == []
        *greylisted, unknown = rows(core)
        assert unknown.failed_at is not None and "550" in (unknown.last_error or "")
        for message in greylisted:
            assert message.failed_at is None and message.sent_at is None
            assert "451" in (message.last_error or "")

        time_passes(core)
        send_until_nothing_due(core_app, core)
    finally:
        stop()
    assert received(inbox) == Counter(subjects)
    assert [message.sent_at is not None for message in rows(core)] == [True] * 10 + [False]


class Crashing(Inbox):
    """Accepts `accept` messages, then loses the connection once: before the next message's
    data (`after_data=False`) or after taking it in, before the 250 (`after_data=True`)."""

    def __init__(self, port: int, accept: int, after_data: bool) -> None:
        super().__init__(port)
        self.accept = accept
        self.after_data = after_data
        self.crashed = False

    def _crash(self, server: Any) -> bool:
        if self.crashed or len(self.messages) < self.accept:
            return False
        self.crashed = True
        server.transport.abort()
        return True

    async def handle_MAIL(
        self, server: Any, _session: Any, envelope: Any, address: str, _options: Any
    ) -> str:
        if not self.after_data and self._crash(server):
            return "421 going away"
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.after_data:
            self._crash(server)
        return await super().handle_DATA(server, session, envelope)


def test_smtp_dying_before_a_message_delivers_nothing_twice(core_app: Flask, core: Core) -> None:
    subjects = queue(core)
    inbox, stop = start_smtp(inbox=Crashing(free_port(), accept=7, after_data=False))
    point_at(core_app, core, inbox.port)
    try:
        send_until_nothing_due(core_app, core)
        # The lost connection holds back the message it carried; the next one connects again.
        assert inbox.crashed
        assert [message.subject for message in rows(core) if message.sent_at is None] == ["Drill 007"]
        time_passes(core)
        send_until_nothing_due(core_app, core)
    finally:
        stop()
    assert received(inbox) == Counter(subjects)
    assert all(message.sent_at is not None for message in rows(core))


def test_smtp_dying_after_taking_a_message_in_delivers_that_one_twice_at_most(
    core_app: Flask, core: Core
) -> None:
    subjects = queue(core)
    inbox, stop = start_smtp(inbox=Crashing(free_port(), accept=7, after_data=True))
    point_at(core_app, core, inbox.port)
    try:
        send_until_nothing_due(core_app, core)
        time_passes(core)
        send_until_nothing_due(core_app, core)
    finally:
        stop()
    counts = received(inbox)
    assert set(counts) == set(subjects)
    assert [subject for subject, count in counts.items() if count > 1] == ["Drill 007"]
    twice = [message["Message-ID"] for message in inbox.messages if message["Subject"] == "Drill 007"]
    assert len(twice) == 2 and twice[0] == twice[1]  # the same message, as mail software can tell
    assert all(message.sent_at is not None for message in rows(core))


def test_an_smtp_server_that_never_answers_is_given_up_on_for_the_batch(
    core_app: Flask, core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host that takes the connection and says nothing (hung, or a firewall's black hole): the
    worker waits MAIL_TIMEOUT once, not forever and not once per message, and retries later."""
    queue(core, 10)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)  # the kernel completes the handshakes; nobody ever greets
        point_at(core_app, core, silent.getsockname()[1])
        monkeypatch.setattr(core, "settings", replace(core.settings, mail_timeout=1.0))
        started = time.monotonic()
        worker = threading.Thread(target=deliver_mail, args=(core_app,), daemon=True)
        worker.start()
        worker.join(timeout=20)
        hung = worker.is_alive()
    worker.join(timeout=10)  # closing the socket above frees a hung worker
    assert not hung, "send-mail still waits for a server that never answers"
    assert time.monotonic() - started < 6  # one wait of a second, not ten
    for message in rows(core):
        assert message.sent_at is None and message.failed_at is None and message.attempts == 1


class Slow(Inbox):
    """Takes a little while over each message, so that a worker is always in the middle of one."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(0.02)
        return await super().handle_DATA(server, session, envelope)


def test_a_mail_worker_killed_mid_batch_loses_nothing(
    database_url: str, committed_db: Database, tmp_path: Path
) -> None:
    """`core send-mail` SIGKILLed mid-batch: what it had claimed waits for its lease to run out,
    then goes; only the message on the wire at the kill can arrive twice."""
    inbox, stop = start_smtp(inbox=Slow(free_port()))
    core_app = admin_core.create_app(make_config(inbox), database=committed_db)
    core: Core = core_app.extensions[EXTENSION]
    subjects = queue(core)
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        "DATABASE_URL": database_url,
        "FLASK_SECRET_KEY": SECRET,
        "FLASK_SITE_URL": "http://127.0.0.1",
        "FLASK_TRUSTED_HOSTS": '["127.0.0.1"]',
        "FLASK_MAIL_PORT": str(inbox.port),
    }
    flask = Path(sys.executable).parent / "flask"
    with (tmp_path / "send-mail.log").open("wb") as log:
        worker = subprocess.Popen(
            [flask, "--app", "admin_core:create_app()", "core", "send-mail", "--interval", "0.1"],
            env=env,
            stdout=log,
            stderr=log,
        )
    try:
        deadline = time.monotonic() + 60
        while len(inbox.messages) < 30 and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.01)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        assert len(inbox.messages) >= 30, (tmp_path / "send-mail.log").read_text()
        waiting = [message for message in rows(core) if message.sent_at is None]
        assert waiting and all(message.failed_at is None for message in waiting)
        leased = len(waiting) - due(core)
        assert leased  # the dead worker's claims wait for their lease
        print(f"\nsend-mail killed after {len(inbox.messages)} sent; {len(waiting)} wait, {leased} leased")

        with core.db.write() as session:  # ... and the lease runs out
            session.execute(update(OutboundMail).values(locked_until=None))
        send_until_nothing_due(core_app, core)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=10)
        stop()
    counts = received(inbox)
    assert set(counts) == set(subjects)
    assert sum(counts.values()) - QUEUED <= 1
    assert all(message.sent_at is not None for message in rows(core))

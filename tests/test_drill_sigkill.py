"""Drill: a core worker is SIGKILLed in the middle of a burst of ledger operations. The tills send
what got no answer again, with the same Idempotency-Key. Afterwards every card's operations add
up to its balances, every idempotency record holds its response, every key was applied once, and
every 201 a till saw is in the ledger. PostgreSQL only: it is the production database, and the
core runs here as in production, under gunicorn, in processes of its own."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, or_, select, text

import admin_core
from admin_core.context import EXTENSION
from admin_core.database import Database
from admin_core.demo import load_demo
from admin_core.models import Card, IdempotencyRecord, Operation

from .conftest import SECRET
from .smtp import free_port

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
WORKERS = 2
CARDS = ("7000100001", "7000100002", "7000100003")
KEYS = 150  # distinct operations
DOUBLED = 15  # of them sent twice, as by a till that resends
CLIENTS = 6
KILLS = 3  # at a quarter, half and three quarters of the burst
ATTEMPTS = 6  # a till's first try and its retries
DEADLINE = 120.0  # seconds for the whole burst


@dataclass(frozen=True)
class Planned:
    key: str
    card: str
    kind: str
    amount: int

    def deltas(self) -> tuple[int, int]:
        return {
            "earn_points": (self.amount, 0),
            "redeem_points": (-self.amount, 0),
            "topup_credit": (0, self.amount),
        }[self.kind]


@dataclass
class Answer:
    planned: Planned
    status: int | None = None
    body: dict[str, Any] = field(default_factory=dict)
    replayed: bool = False
    cut: list[str] = field(default_factory=list)  # why tries got no answer (the worker died, or we gave up)


def plan() -> list[Planned]:
    """Anna (1,250 points) also redeems a few; the others only earn and top up, so nothing is
    refused and every key must end applied."""
    kinds = {0: ("earn_points", "topup_credit", "redeem_points"), 1: ("earn_points", "topup_credit")}
    planned = []
    for number in range(KEYS):
        card = number % len(CARDS)
        choices = kinds[min(card, 1)]
        planned.append(
            Planned(f"drill-{number:04d}", CARDS[card], choices[number // 3 % len(choices)], 1 + number % 7)
        )
    return planned


def workers(master: int) -> set[int]:
    """The living children of gunicorn's master, from /proc."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, parent = stat.read_text().rsplit(")", 1)[1].split()[:2]
        except OSError:
            continue
        if int(parent) == master and state != "Z":
            found.add(int(stat.parent.name))
    return found


def socket_ports(pid: int) -> set[int]:
    """The local TCP ports of a process's sockets, from /proc (its database connections among them)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").glob("*"):
        with suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    ports = set()
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def in_a_transaction(db: Database, candidates: set[int]) -> int | None:
    """One of the worker processes `candidates` whose database session is inside a transaction that
    has written (PostgreSQL's view of its connections, matched to the workers' sockets)."""
    with db.read() as session:
        busy = set(
            session.scalars(
                text(
                    "SELECT client_port FROM pg_stat_activity WHERE datname = current_database()"
                    " AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
                )
            )
        )
    for pid in sorted(candidates):
        with suppress(OSError):
            if socket_ports(pid) & busy:
                return pid
    return None


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {seconds:.0f} s")
        time.sleep(0.05)


@contextmanager
def gunicorn(database_url: str, log: Path, api_key: str) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """The core alone under gunicorn on a free loopback port, with production settings."""
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "FLASK_SECRET_KEY": SECRET,
        "FLASK_SITE_URL": "http://127.0.0.1",
        "FLASK_TRUSTED_HOSTS": '["127.0.0.1"]',
        "FLASK_PASSWORD_HASH_FAST": "true",
    }
    command = [GUNICORN, "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "5"]
    with log.open("wb") as output:
        master = subprocess.Popen(
            [*command, "admin_core:create_app()"], cwd=ROOT, env=env, stdout=output, stderr=output
        )
    base_url = f"http://127.0.0.1:{port}/api/v1"
    try:

        def answers() -> bool:
            assert master.poll() is None, log.read_text()
            try:
                response = httpx.get(f"{base_url}/cards/{CARDS[0]}", headers=auth(api_key), timeout=2)
            except httpx.TransportError:
                return False
            return response.status_code == 200

        wait_for(answers, 60, "gunicorn answering")
        wait_for(lambda: len(workers(master.pid)) == WORKERS, 60, "both workers starting")
        yield master, base_url
    finally:
        master.terminate()
        try:
            master.wait(timeout=20)
        except subprocess.TimeoutExpired:
            for pid in workers(master.pid):
                os.kill(pid, signal.SIGKILL)
            master.kill()
            master.wait(timeout=10)


def auth(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}


def send(client: httpx.Client, base_url: str, planned: Planned) -> Answer:
    """A till: the operation, and again with the same key while no answer comes (up to ATTEMPTS)."""
    answer = Answer(planned)
    for _ in range(ATTEMPTS):
        try:
            response = client.post(
                f"{base_url}/cards/{planned.card}/operations",
                json={"kind": planned.kind, "amount": planned.amount, "store": "MAIN"},
                headers={"Idempotency-Key": planned.key},
            )
        except httpx.TransportError as error:
            answer.cut.append(type(error).__name__)
            time.sleep(0.2)
            continue
        answer.status, answer.body = response.status_code, response.json()
        answer.replayed = response.headers.get("Idempotent-Replayed") == "true"
        if response.status_code < 500:
            break
    return answer


def ledger(db: Database) -> tuple[dict[str, tuple[int, int, int]], dict[str, tuple[int, int, int]]]:
    """Every card's (points, credit, discount): as materialised, and as its operations add up."""
    with db.read() as session:
        balances = {
            card.number: (card.points, card.credit, card.discount) for card in session.scalars(select(Card))
        }
        sums = {
            number: (int(points), int(credit), int(discount))
            for number, points, credit, discount in session.execute(
                select(
                    Card.number,
                    func.coalesce(func.sum(Operation.points), 0),
                    func.coalesce(func.sum(Operation.credit), 0),
                    func.coalesce(func.sum(Operation.discount), 0),
                )
                .outerjoin(Operation, Operation.card_id == Card.id)
                .group_by(Card.number)
            )
        }
    return balances, sums


class Burst:
    """Tills sending `sends` from CLIENTS threads while a killer SIGKILLs a worker at each
    quarter of the burst: one caught inside a writing transaction if one is within a second."""

    def __init__(self, db: Database, master: int, base_url: str, api_key: str, sends: list[Planned]) -> None:
        self.db, self.master, self.base_url, self.api_key = db, master, base_url, api_key
        self.sends = sends
        self.queue = iter(sends)
        self.started = 0
        self.lock = threading.Lock()
        self.killed: list[int] = []
        self.caught = 0  # kills that found their worker inside a writing transaction

    def run(self) -> list[Answer]:
        with ThreadPoolExecutor(CLIENTS + 1) as pool:
            killing = pool.submit(self.kill)
            answers = [answer for batch in pool.map(self.till, range(CLIENTS)) for answer in batch]
            killing.result(timeout=DEADLINE)
        return answers

    def till(self, _: int) -> list[Answer]:
        answers = []
        with httpx.Client(headers=auth(self.api_key), timeout=10) as client:
            while True:
                with self.lock:
                    planned = next(self.queue, None)
                    self.started += 1
                if planned is None:
                    return answers
                answers.append(send(client, self.base_url, planned))

    def kill(self) -> None:
        for kill in range(1, KILLS + 1):
            due = len(self.sends) * kill // (KILLS + 1)
            wait_for(lambda due=due: self.started >= due, DEADLINE, "the burst")
            wait_for(lambda: bool(workers(self.master) - set(self.killed)), 30, "a worker to kill")
            living = workers(self.master) - set(self.killed)
            deadline = time.monotonic() + 1
            victim = None
            while victim is None and time.monotonic() < deadline:
                victim = in_a_transaction(self.db, living)
            self.caught += victim is not None
            victim = victim or random.Random(kill).choice(sorted(living))
            os.kill(victim, signal.SIGKILL)
            self.killed.append(victim)


def stored_responses(db: Database) -> dict[str, dict[str, Any]]:
    """The drill's idempotency records, by key; none may be half-written (claimed, no response)."""
    with db.read() as session:
        half_written = session.scalar(
            select(func.count())
            .select_from(IdempotencyRecord)
            .where(or_(IdempotencyRecord.status_code.is_(None), IdempotencyRecord.response_body.is_(None)))
        )
        assert half_written == 0
        return {
            record.key: json.loads(record.response_body or "")
            for record in session.scalars(
                select(IdempotencyRecord).where(IdempotencyRecord.key.like("drill-%"))
            )
        }


def test_a_worker_killed_mid_burst_loses_nothing_and_applies_nothing_twice(
    database_url: str, committed_db: Database, tmp_path: Path
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the SIGKILL drill runs the core under gunicorn on PostgreSQL, the production database")
    core_app = admin_core.create_app({"TESTING": True, "SECRET_KEY": SECRET}, database=committed_db)
    api_key = load_demo(core_app.extensions[EXTENSION], SECRET)["api_key"]
    before, sums = ledger(committed_db)
    assert sums == before, "the demo's ledger does not add up before the drill"
    with committed_db.read() as session:
        last_operation = session.scalar(select(func.max(Operation.id))) or 0
    planned = plan()
    sends = planned + random.Random(7).sample(planned, DOUBLED)
    random.Random(11).shuffle(sends)

    with gunicorn(database_url, tmp_path / "gunicorn.log", api_key) as (master, base_url):
        burst = Burst(committed_db, master.pid, base_url, api_key, sends)
        answers = burst.run()
        wait_for(
            lambda: len(workers(master.pid) - set(burst.killed)) == WORKERS,
            60,
            "the master respawning workers",
        )

    cut = [answer for answer in answers if answer.cut]
    print(
        f"\nsent {len(sends)} ({KEYS} keys, {DOUBLED} of them twice) from {CLIENTS} tills; killed "
        f"{len(burst.killed)} workers, {burst.caught} inside a writing transaction; {len(cut)} requests cut "
        f"mid-flight ({dict(Counter(e for a in answers for e in a.cut))}), retried, "
        f"{sum(a.replayed for a in cut)} of them answered by a replay (their first try was applied)"
    )
    assert len(burst.killed) == KILLS
    assert cut, "no request was in flight when the workers died: the drill drilled nothing"
    assert Counter(answer.status for answer in answers) == {201: len(sends)}

    after, sums = ledger(committed_db)
    assert sums == after  # Σ operations = balances, on every card
    responses = stored_responses(committed_db)
    assert set(responses) == {p.key for p in planned}
    with committed_db.read() as session:
        new_operations = set(session.scalars(select(Operation.id).where(Operation.id > last_operation)))
    applied = Counter(response["operation"]["id"] for response in responses.values())
    assert set(applied) == new_operations and set(applied.values()) == {1}  # each key applied once
    for answer in answers:  # every 201 a till saw is its key's one operation, in the ledger
        assert answer.body == responses[answer.planned.key]
    for number in CARDS:
        points = sum(p.deltas()[0] for p in planned if p.card == number)
        credit = sum(p.deltas()[1] for p in planned if p.card == number)
        assert after[number][:2] == (before[number][0] + points, before[number][1] + credit)
        print(f"{number}: (points, credit) {before[number][:2]} → {after[number][:2]}")

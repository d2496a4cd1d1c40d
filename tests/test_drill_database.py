"""Drill: the database goes away for a moment while the apps run, and comes back. Meanwhile the
portal, the staff UI and the API answer 503 ("back in a moment", as a page or the JSON error),
never a 500; a ledger operation cut off by the outage, even in the middle of its COMMIT, is
either absent or complete, and sending it again once the database is back applies it once.
Afterwards the same apps, not restarted, answer 200 again. PostgreSQL, the production database:
the outage is a proxy the apps' DATABASE_URL goes through (tests.pg_outage), cut and restored,
while the machine's server runs on for everyone else."""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

import admin_core
import composition
from admin_core.context import EXTENSION
from admin_core.database import CONNECT_TIMEOUT, Database
from admin_core.demo import load_demo
from admin_core.models import Card, IdempotencyRecord, Operation

from .conftest import SECRET, login, make_config
from .pg_outage import Outage
from .smtp import Inbox, free_port
from .test_split_deployment import start
from .test_staff import log_in

ANNA, PASSWORD = "7000100001", "demo-password"
RECOVERY = 30.0  # seconds the apps may take to answer again once the database is back
ROUNDS = 5  # rounds of requests during the outage


@dataclass
class Running:
    """The apps on the proxied database, and who uses them: a customer, a staff member, a till."""

    database: Database  # the test's own connection, not through the proxy
    site: Flask
    customer: FlaskClient
    staff: FlaskClient
    api: FlaskClient
    api_key: str

    def pages(self) -> dict[str, Any]:
        """The portal's dashboard, the staff UI's till, the API's card: each one's response."""
        return {
            "portal": self.customer.get("/p/demo/"),
            "staff": self.staff.get("/"),
            "api": self.api.get(f"/api/v1/cards/{ANNA}", headers=self.auth()),
        }

    def auth(self, key: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.api_key}"}
        return {**headers, "Idempotency-Key": key} if key else headers

    def earn(self, key: str, amount: int = 25) -> Any:
        return self.api.post(
            f"/api/v1/cards/{ANNA}/operations",
            json={"kind": "earn_points", "amount": amount, "store": "MAIN"},
            headers=self.auth(key),
        )

    def ledger(self, key: str) -> tuple[int, int, dict[str, Any] | None]:
        """Anna's points, her operations, and what the key's record stored (None: no record)."""
        with self.database.read() as session:
            card = session.scalars(select(Card).where(Card.number == ANNA)).one()
            count = session.scalar(
                select(func.count()).select_from(Operation).where(Operation.card_id == card.id)
            )
            record = session.scalars(
                select(IdempotencyRecord).where(IdempotencyRecord.key == key)
            ).one_or_none()
            stored = None
            if record is not None:
                assert record.status_code == 201 and record.response_body  # complete, not half-written
                stored = json.loads(record.response_body)
            return card.points, count or 0, stored


@pytest.fixture
def outage(database_url: str) -> Iterator[tuple[Outage, str]]:
    """The proxy, and the database URL through it."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the database drill cuts a PostgreSQL connection, the production database's")
    url = make_url(database_url)
    proxy = Outage((url.host or "127.0.0.1", url.port or 5432))
    yield proxy, url.set(port=proxy.port).render_as_string(hide_password=False)
    proxy.close()


@pytest.fixture
def running(outage: tuple[Outage, str], committed_db: Database, inbox: Inbox) -> Iterator[Running]:
    _, proxied = outage
    loader = admin_core.create_app(make_config(inbox), database=committed_db)
    api_key = load_demo(loader.extensions[EXTENSION], SECRET)["api_key"]
    database = Database.from_url(proxied)
    core_app = admin_core.create_app(make_config(inbox), database=database)
    site = composition.create_app(make_config(inbox), core_app=core_app)
    customer, staff = site.test_client(), core_app.test_client()
    assert login(customer, ANNA, PASSWORD).status_code == 302
    assert log_in(staff, "admin@demo.example").status_code == 302
    yield Running(committed_db, site, customer, staff, core_app.test_client(), api_key)
    database.dispose()


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> float:
    """Seconds it took."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            raise AssertionError(f"{what} did not happen within {seconds:.0f} s")
        time.sleep(0.1)
    return time.monotonic() - started


def statuses(answers: dict[str, Any]) -> dict[str, int]:
    return {name: answer.status_code for name, answer in answers.items()}


def assert_back_in_a_moment(answers: dict[str, Any]) -> None:
    assert statuses(answers) == {"portal": 503, "staff": 503, "api": 503}
    assert "Back in a moment" in answers["portal"].text and "Back in a moment" in answers["staff"].text
    assert answers["api"].json["error"]["code"] == "unavailable" and answers["api"].headers["Retry-After"]


def recover(proxy: Outage, running: Running) -> float:
    """The database back: seconds until every part answers 200 again."""
    proxy.restore()
    up = {"portal": 200, "staff": 200, "api": 200}
    return wait_for(lambda: statuses(running.pages()) == up, RECOVERY, "every part answering 200")


def test_the_database_gone_for_a_moment(outage: tuple[Outage, str], running: Running) -> None:
    proxy, _ = outage
    assert statuses(running.pages()) == {"portal": 200, "staff": 200, "api": 200}
    points, operations, _ = running.ledger("drill-outage")

    proxy.cut()
    seen: list[int] = []
    for _ in range(ROUNDS):
        answers = running.pages()
        assert_back_in_a_moment(answers)
        posted = running.earn("drill-outage")
        assert posted.status_code == 503 and posted.json["error"]["code"] == "unavailable"
        seen += [*statuses(answers).values(), posted.status_code]
    assert running.ledger("drill-outage") == (points, operations, None)  # nothing written

    took = recover(proxy, running)
    print(f"\ndatabase gone: {len(seen)} requests, answered {sorted(set(seen))}; back in {took:.2f} s")
    applied = running.earn("drill-outage")
    assert applied.status_code == 201 and applied.headers["Idempotent-Replayed"] == "false"
    replayed = running.earn("drill-outage")
    assert replayed.status_code == 201 and replayed.headers["Idempotent-Replayed"] == "true"
    assert running.ledger("drill-outage") == (points + 25, operations + 1, applied.json)


@pytest.mark.parametrize("commit_arrives", [False, True], ids=["commit-lost", "answer-lost"])
def test_an_operation_cut_off_in_its_commit(
    outage: tuple[Outage, str], running: Running, commit_arrives: bool
) -> None:
    """The database goes away as the operation's transaction commits: before the COMMIT reaches
    it (nothing was written) or after (all was, and only the answer is lost)."""
    proxy, _ = outage
    points, operations, _ = running.ledger("drill-commit")
    proxy.cut_at(b"COMMIT", after=b"INSERT INTO operations", passed_on=commit_arrives)
    cut = running.earn("drill-commit", amount=7)
    assert proxy.tripped.is_set()
    assert cut.status_code == 503 and cut.json["error"]["code"] == "unavailable"
    assert_back_in_a_moment(running.pages())
    if commit_arrives:  # the server may still be committing what it was sent as the app hears of the cut
        wait_for(lambda: running.ledger("drill-commit")[2] is not None, 10, "the COMMIT sent taking effect")
    _, _, stored = after_cut = running.ledger("drill-commit")
    if commit_arrives:
        assert after_cut == (points + 7, operations + 1, stored) and stored is not None
    else:
        assert after_cut == (points, operations, None)

    took = recover(proxy, running)
    print(f"\ncut in the commit ({'answer' if commit_arrives else 'commit'} lost); back in {took:.2f} s")
    again = running.earn("drill-commit", amount=7)
    assert again.status_code == 201
    assert (again.headers.get("Idempotent-Replayed") == "true") is commit_arrives
    assert running.ledger("drill-commit") == (points + 7, operations + 1, again.json)


def test_an_outage_while_nobody_asked(outage: tuple[Outage, str], running: Running) -> None:
    """The database went and came back between two requests: the pool's connections died with it,
    and the first requests after must not be answered with them (the pool pings before lending)."""
    proxy, _ = outage
    for _ in range(3):
        assert statuses(running.pages()) == {"portal": 200, "staff": 200, "api": 200}
    proxy.cut()
    proxy.restore()
    assert statuses(running.pages()) == {"portal": 200, "staff": 200, "api": 200}
    applied = running.earn("drill-unnoticed")
    assert applied.status_code == 201 and applied.headers["Idempotent-Replayed"] == "false"


def http_form(browser: httpx.Client, url: str, data: dict[str, str]) -> httpx.Response:
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', browser.get(url).text)
    assert token, url
    return browser.post(url, data={"csrf_token": token.group(1), **data})


UP = {"portal": 200, "staff": 200, "api": 200, "operation": 201}


@dataclass
class Visitors:
    """A logged-in customer and staff member and a till, each request on a new connection (either
    worker answers it)."""

    base: str
    api_key: str
    customer: httpx.Cookies
    staff: httpx.Cookies

    def round_trip(self, key: str) -> dict[str, int]:
        """The portal's dashboard, the staff UI's till, the API's card and an operation under `key`."""
        api = {"Authorization": f"Bearer {self.api_key}"}
        operation = {"kind": "earn_points", "amount": 5, "store": "MAIN"}
        answers = {
            "portal": self.send("GET", "/p/demo/", cookies=self.customer),
            "staff": self.send("GET", "/core/", cookies=self.staff),
            "api": self.send("GET", f"/core/api/v1/cards/{ANNA}", headers=api),
            "operation": self.send(
                "POST",
                f"/core/api/v1/cards/{ANNA}/operations",
                headers={**api, "Idempotency-Key": key},
                json=operation,
            ),
        }
        for name in ("api", "operation"):
            if answers[name].status_code == 503:
                assert answers[name].json()["error"]["code"] == "unavailable"
        return {name: answer.status_code for name, answer in answers.items()}

    def send(self, method: str, path: str, **options: Any) -> httpx.Response:
        with httpx.Client(base_url=self.base, timeout=10, cookies=options.pop("cookies", None)) as fresh:
            return fresh.request(method, path, **options)


def logged_in(base: str, url: str, data: dict[str, str]) -> httpx.Cookies:
    with httpx.Client(base_url=base, timeout=10) as browser:
        assert http_form(browser, url, data).status_code == 302
        return browser.cookies


def test_the_database_gone_for_a_moment_under_gunicorn(
    outage: tuple[Outage, str], committed_db: Database, inbox: Inbox
) -> None:
    """The embedded deployment as in production: gunicorn, two workers, each with its own pool."""
    proxy, proxied = outage
    loader = admin_core.create_app(make_config(inbox), database=committed_db)
    api_key = load_demo(loader.extensions[EXTENSION], SECRET)["api_key"]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": proxied,
        "FLASK_SECRET_KEY": SECRET,
        "FLASK_SITE_URL": base,
        "FLASK_TRUSTED_HOSTS": '["127.0.0.1"]',
        "FLASK_SESSION_COOKIE_SECURE": "false",
        "FLASK_PASSWORD_HASH_FAST": "true",
        "FLASK_MAIL_PORT": str(inbox.port),
    }
    server = start("wsgi:app", port, env, "/p/demo/login")
    try:
        visitors = Visitors(
            base,
            api_key,
            logged_in(base, "/p/demo/login", {"card": ANNA, "password": PASSWORD}),
            logged_in(
                base,
                "/core/login",
                {"merchant": "demo", "email": "admin@demo.example", "password": "demo-staff-password"},
            ),
        )
        assert visitors.round_trip("drill-gunicorn-before") == UP
        proxy.cut()
        seen = Counter(
            status for _ in range(ROUNDS) for status in visitors.round_trip("drill-gunicorn").values()
        )
        assert seen == {503: 4 * ROUNDS}
        proxy.restore()
        took = wait_for(lambda: visitors.round_trip("drill-gunicorn") == UP, RECOVERY, "the site answering")
        for _ in range(4):  # whichever worker answers, its pool has healed
            assert visitors.round_trip("drill-gunicorn") == UP
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"\ngunicorn, database gone: {seen.total()} requests, answered {dict(seen)}; back in {took:.2f} s")
    with committed_db.read() as session:
        records = select(func.count()).select_from(IdempotencyRecord)
        assert session.scalar(records.where(IdempotencyRecord.key == "drill-gunicorn")) == 1


def test_a_database_that_does_not_answer_is_not_waited_for(
    outage: tuple[Outage, str], running: Running
) -> None:
    """The server takes the connection and says nothing: the customer's page says "back in a
    moment" within seconds, instead of holding them (and the server's worker) until it answers.
    The portal's page stands for all three parts: they share the core's engine."""
    proxy, _ = outage
    proxy.silence()
    answers: list[Any] = []
    asking = threading.Thread(target=lambda: answers.append(running.customer.get("/p/demo/")), daemon=True)
    started = time.monotonic()
    asking.start()
    asking.join(timeout=3 * CONNECT_TIMEOUT)
    took = time.monotonic() - started
    back = recover(proxy, running)
    asking.join(timeout=10)
    print(
        f"\ndatabase silent: the page answered {answers[0].status_code} in {took:.1f} s; back in {back:.2f} s"
    )
    assert took < 2 * CONNECT_TIMEOUT
    assert answers[0].status_code == 503 and "Back in a moment" in answers[0].text

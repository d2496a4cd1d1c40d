"""Drill: the Redis that holds the site's throttling counters stops, and starts again. Meanwhile the
pages and forms still answer (no 500), each process counting in its own memory, and the server's
log says so; once Redis answers again the processes share its counters again. A Redis of the
test's own, on a free loopback port, stands for production's: the machine's is left alone."""

from __future__ import annotations

import logging
import shutil
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

import composition

from .conftest import login, make_config
from .smtp import Inbox, free_port

ANNA, INGRID, PROBE = (
    "7000100001",
    "7000100003",
    "1234567890",
)  # PROBE: no such card, 401 like a wrong password
PASSWORD = "demo-password"
FAILURES = "3 per hour"
RECOVERY = 45.0  # seconds: Flask-Limiter looks at a dead storage again after 1, 2, 4… 32 s


class RedisServer:
    """`redis-server` on a free loopback port, nothing persisted; stopped and started at will."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for(self.answers, 10, "redis-server answering")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def answers(self) -> bool:
        try:
            with redis.Redis.from_url(self.url, socket_timeout=1) as server:
                return bool(server.ping())
        except redis.RedisError:
            return False

    def keys(self, prefix: str) -> list[bytes]:
        with redis.Redis.from_url(self.url, socket_timeout=1) as server:
            return list(server.scan_iter(match=f"*{prefix}*"))


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> float:
    """Seconds it took."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            raise AssertionError(f"{what} did not happen within {seconds:.0f} s")
        time.sleep(0.1)
    return time.monotonic() - started


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer()
    server.start()
    yield server
    if server.process is not None and server.process.poll() is None:
        server.process.send_signal(signal.SIGCONT)  # a paused one would not hear the terminate
    server.stop()


def sites(core_app: Flask, inbox: Inbox, url: str, count: int = 2) -> tuple[list[Flask], str]:
    """`count` site processes sharing the counters in Redis at `url` (and a prefix of their own)."""
    prefix = f"drill-{uuid.uuid4().hex[:8]}"
    settings = {
        "RATELIMIT_STORAGE_URI": url,
        "RATELIMIT_KEY_PREFIX": prefix,
        "RATELIMIT_LOGIN_FAILURES_PER_CARD": FAILURES,
        "RATELIMIT_LOGIN_PER_IP": "1000 per minute",  # every probe comes from 127.0.0.1
    }
    return [
        composition.create_app(make_config(inbox, **settings), core_app=core_app) for _ in range(count)
    ], prefix


def fail(app: Flask, number: str, times: int = 1) -> None:
    for _ in range(times):
        assert login(app.test_client(), number, "not-the-password").status_code == 401


def logged_in(app: Flask, number: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, number, PASSWORD).status_code == 302
    return client


def test_redis_stopping_and_starting_again(
    core_app: Flask,
    inbox: Inbox,
    demo: dict[str, Any],
    redis_server: RedisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    (first, second), prefix = sites(core_app, inbox, redis_server.url)
    anna = logged_in(first, ANNA)
    fail(first, INGRID, 2)
    fail(second, INGRID)
    assert login(first.test_client(), INGRID, PASSWORD).status_code == 429  # counted in Redis, by both
    assert login(second.test_client(), INGRID, PASSWORD).status_code == 429

    redis_server.stop()
    caplog.set_level(logging.WARNING)
    answers = []
    for app in (first, second):
        answers += [app.test_client().get("/p/demo/login").status_code, anna.get("/p/demo/").status_code]
    fail(first, ANNA, 3)  # first counts alone, in its memory, and locks Anna there...
    answers.append(login(first.test_client(), ANNA, PASSWORD).status_code)
    answers.append(login(second.test_client(), ANNA, PASSWORD).status_code)  # ...second has not counted them
    fail(second, PROBE, 3)
    answers.append(login(second.test_client(), PROBE, PASSWORD).status_code)
    assert answers == [200, 200, 200, 200, 429, 302, 429]
    warnings = [
        r for r in caplog.records if r.levelno == logging.WARNING and "storage unreachable" in r.message
    ]
    assert len(warnings) == 2  # once per process, at the switch
    print(
        f"\nRedis stopped: {len(answers) + 6} requests, answered {sorted(set(answers))};"
        f" {len(warnings)} warnings"
    )

    redis_server.start()  # empty: nothing was persisted
    for app in (first, second):
        before = len(redis_server.keys(prefix))

        def counts_in_redis(app: Flask = app, before: int = before) -> bool:
            fail(app, f"99{uuid.uuid4().int % 10**8:08d}")  # a card of its own: one new key when in Redis
            return len(redis_server.keys(prefix)) > before

        took = wait_for(counts_in_redis, RECOVERY, "the site counting in Redis again")
        print(f"back on Redis after {took:.1f} s")
    fail(first, INGRID, 2)
    fail(second, INGRID)
    assert login(first.test_client(), INGRID, PASSWORD).status_code == 429
    assert login(second.test_client(), INGRID, PASSWORD).status_code == 429


def test_redis_stopping_while_a_login_is_checked(
    core_app: Flask, inbox: Inbox, demo: dict[str, Any], redis_server: RedisServer
) -> None:
    """Redis answered the check before the password was looked at, and is gone when the failure is
    counted, after it: the customer still gets the page."""
    ((site,), _) = sites(core_app, inbox, redis_server.url, count=1)
    stopped = []

    @site.after_request  # runs before the limiter's, which was registered first
    def redis_dies(response: Any) -> Any:
        if not stopped:
            stopped.append(redis_server.stop())
        return response

    answer = login(site.test_client(), ANNA, "not-the-password")
    assert stopped and answer.status_code == 401
    fail(site, ANNA, 2)  # then in memory, from the next attempt
    assert login(site.test_client(), ANNA, PASSWORD).status_code == 429


def test_redis_not_answering_holds_no_page_for_long(
    core_app: Flask, inbox: Inbox, demo: dict[str, Any], redis_server: RedisServer
) -> None:
    """A Redis that takes connections and says nothing (paused, cut off by the network): each form
    waits a moment, never for ever, then counts in memory."""
    ((site,), _) = sites(core_app, inbox, redis_server.url, count=1)
    fail(site, INGRID)  # connected to Redis
    assert redis_server.process is not None
    redis_server.process.send_signal(signal.SIGSTOP)
    attempts = ["wrong"] * 3 + [PASSWORD]
    answers: list[int] = []
    sending = threading.Thread(
        target=lambda: answers.extend(login(site.test_client(), ANNA, p).status_code for p in attempts),
        daemon=True,
    )
    started = time.monotonic()
    sending.start()
    sending.join(timeout=15)
    took = time.monotonic() - started
    redis_server.process.send_signal(signal.SIGCONT)
    sending.join(timeout=15)
    print(f"\n{len(attempts)} logins with Redis silent: {answers} in {took:.1f} s")
    assert took < 10 and answers == [401, 401, 401, 429]  # counted in memory

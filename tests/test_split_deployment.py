"""The split deployment: the core and the site as separate gunicorn processes talking real HTTP
(ADMIN_CORE_URL, a site key), two site workers sharing their throttling counters in Redis. A
customer logs in, sees the dashboard, takes a reward; a guest signs up on the Wi-Fi; end to end.
PostgreSQL only: the split deployment is production's shape."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

import admin_core
from admin_core.context import EXTENSION
from admin_core.database import Database
from admin_core.demo import load_demo
from admin_core.models import HotspotKind
from admin_core.services.merchants import create_api_key

from .conftest import SECRET, make_config
from .simulators.meraki import Meraki
from .smtp import Inbox
from .wifi_venue import Phone, Venue

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
ANNA, PASSWORD = "7000100001", "demo-password"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(app: str, port: int, env: dict[str, str], ready: str) -> subprocess.Popen[bytes]:
    """gunicorn with 2 workers, once both its workers answer `ready` (booting takes seconds)."""
    process = subprocess.Popen(
        [GUNICORN, "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app],
        cwd=ROOT,
        env=env,
    )
    deadline, answered = time.monotonic() + 90, 0
    while time.monotonic() < deadline and answered < 4:
        if process.poll() is not None:
            raise AssertionError(f"{app} stopped")
        try:
            with httpx.Client(timeout=30) as fresh:  # a new connection: either worker
                fresh.get(f"http://127.0.0.1:{port}{ready}").raise_for_status()
            answered += 1
        except httpx.HTTPError:
            time.sleep(0.2)
    if answered < 4:
        process.kill()
        process.wait()
        raise AssertionError(f"{app} did not answer on port {port}")
    return process


@pytest.fixture
def split(database_url: str, committed_db: Database, inbox: Inbox) -> Iterator[tuple[str, Venue]]:
    if not database_url.startswith("postgresql"):
        pytest.skip("the split deployment runs on PostgreSQL, production's database")
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis does not answer at 127.0.0.1:6379: {error}")
    core_app = admin_core.create_app(make_config(inbox), database=committed_db)
    core = core_app.extensions[EXTENSION]
    load_demo(core, SECRET)
    site_key = create_api_key(committed_db, None)
    core_port, site_port = free_port(), free_port()
    site_url = f"http://127.0.0.1:{site_port}"
    common = {
        **os.environ,
        "DATABASE_URL": database_url,
        "FLASK_SECRET_KEY": SECRET,
        "FLASK_SITE_URL": site_url,
        "FLASK_TRUSTED_HOSTS": '["127.0.0.1"]',
        "FLASK_SESSION_COOKIE_SECURE": "false",
        "FLASK_PASSWORD_HASH_FAST": "true",
        "FLASK_MAIL_SERVER": "127.0.0.1",
        "FLASK_MAIL_PORT": str(inbox.port),
    }
    site_env = {
        **common,
        "ADMIN_CORE_URL": f"http://127.0.0.1:{core_port}",
        "ADMIN_CORE_API_KEY": site_key,
        "FLASK_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        "FLASK_RATELIMIT_KEY_PREFIX": f"split-{uuid.uuid4().hex[:8]}",
        "FLASK_RATELIMIT_LOGIN_FAILURES_PER_CARD": "3 per 15 minutes",
        "FLASK_WIFI_MERAKI_DOMAINS": "127.0.0.1",
    }
    processes = [start("admin_core:create_app()", core_port, common, "/api/v1/openapi.json")]
    processes.append(start("wsgi:app", site_port, site_env, "/p/demo/login"))
    try:
        yield site_url, Venue(site_url, core)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def form(page: httpx.Response) -> dict[str, str]:
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    assert token, page.text
    return {"csrf_token": token.group(1)}


def log_in(browser: httpx.Client, password: str) -> httpx.Response:
    page = browser.get("/p/demo/login")
    return browser.post("/p/demo/login", data={**form(page), "card": ANNA, "password": password})


def test_a_customer_and_a_guest_end_to_end_over_http(split: tuple[str, Venue]) -> None:
    site_url, venue = split
    with httpx.Client(base_url=site_url, timeout=30) as browser:
        assert log_in(browser, PASSWORD).headers["location"] == "/p/demo/"
        dashboard = browser.get("/p/demo/")
        assert dashboard.status_code == 200 and "1,250" in dashboard.text

        rewards = browser.get("/p/demo/rewards")
        take = re.search(
            r'<form method="post" action="(/p/demo/rewards/\d+/redeem)">(.*?)</form>', rewards.text, re.S
        )
        assert take, rewards.text
        fields = dict(re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', take.group(2)))
        voucher = browser.post(take.group(1), data=fields)
        assert voucher.status_code == 303 and "/vouchers/" in voucher.headers["location"]
        shown = browser.get(voucher.headers["location"])
        assert "Show this voucher at the till" in shown.text
        again = browser.post(take.group(1), data=fields)  # a double tap replays, takes nothing more
        assert again.headers["location"] == voucher.headers["location"]

    venue.hotspot("split-lobby", HotspotKind.MERAKI, {"mode": "click-through"})
    phone = Phone(site_url)
    try:
        with Meraki("click-through") as meraki:
            splash = phone.open(meraki.arrive("aa:bb:cc:00:11:22", "10.0.0.7", venue.splash("split-lobby")))
            assert splash.status_code == 200
            online = phone.sign_up(splash)
            assert online.status_code == 200, online.text
            assert meraki.is_online("aa:bb:cc:00:11:22")
    finally:
        phone.close()


def test_two_site_workers_share_the_failure_counter_in_redis(split: tuple[str, Venue]) -> None:
    """Three wrong passwords, whichever worker took them, lock the card on every worker."""
    site_url, _ = split
    for _ in range(3):
        with httpx.Client(base_url=site_url, timeout=30) as browser:
            assert log_in(browser, "wrong-password").status_code == 401
    for _ in range(6):  # new connections: both workers answer some
        with httpx.Client(base_url=site_url, timeout=30) as browser:
            assert log_in(browser, PASSWORD).status_code == 429

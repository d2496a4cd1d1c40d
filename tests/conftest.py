"""Fixtures: a database test runs once, on PostgreSQL (the production database) where it answers,
else on SQLite; a test or module marked `both_backends` (what depends on the database: locks,
races, SKIP LOCKED, migrations, constraints, statement counts, dialect SQL) runs on both. The
schema comes from the migrations; each test runs in a rolled-back transaction unless it asks for
`committed_db` (concurrency, workers, live servers)."""

from __future__ import annotations

import copy
import functools
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_limiter import Limiter
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

import admin_core
import composition
from admin_core.context import EXTENSION, Core
from admin_core.database import Database
from admin_core.demo import load_demo
from admin_core.migrate import upgrade
from portal.merchants import MERCHANTS_EXTENSION, MerchantCache

from .databases import Snapshot, empty, new_database, postgres_answers
from .smtp import Inbox, start_smtp
from .wifi_venue import Phone, Venue

SECRET = "test-secret"
BACKENDS = ("sqlite", "postgresql")
# A test using one of these sees the demo in committed_db, restored from its snapshot afterwards.
SERVING_THE_DEMO = ("live", "venue", "strict_venue")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The backends a database test runs on: both, or SQLite, when marked so; else the one that
    answers."""
    if "database_url" not in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("both_backends"):
        backends: tuple[str, ...] = BACKENDS
    elif metafunc.definition.get_closest_marker("sqlite_only"):
        backends = ("sqlite",)
    else:
        backends = ("postgresql",) if _postgres_answers() else ("sqlite",)
    metafunc.parametrize("database_url", backends, indirect=True, scope="session")


@functools.cache
def _postgres_answers() -> bool:
    return postgres_answers()


@pytest.fixture(scope="session")
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from new_database(request.param, tmp_path_factory.mktemp("sqlite"))


@pytest.fixture(scope="session")
def migrated(database_url: str) -> Iterator[Database]:
    """One database per backend for the whole run, built by the real migrations."""
    database = Database.from_url(database_url)
    upgrade(database)
    yield database
    database.dispose()


@dataclass
class LoadedDemo:
    snapshot: Snapshot
    contract: dict[str, Any]  # what load_demo answers
    extra: Any = None  # what a module's builder added (see `loaded_demo`)


@pytest.fixture(scope="session")
def demo_database(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, smtp: Inbox
) -> Iterator[LoadedDemo]:
    """A second database per backend, migrated, where the demo is loaded (and committed) once."""
    with loaded_demo(database_url, tmp_path_factory.mktemp("demo"), smtp) as loaded:
        yield loaded


@contextmanager
def loaded_demo(
    database_url: str,
    folder: Any,
    smtp: Inbox,
    then: Callable[[Core, dict[str, Any]], Any] | None = None,
) -> Iterator[LoadedDemo]:
    """A database of its own with the demo, and what `then` adds to it, committed once: a module
    whose every test needs more than the demo overrides `demo_database` with this, so that it
    builds that once instead of in each test's transaction."""
    urls = new_database(make_url(database_url).get_backend_name(), folder)
    database = Database.from_url(next(urls))
    upgrade(database)
    core_app = admin_core.create_app(make_config(smtp), database=database)
    core = core_app.extensions[EXTENSION]
    contract = load_demo(core, SECRET)
    extra = then(core, contract) if then else None
    snapshot = Snapshot(database)
    snapshot.take()
    try:
        yield LoadedDemo(snapshot, contract, extra)
    finally:
        database.dispose()
        urls.close()


@pytest.fixture
def db(request: pytest.FixtureRequest, migrated: Database) -> Iterator[Database]:
    """The test's own transaction, rolled back at the end; with `demo`, on the demo's database."""
    source = migrated
    if "demo" in request.fixturenames:
        source = request.getfixturevalue("demo_database").snapshot.database
    with source.bind.connect() as connection:  # type: ignore[union-attr]
        outer = connection.begin()
        yield Database(connection)
        outer.rollback()


@pytest.fixture
def committed_db(request: pytest.FixtureRequest, migrated: Database) -> Iterator[Database]:
    """Real commits, seen by other connections and threads; emptied afterwards (for `live` and
    `venue`: the demo's database, put back as it was)."""
    if any(name in request.fixturenames for name in SERVING_THE_DEMO):
        loaded: LoadedDemo = request.getfixturevalue("demo_database")
        yield loaded.snapshot.database
        loaded.snapshot.restore()
        return
    yield migrated
    empty(migrated)


@pytest.fixture(scope="session")
def smtp() -> Iterator[Inbox]:
    inbox, stop = start_smtp()
    yield inbox
    stop()


@pytest.fixture
def inbox(smtp: Inbox) -> Inbox:
    smtp.clear()
    return smtp


def make_config(inbox: Inbox, **extra: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": SECRET,
        "PASSWORD_HASH_FAST": True,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": inbox.port,
        "MAIL_DEFAULT_SENDER": "Demo <cards@demo.test>",
        **extra,
    }


@pytest.fixture(scope="session")
def built_apps() -> dict[Any, Any]:
    """The core and the site, each built once for the run by the first test that asks for it (and
    those of `live` and `venue`, once per backend)."""
    return {}


@pytest.fixture
def core_app(db: Database, inbox: Inbox, built_apps: dict[Any, Any]) -> Iterator[Flask]:
    """The core, working on this test's database; built once (see `lent`)."""
    if "core" not in built_apps:
        built_apps["core"] = admin_core.create_app(make_config(inbox), database=db)
    app = built_apps["core"]
    app.extensions[EXTENSION].db = db
    with lent(app):
        yield app


@pytest.fixture
def core(core_app: Flask) -> Core:
    found: Core = core_app.extensions[EXTENSION]
    return found


@pytest.fixture
def demo(core: Core, demo_database: LoadedDemo) -> dict[str, Any]:
    """The demo merchant, already in the test's database (loaded once per backend)."""
    return copy.deepcopy(demo_database.contract)


@pytest.fixture
def app(core_app: Flask, inbox: Inbox, built_apps: dict[Any, Any]) -> Iterator[Flask]:
    """The site with the core embedded; built once (see `lent`)."""
    if "site" not in built_apps:
        built_apps["site"] = composition.create_app(make_config(inbox), core_app=core_app)
    with lent(built_apps["site"]) as site:
        yield site


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@contextmanager
def lent(app: Flask) -> Iterator[Flask]:
    """An app built once, lent to one test: what the test changed in its settings or extensions
    (Flask-Mail's state, the site's core client) is put back, and its limiters forget every count."""
    config, extensions = dict(app.config), dict(app.extensions)
    try:
        yield app
    finally:
        app.config.clear()
        app.config.update(config)
        app.extensions.clear()
        app.extensions.update(extensions)
        for extension in extensions.values():
            if isinstance(extension, Limiter):
                extension.reset()
            if isinstance(extension, MerchantCache):  # the next test's database is another one
                extension.clear()


def merchant_settings_expire(client: FlaskClient) -> None:
    """As once `PORTAL_MERCHANT_CACHE_SECONDS` have passed: the site asks the core for its
    merchants' settings again (portal/merchants.py)."""
    client.application.extensions[MERCHANTS_EXTENSION].clear()


def csrf_token(client: FlaskClient, url: str) -> str:
    page = client.get(url)
    found = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', page.text)
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def submit(client: FlaskClient, url: str, data: dict[str, str], **kwargs: Any) -> Any:
    """Post a form the way a browser does: with the token from the page."""
    return client.post(url, data={"csrf_token": csrf_token(client, url), **data}, **kwargs)


def login(client: FlaskClient, number: str, password: str, merchant: str = "demo") -> Any:
    return submit(client, f"/p/{merchant}/login", {"card": number, "password": password})


def deliver_mail(core_app: Flask) -> str:
    result = core_app.test_cli_runner().invoke(args=["core", "send-mail", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


def run_imports(core_app: Flask) -> str:
    """`core run-imports --once`: what the API and the staff UI queued is checked or applied."""
    result = core_app.test_cli_runner().invoke(args=["core", "run-imports", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


@contextmanager
def served(app: Any, host: str = "127.0.0.1") -> Iterator[str]:
    """A WSGI app served on a free port of a loopback address, for as long as the block runs: its
    base URL."""
    server = make_server(host, 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


# A customer on a phone: Debian's Chromium driven by Playwright against a live server.
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "en-US"}


def serving(
    built_apps: dict[Any, Any],
    name: str,
    database: Database,
    inbox: Inbox,
    core_settings: dict[str, Any] | None = None,
    **settings: Any,
) -> tuple[Flask, Flask]:
    """The core and the site for `live` or a venue on the demo's committed database, built once per
    backend and settings: (core app, site)."""
    key = (name, database, tuple(sorted(settings.items())))
    if key not in built_apps:
        core_app = admin_core.create_app(make_config(inbox, **(core_settings or {})), database=database)
        built_apps[key] = core_app, composition.create_app(make_config(inbox, **settings), core_app=core_app)
    found: tuple[Flask, Flask] = built_apps[key]
    return found


@pytest.fixture
def live(committed_db: Database, inbox: Inbox, built_apps: dict[Any, Any]) -> Iterator[tuple[str, Any]]:
    """The site with its embedded core and the demo, served on a free port: (base URL, core app)."""
    core_app, site = serving(built_apps, "live", committed_db, inbox)
    with lent(core_app), lent(site), served(site) as base_url:
        yield base_url, core_app


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One browser per test module; each test gets its own context (cookies, caches, workers)."""
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (make test installs it when run as root)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        except Exception as error:  # a broken Chromium install is a reason to skip, said plainly
            pytest.skip(f"Chromium did not start: {error}")
        yield browser
        browser.close()


@pytest.fixture
def new_phone(chromium: Any) -> Iterator[Callable[..., Any]]:
    """Opens a page in a fresh phone-sized context, in the phone's language `locale`. The test
    fails if the Content-Security-Policy blocked anything on its pages (other than framing them
    where they may not be framed, which tests do on purpose)."""
    contexts: list[Any] = []
    blocked: list[str] = []

    def open_page(locale: str = "en-US") -> Any:
        contexts.append(chromium.new_context(**{**PHONE, "locale": locale}))
        page = contexts[-1].new_page()
        page.on("console", lambda message: _note_csp_refusal(message, blocked))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert blocked == [], "the Content-Security-Policy blocked something"


def _note_csp_refusal(message: Any, blocked: list[str]) -> None:
    text = message.text
    if message.type == "error" and "Content Security Policy" in text and "frame-ancestors" not in text:
        blocked.append(text)


@pytest.fixture
def phone(new_phone: Callable[..., Any]) -> tuple[Any, Any]:
    """A fresh phone-sized page in English, and Playwright's `expect`."""
    from playwright.sync_api import expect

    return new_phone(), expect


# The Wi-Fi registration end to end: a venue (the site on loopback, where hotspots point at
# controller simulators) and a guest's phone there.


# The simulators listen on loopback: the venue's core and site may call controllers there.
LOOPBACK_CONTROLLERS = "127.0.0.0/8"


@contextmanager
def served_venue(
    built_apps: dict[Any, Any], db: Database, inbox: Inbox, site_networks: str = LOOPBACK_CONTROLLERS
) -> Iterator[Venue]:
    """The venue; `site_networks` is what its site allows controllers at (its core: loopback)."""
    settings = {
        "SESSION_COOKIE_SECURE": False,
        "WIFI_MERAKI_DOMAINS": "127.0.0.1",
        # Every phone here is 127.0.0.1.
        "RATELIMIT_WIFI_PER_IP": "10000 per minute",
        "RATELIMIT_WIFI_SIGNUPS_PER_IP": "10000 per minute",
        "WIFI_CONTROLLER_NETWORKS": site_networks,
    }
    core_settings = {"WIFI_CONTROLLER_NETWORKS": LOOPBACK_CONTROLLERS}
    core_app, site = serving(built_apps, "venue", db, inbox, core_settings, **settings)
    with lent(core_app), lent(site), served(site) as base_url:
        yield Venue(base_url, core_app.extensions[EXTENSION])


@pytest.fixture
def venue(committed_db: Database, inbox: Inbox, built_apps: dict[Any, Any]) -> Iterator[Venue]:
    with served_venue(built_apps, committed_db, inbox) as opened:
        yield opened


@pytest.fixture
def guest_phone(venue: Venue) -> Iterator[Phone]:
    device = Phone(venue.base_url)
    yield device
    device.close()

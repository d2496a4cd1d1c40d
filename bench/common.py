"""What the benchmarks share: a scratch database, the app set up on it, gunicorn on a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRET = "bench-secret"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def scratch_database(backend: str) -> Iterator[str]:
    """A new, empty database of that backend for one run, dropped afterwards: its SQLAlchemy URL."""
    if backend == "sqlite":
        yield f"sqlite:///{tempfile.mkdtemp(prefix='loyalty-bench-')}/bench.sqlite3"
        return
    name = f"loyalty_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare(database_url: str, **settings: str) -> dict[str, str]:
    """Migrate, load the demo; the environment the app runs with (plus `settings`)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "FLASK_SECRET_KEY": SECRET,
        "FLASK_SESSION_COOKIE_SECURE": "false",
        "FLASK_SITE_URL": "http://127.0.0.1",
        "FLASK_TRUSTED_HOSTS": '["127.0.0.1"]',
        **settings,
    }
    for command in (["core", "init-db"], ["core", "demo"]):
        subprocess.run(
            [BIN / "flask", "--app", "wsgi", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    return env


def serve(app: str, port: int, env: dict[str, str], workers: int = 2) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            BIN / "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app,
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"{app} did not start")

"""Which entry points demand the public address: serving (gunicorn importing `wsgi`, `flask run`)
refuses to start without FLASK_SITE_URL and FLASK_TRUSTED_HOSTS; the operator's commands
(`flask --app wsgi core init-db`, `demo`, `send-mail`, …) serve no one and build no link, so they run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLASK = str(Path(sys.executable).with_name("flask"))


def run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"FLASK_SITE_URL", "FLASK_TRUSTED_HOSTS", "FLASK_DEBUG", "ADMIN_CORE_URL"}
    }
    env.update(FLASK_SECRET_KEY="a-real-secret", DATABASE_URL=f"sqlite:///{tmp_path}/cli.sqlite3")
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_operator_commands_run_without_the_public_address(tmp_path: Path) -> None:
    done = run([FLASK, "--app", "wsgi", "core", "init-db"], tmp_path)
    assert done.returncode == 0, done.stderr
    sent = run([FLASK, "--app", "wsgi", "core", "send-mail", "--once"], tmp_path)
    assert sent.returncode == 0, sent.stderr


def test_serving_refuses_to_start_without_it(tmp_path: Path) -> None:
    served = run([FLASK, "--app", "wsgi", "run", "--port", "9"], tmp_path)
    assert served.returncode != 0
    assert "FLASK_SITE_URL" in served.stderr
    imported = run([sys.executable, "-c", "import wsgi"], tmp_path)
    assert imported.returncode != 0
    assert "FLASK_SITE_URL" in imported.stderr

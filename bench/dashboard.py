"""Dashboard requests/s for a logged-in customer vs. a bare one-SELECT Flask endpoint, both under
gunicorn (2 workers) on the same database in the same run; plus SQL statements per dashboard.

    .venv/bin/python bench/dashboard.py [--db sqlite|postgresql] [--requests 3000] [--clients 8]

Loopback only; every loop is bounded by --requests.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from common import ROOT, free_port, prepare, scratch_database, serve
from sqlalchemy import event

sys.path.insert(0, str(ROOT))  # the statement count imports the app of this tree, as gunicorn does

CARD, PASSWORD = "7000100001", "demo-password"


def get(
    port: int, path: str, headers: dict[str, str] | None = None
) -> tuple[int, bytes, http.client.HTTPResponse]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body, response


def log_in(port: int) -> str:
    _, body, response = get(port, "/p/demo/login")
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body)
    assert token, "no CSRF token on the login page"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    form = f"csrf_token={token.group(1).decode()}&card={CARD}&password={PASSWORD}"
    connection.request(
        "POST",
        "/p/demo/login",
        body=form,
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    answer = connection.getresponse()
    answer.read()
    assert answer.status == 302, f"login answered {answer.status}"
    return answer.getheader("Set-Cookie", "").split(";")[0]


def load(port: int, path: str, headers: dict[str, str], requests: int, clients: int) -> dict[str, float]:
    latencies: list[float] = []

    def one(_: int) -> int:
        started = time.perf_counter()
        status, _, _ = get(port, path, headers)
        latencies.append(time.perf_counter() - started)
        return status

    for warmup in range(50):
        one(warmup)
    latencies.clear()
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        statuses = list(pool.map(one, range(requests)))
    elapsed = time.perf_counter() - started
    assert set(statuses) == {200}, f"unexpected statuses {set(statuses)}"
    ordered = sorted(latencies)
    return {
        "rps": requests / elapsed,
        "p50": statistics.median(ordered) * 1000,
        "p95": ordered[int(len(ordered) * 0.95)] * 1000,
    }


def statements_per_dashboard(env: dict[str, str]) -> int:
    os.environ.update(env)
    import composition

    app = composition.create_app({"SESSION_COOKIE_SECURE": False})
    core_app = app.extensions["loyalty_core.app"]
    engine = core_app.extensions["loyalty_core"].db.bind
    client = app.test_client()
    site = "http://127.0.0.1"  # the one trusted host (FLASK_TRUSTED_HOSTS)
    page = client.get("/p/demo/login", base_url=site).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token
    client.post(
        "/p/demo/login",
        data={"csrf_token": token.group(1), "card": CARD, "password": PASSWORD},
        base_url=site,
    )
    seen: list[str] = []
    event.listen(
        engine,
        "before_cursor_execute",
        lambda *args: seen.append(args[2]) if args[2].split()[0].upper() != "BEGIN" else None,
    )
    assert client.get("/p/demo/", base_url=site).status_code == 200
    return len(seen)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()

    with scratch_database(args.db) as url:
        env = prepare(url)
        results = {}
        site_port, bare_port = free_port(), free_port()
        site = serve("wsgi:app", site_port, env)
        try:
            cookie = log_in(site_port)
            results["dashboard"] = load(
                site_port, "/p/demo/", {"Cookie": cookie}, args.requests, args.clients
            )
        finally:
            site.terminate()
            site.wait()
        bare = serve("bench.bare_app:app", bare_port, env)
        try:
            results["bare SELECT"] = load(bare_port, f"/card/{CARD}", {}, args.requests, args.clients)
        finally:
            bare.terminate()
            bare.wait()
        statements = statements_per_dashboard(env)

    print(
        f"\nbackend: {args.db}, gunicorn 2 workers, {args.requests} requests, "
        f"{args.clients} clients, loopback"
    )
    print(f"{'endpoint':<14}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}")
    for name, result in results.items():
        print(f"{name:<14}{result['rps']:>10.0f}{result['p50']:>10.1f}{result['p95']:>10.1f}")
    ratio = results["dashboard"]["rps"] / results["bare SELECT"]["rps"]
    print(f"dashboard / bare SELECT: {ratio:.2f}")
    print(f"SQL statements per dashboard request: {statements}")


if __name__ == "__main__":
    main()

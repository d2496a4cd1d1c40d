"""Sustained Wi-Fi sign-ups per second: guests arrive from an openNDS gateway (FAS level 2, so every
redirect is decrypted), load the splash and sign up; the site answers with the grant. gunicorn with
2 workers, on PostgreSQL by default. At the end, what was stored is counted against what was
answered with a grant, so a lost sign-up shows.

    .venv/bin/python bench/wifi_signup.py [--db postgresql|sqlite] [--seconds 60] [--clients 16]

Loopback only; the load stops after --seconds (and after --max-guests at most).
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from common import BIN, ROOT, free_port, prepare, scratch_database, serve
from sqlalchemy import create_engine, func, select

sys.path.insert(0, str(ROOT))

from admin_core.models import ConsentKind, ConsentRecord, Customer, WifiVisit
from tests.simulators import OpenNDS

FASKEY = "benchGateway2026"
STATE = re.compile(r'name="state" value="([^"]+)"')
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Results:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.splash: list[float] = []
        self.sign_up: list[float] = []
        self.granted = 0
        self.failed: dict[str, int] = {}

    def fail(self, why: str) -> None:
        with self.lock:
            self.failed[why] = self.failed.get(why, 0) + 1


def guest(number: int, base: str, gateway: OpenNDS, results: Results, who: str = "guest") -> None:
    mac = (
        f"02:{number >> 24 & 255:02x}:{number >> 16 & 255:02x}:{number >> 8 & 255:02x}:{number & 255:02x}:01"
    )
    with httpx.Client(timeout=30) as browser:
        started = time.perf_counter()
        splash = browser.get(
            gateway.arrive(mac, f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}")
        )
        loaded = time.perf_counter()
        state, token = STATE.search(splash.text), TOKEN.search(splash.text)
        if splash.status_code != 200 or not state or not token:
            results.fail(f"splash {splash.status_code}")
            return
        answer = browser.post(
            f"{base}/wifi/bench",
            data={
                "state": state.group(1),
                "csrf_token": token.group(1),
                "first_name": "Guest " + "".join(chr(ord("a") + int(digit)) for digit in str(number)),
                "email": f"{who}{number}@bench.example",
                "terms": "y",
                "privacy": "y",
            },
        )
        done = time.perf_counter()
    if answer.status_code == 303 and answer.headers["location"].startswith(f"http://{gateway.address}/"):
        with results.lock:
            results.splash.append(loaded - started)
            results.sign_up.append(done - loaded)
            results.granted += 1
    else:
        results.fail(f"sign-up {answer.status_code}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--max-guests", type=int, default=100_000)
    args = parser.parse_args()

    with scratch_database(args.db) as url:
        # Every guest here comes from 127.0.0.1: a venue's guests share its public address too.
        env = prepare(
            url,
            FLASK_RATELIMIT_WIFI_PER_IP="1000000 per minute",
            FLASK_RATELIMIT_WIFI_SIGNUPS_PER_IP="1000000 per minute",
        )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        results = Results()
        with OpenNDS(FASKEY, 2, f"{base}/wifi/bench") as gateway:
            settings = f'{{"fas_level": 2, "faskey": "{FASKEY}", "gateway_address": "{gateway.address}"}}'
            subprocess.run(
                [
                    BIN / "flask",
                    "--app",
                    "wsgi",
                    "core",
                    "create-hotspot",
                    "demo",
                    "MAIN",
                    "opennds",
                    "--id",
                    "bench",
                    "--settings",
                    settings,
                ],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
            )
            site = serve("wsgi:app", port, env)
            try:
                for warmup in range(20):
                    guest(warmup, base, gateway, results, who="warmup")
                results = Results()
                deadline = time.perf_counter() + args.seconds
                counter = iter(range(args.max_guests))
                counter_lock = threading.Lock()

                def client(_: int) -> None:
                    while time.perf_counter() < deadline:
                        with counter_lock:
                            number = next(counter, None)
                        if number is None:
                            return
                        guest(number, base, gateway, results)

                started = time.perf_counter()
                with ThreadPoolExecutor(args.clients) as pool:
                    list(pool.map(client, range(args.clients)))
                elapsed = time.perf_counter() - started
            finally:
                site.terminate()
                site.wait()
        engine = create_engine(url)
        with engine.connect() as connection:
            bench_guests = Customer.email.like("guest%@bench.example")
            stored = connection.scalar(select(func.count()).select_from(Customer).where(bench_guests))
            visits = connection.scalar(
                select(func.count()).select_from(WifiVisit).join(Customer).where(bench_guests)
            )
            consents = connection.scalar(
                select(func.count())
                .select_from(ConsentRecord)
                .join(Customer)
                .where(bench_guests, ConsentRecord.kind == ConsentKind.TERMS)
            )
        engine.dispose()

    print(f"\nbackend: {args.db}, gunicorn 2 workers, {args.clients} clients, {elapsed:.0f} s, loopback")
    print(f"sign-ups answered with a grant: {results.granted} ({results.granted / elapsed:.1f}/s)")
    for name, latencies in (("splash GET", results.splash), ("sign-up POST", results.sign_up)):
        median, p95 = statistics.median(latencies) * 1000, percentile(latencies, 0.95)
        print(f"  {name:<13} p50 {median:.1f} ms, p95 {p95:.1f} ms")
    print(f"stored: {stored} customers, {visits} visits, {consents} terms consents")
    print(f"failed answers: {results.failed or 'none'}")
    if not stored == visits == consents == results.granted:
        raise SystemExit("stored and answered differ")


if __name__ == "__main__":
    main()

"""Apple Wallet at scale, in-process through the services, on a scratch database with the demo:

- building a card's pass: signed from scratch (the pass's content changed), and served again
  unchanged (the cache by content: a card and version already signed);
- the push queue: a card registered on --devices devices changes, and `send-pushes`' loop drains
  the pushes to a local HTTP/2 APNs stand-in (tests/simulators/apns.py).

    .venv/bin/python bench/wallet_pass.py [--db sqlite|postgresql] [--passes 300] [--devices 10000]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace

from common import ROOT, SECRET, prepare, scratch_database
from sqlalchemy import func, insert, select

sys.path.insert(0, str(ROOT))

import admin_core
from admin_core.apns import apns_sender
from admin_core.context import EXTENSION, Core
from admin_core.database import Database
from admin_core.demo_wallet import apns_key_pem, local_authority
from admin_core.models import Card, WalletPass, WalletPush, WalletRegistration
from admin_core.services import utcnow
from admin_core.services.ledger import OperationKind, OperationRequest, record_operation
from admin_core.services.merchants import get_merchant
from admin_core.services.wallet_credentials import AppleUpload, check_upload, save_credentials
from admin_core.services.wallet_pass import PassContent, build_pkpass
from admin_core.services.wallet_passes import SiteLinks, card_pass, merchant_credentials
from admin_core.services.wallet_push import BATCH, deliver_due
from admin_core.wallet_labels import pass_labels

TEAM, PASS_TYPE, ANNA = "BENCH12345", "pass.bench.demo.loyalty", "7000100001"
LINKS = SiteLinks("https://cards.example.com")


def timed(work: Callable[[], object], times: int) -> list[float]:
    spent = []
    for _ in range(times):
        start = time.perf_counter()
        work()
        spent.append((time.perf_counter() - start) * 1000)
    return spent


def line(label: str, spent: list[float]) -> None:
    spent = sorted(spent)
    p95 = spent[int(len(spent) * 0.95) - 1]
    print(f"{label:<52} p50 {statistics.median(spent):6.1f} ms   p95 {p95:6.1f} ms")


def set_up(core: Core, merchant_id: int) -> None:
    issued = local_authority()
    certificate = issued.pass_certificate(PASS_TYPE, TEAM)
    upload = AppleUpload(
        TEAM,
        PASS_TYPE,
        certificate=certificate.certificate_pem,
        private_key=certificate.key_pem,
        intermediate=issued.wwdr.certificate_pem,
        apns_key=apns_key_pem(),
        apns_key_id="BENCHKEY01",
    )
    save_credentials(core.db, core.wallet_keys, merchant_id, check_upload(upload))


def bench_passes(core: Core, times: int) -> None:
    with core.db.read() as session:
        merchant = get_merchant(session, "demo")
    with core.db.write() as session:
        served = card_pass(session, merchant, ANNA, core.wallet_keys, LINKS, pass_labels)
    print(f"a pass: {len(served.data):,} bytes")
    with core.db.read() as session:
        credentials = merchant_credentials(session, merchant.id, core.wallet_keys)
    content = PassContent(
        serial="0" * 32,
        token="1" * 64,
        web_service_url=LINKS.web_service(),
        merchant_name=merchant.name,
        number=ANNA,
        holder="Anna Rossi",
        points=1250,
        credit=1550,
        currency="EUR",
        currency_precision=2,
        tier="Silver",
        next_reward="Cinema ticket",
        points_to_go=250,
        accent_color=merchant.accent_color,
        accent_text_color=merchant.accent_text_color,
        portal_url=LINKS.portal("demo"),
        rules_url=LINKS.rules("demo"),
        logo=None,
        labels=pass_labels(merchant.name),
    )
    counter = iter(range(10**9))
    line(
        "signed from scratch (content changed)",
        timed(lambda: build_pkpass(replace(content, points=next(counter)), credentials), times),
    )

    def download() -> None:
        with core.db.write() as session:
            card_pass(session, merchant, ANNA, core.wallet_keys, LINKS, pass_labels)

    line("a download, unchanged (database reads + cache)", timed(download, times))

    def changed_download() -> None:
        with core.db.write() as session:
            record_operation(
                session, merchant.id, ANNA, OperationRequest(OperationKind.EARN_POINTS, 1, "MAIN")
            )
        download()

    line("a download after a till operation (op + sign)", timed(changed_download, times))


def bench_pushes(core: Core, devices: int) -> None:
    with core.db.read() as session:
        merchant_id = get_merchant(session, "demo").id
        pass_id = session.scalar(
            select(WalletPass.id).join(Card, Card.id == WalletPass.card_id).where(Card.number == ANNA)
        )
    now = utcnow()
    with core.db.write() as session:
        session.execute(
            insert(WalletRegistration),
            [
                {
                    "pass_id": pass_id,
                    "device_id": f"device{index:06d}",
                    "push_token": f"{index:064x}",
                    "created_at": now,
                }
                for index in range(devices)
            ],
        )
    start = time.perf_counter()
    with core.db.write() as session:
        record_operation(session, merchant_id, ANNA, OperationRequest(OperationKind.EARN_POINTS, 5, "MAIN"))
    print(f"a till operation queueing {devices:,} pushes: {(time.perf_counter() - start) * 1000:.0f} ms")
    # The stand-in in a process of its own: it must not share this one's interpreter lock.
    stand_in = subprocess.Popen(
        [sys.executable, "-m", "tests.simulators.apns"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert stand_in.stdout is not None and stand_in.stdin is not None
    core.settings = replace(core.settings, apns_url=stand_in.stdout.readline().decode().strip())
    start, sent = time.perf_counter(), 0
    while True:
        with apns_sender(core) as send:
            report = deliver_due(core.db, send, limit=BATCH)
        sent += report.sent
        if report.handled < BATCH:
            break
    spent = time.perf_counter() - start
    received = int(stand_in.communicate(b"", timeout=30)[0].split()[-1])
    with core.db.read() as session:
        errors = set(session.scalars(select(WalletPush.last_error).where(WalletPush.last_error.is_not(None))))
        left = session.scalar(
            select(func.count()).select_from(WalletPush).where(WalletPush.sent_at.is_(None))
        )
    if errors:
        print("errors:", *sorted(errors)[:5], sep="\n  ")
    print(
        f"drained {sent:,} pushes in {spent:.1f} s: {sent / spent:,.0f} pushes/s "
        f"(one worker, batches of {BATCH}); left unsent: {left}; the stand-in got {received:,}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--passes", type=int, default=300)
    parser.add_argument("--devices", type=int, default=10_000)
    args = parser.parse_args()
    with scratch_database(args.db) as url:
        prepare(url)
        db = Database.from_url(url)
        app = admin_core.create_app({"SECRET_KEY": SECRET, "TESTING": True}, database=db)
        core: Core = app.extensions[EXTENSION]
        with app.app_context(), db.read() as session:
            merchant_id = get_merchant(session, "demo").id
        set_up(core, merchant_id)
        print(f"backend: {args.db}, in-process service calls")
        with app.app_context():
            bench_passes(core, args.passes)
            bench_pushes(core, args.devices)
        db.dispose()


if __name__ == "__main__":
    main()

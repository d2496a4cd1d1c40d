"""The customers export at scale: --rows customers (default 1,000,000) of the demo merchant on a
scratch PostgreSQL database, seeded by bench/customer_search.py's COPY, then the whole list
exported through the service, in-process, the CSV counted and thrown away as a response body
would be sent. Prints the time, the rows and bytes written and the process's peak RSS (the
export must stay streamed: at most 150 MB, whatever the number of customers). The seeding runs in
a child process, so that its batches do not count in the exporting process's peak.

    .venv/bin/python bench/customer_export.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import time

from common import ROOT, prepare, scratch_database
from customer_search import seed

sys.path.insert(0, str(ROOT))

from admin_core.database import Database
from admin_core.services.customer_export import export_customers
from admin_core.services.customer_search import CustomerFilters
from admin_core.services.merchants import get_merchant
from admin_core.services.staff import StaffScope

TARGET_MB = 150


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def seed_apart(url: str, rows: int) -> None:
    """The seeding in a process of its own: its memory is not the export's."""

    def run() -> None:
        db = Database.from_url(url)
        seed(db, url, rows)
        db.dispose()

    child = multiprocessing.get_context("fork").Process(target=run)
    child.start()
    child.join()
    if child.exitcode != 0:
        sys.exit("seeding failed")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with scratch_database("postgresql") as url:
        prepare(url)
        began = time.perf_counter()
        seed_apart(url, args.rows)
        db = Database.from_url(url)
        print(f"seeded {args.rows:,} customers and cards in {time.perf_counter() - began:.0f} s")
        with db.read() as session:
            scope = StaffScope.merchant(get_merchant(session, "demo").id)
        before = peak_rss_mb()
        for label, filters in (
            ("every customer", CustomerFilters()),
            ("marketing consent", CustomerFilters(True)),
        ):
            began = time.perf_counter()
            lines = size = 0
            for chunk in export_customers(db, scope, "", filters):
                lines += chunk.count("\n")
                size += len(chunk.encode())
            took = time.perf_counter() - began
            print(
                f"{label}: {lines - 1:,} rows, {size / 1e6:.0f} MB of CSV in {took:.1f} s"
                f" ({(lines - 1) / took:,.0f} rows/s); peak RSS {peak_rss_mb():.0f} MB"
            )
        peak = peak_rss_mb()
        print(f"peak RSS before the exports {before:.0f} MB, after {peak:.0f} MB (target <= {TARGET_MB} MB)")
        db.dispose()
        if peak > TARGET_MB:
            sys.exit(f"peak RSS {peak:.0f} MB is above {TARGET_MB} MB")


if __name__ == "__main__":
    main()

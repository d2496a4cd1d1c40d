"""Customer search at scale: --customers customers (default 1,000,000) of the demo merchant on a
scratch PostgreSQL database, written with COPY (their search keys computed by the same function
the services use), then a few hundred searches of each kind through the service, in-process (the
API's view adds only the JSON around it). Prints the p50 / p95 / max of each kind.

    .venv/bin/python bench/customer_search.py [--customers 1000000] [--queries 300]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from common import ROOT, prepare, scratch_database
from sqlalchemy import func, select, text

sys.path.insert(0, str(ROOT))

from admin_core.database import Database
from admin_core.models import Card, Customer, Store
from admin_core.models.search_keys import customer_keys
from admin_core.services.customer_search import search_customers
from admin_core.services.merchants import get_merchant
from admin_core.services.staff import StaffScope

FIRST = [
    "Anna", "Marco", "Giulia", "Luca", "Francesca", "Matteo", "Chiara", "Alessandro", "Sara", "Davide",
    "José", "María", "Élodie", "Jürgen", "Ingrid", "Søren", "Zoë", "Nikola", "Ivana", "Björn",
    "Paolo", "Elena", "Giorgio", "Martina", "Stefano", "Valentina", "Andrea", "Federica", "Simone", "Laura",
]  # fmt: skip
SYLLABLES = [
    "ro", "ssi", "bi", "an", "chi", "fer", "ra", "ri", "co", "lom", "bo", "es", "po", "si", "to",
    "gal", "li", "mo", "ret", "ti", "de", "lu", "ca", "vi", "ta", "le", "ne", "sa", "ba",
]  # fmt: skip
BATCH = 50_000


def surname(chance: random.Random) -> str:
    return "".join(chance.choice(SYLLABLES) for _ in range(chance.randint(2, 4))).title()


def seed(db: Database, url: str, count: int) -> None:
    """`count` customers with a card each, by COPY: about a minute per million on the dev machine."""
    import psycopg

    chance = random.Random(1)
    with db.read() as session:
        merchant_id = get_merchant(session, "demo").id
        stores = list(session.scalars(select(Store.id).where(Store.merchant_id == merchant_id)))
        customer_id = (session.scalar(select(func.max(Customer.id))) or 0) + 1
        card_id = (session.scalar(select(func.max(Card.id))) or 0) + 1
    start = datetime(2024, 1, 1, tzinfo=UTC)
    customer_columns = (
        "id, merchant_id, first_name, last_name, email, phone, store_id, marketing_consent, notify_email,"
        " notify_sms, created_at, source, search_name, search_name_reversed, search_email, search_phone"
    )
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as connection:
        for offset in range(0, count, BATCH):
            customers, cards = [], []
            for index in range(offset, min(offset + BATCH, count)):
                first, last = chance.choice(FIRST), surname(chance)
                email = (
                    f"{first.lower()}.{last.lower()}{index}@example.com" if chance.random() < 0.9 else None
                )
                phone = f"+39 3{chance.randrange(10**8, 10**9)}" if chance.random() < 0.7 else None
                keys = customer_keys(first, last, email, phone)
                when = start + timedelta(minutes=index)
                store, marketing = chance.choice([*stores, None]), chance.random() < 0.4
                source = chance.choice(["web", "wifi", "import"])
                customers.append(
                    (
                        customer_id + index,
                        merchant_id,
                        first,
                        last,
                        email,
                        phone,
                        store,
                        marketing,
                        True,
                        False,
                        when,
                        source,
                        *keys.values(),
                    )
                )
                cards.append(
                    (card_id + index, merchant_id, customer_id + index, f"8{index:011}", 0, 0, 0, 0, when)
                )
            with connection.cursor() as cursor:
                with cursor.copy(f"COPY customers ({customer_columns}) FROM STDIN") as copy:
                    for row in customers:
                        copy.write_row(row)
                with cursor.copy(
                    "COPY cards (id, merchant_id, customer_id, number, credentials_version, points, credit,"
                    " discount, created_at) FROM STDIN"
                ) as copy:
                    for row in cards:
                        copy.write_row(row)
            connection.commit()
        for table in ("customers", "cards"):
            connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
            connection.execute(f"ANALYZE {table}")
        connection.commit()


def queries(count: int, customers: int, chance: random.Random) -> dict[str, Callable[[], str]]:
    def name() -> str:
        return chance.choice(FIRST)[: chance.randint(2, 5)]

    def surname_first() -> str:
        return f"{surname(chance)} {chance.choice(FIRST)[:2]}".lower()

    def full_name() -> str:
        return f"{chance.choice(FIRST)} {surname(chance)}".upper()

    def email() -> str:
        return f"{chance.choice(FIRST).lower()}.{surname(chance).lower()[:3]}"

    def email_at() -> str:
        return f"{chance.choice(FIRST).lower()}.{surname(chance).lower()}{chance.randrange(customers)}@"

    def phone() -> str:
        return f"+39 3{chance.randrange(10**4, 10**5)}"

    def card() -> str:
        return f"8{chance.randrange(customers):011}"[: chance.randint(6, 12)]

    return {
        "name prefix (2-5 letters)": name,
        "surname first": surname_first,
        "first last, upper case": full_name,
        "e-mail prefix": email,
        "whole e-mail with @": email_at,
        "phone +39 3xxxxx": phone,
        "card number prefix": card,
    }


def measure(db: Database, scope: StaffScope, make: Callable[[], str], count: int) -> tuple[list[float], int]:
    timings, found = [], 0
    with db.read() as session:
        for _ in range(count):
            query = make()
            began = time.perf_counter()
            page = search_customers(session, scope, query)
            if page.next_cursor:  # the second page too: a cursor costs what the first page does
                search_customers(session, scope, query, cursor=page.next_cursor)
            timings.append((time.perf_counter() - began) * 1000 / (2 if page.next_cursor else 1))
            found += len(page.rows)
    return timings, found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    with scratch_database("postgresql") as url:
        prepare(url)
        db = Database.from_url(url)
        began = time.perf_counter()
        seed(db, url, args.customers)
        print(f"seeded {args.customers:,} customers and cards in {time.perf_counter() - began:.0f} s")
        with db.read() as session:
            scope = StaffScope.merchant(get_merchant(session, "demo").id)
            size = session.scalar(text("SELECT pg_size_pretty(pg_total_relation_size('customers'))"))
        print(f"customers table with its indexes: {size}")
        chance = random.Random(2)
        print(f"{'search':<28} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'rows/page':>9}")
        for kind, make in queries(args.queries, args.customers, chance).items():
            timings, found = measure(db, scope, make, args.queries)
            cuts = statistics.quantiles(timings, n=20)
            print(
                f"{kind:<28} {cuts[9]:7.1f} {cuts[18]:7.1f} {max(timings):7.1f} {found / args.queries:9.1f}"
            )
        db.dispose()


if __name__ == "__main__":
    main()

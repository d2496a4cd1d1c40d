"""A Wi-Fi sign-up's statements are served from indexes on a fresh, never-analysed PostgreSQL
database (no planner statistics: the first minutes of a new venue, before autovacuum looks): with a
few thousand customers at each of two merchants, no step of a sign-up's plans scans a table or
reads more than a handful of rows, whether the address is new, known, a phone number or a device
coming back."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, event, insert

import admin_core
from admin_core.database import Database
from admin_core.migrate import upgrade
from admin_core.models import Card, ConsentKind, ConsentRecord, Customer, HotspotKind, WifiVisit
from admin_core.models.search_keys import customer_keys
from admin_core.services import utcnow
from admin_core.services.hotspots import HotspotOptions, create_hotspot
from admin_core.services.merchants import create_merchant, create_store

from .conftest import make_config
from .databases import new_database, postgres_answers
from .smtp import Inbox

GUESTS = 3_000  # per merchant
OPENNDS = {"fas_level": 2, "faskey": "venueKey2026", "gateway_address": "192.168.1.1:2050"}
SITE = {"loyalty_core.trusted_site": True}
# Rows one step of a plan may read (index entries, heap rows, rows filtered away) for one guest.
HANDFUL = 20
ACTUAL = re.compile(r"actual time=\S+ rows=(\d+) loops=(\d+)")
REMOVED = re.compile(r"Rows Removed by (?:Filter|Index Recheck): (\d+)")


@dataclass
class Venue:
    core: Flask
    engine: Engine


def _mac(number: int) -> str:
    return f"02:00:00:{number >> 16 & 255:02x}:{number >> 8 & 255:02x}:{number & 255:02x}"


def _seed(database: Database, merchant_id: int, store_id: int, hotspot_id: int, offset: int) -> None:
    """Guests as a venue's Wi-Fi makes them: a name, an address (a phone for every third), a
    card, the terms and privacy accepted, a visit from their device."""
    now = utcnow() - timedelta(days=1)
    with database.write() as session:
        people = []
        for index in range(offset, offset + GUESTS):
            first, email = f"Guest{index:05}", f"guest{index}@example.com"
            phone = f"+39 3{index:09}" if index % 3 == 0 else None
            people.append(
                {
                    "merchant_id": merchant_id,
                    "first_name": first,
                    "email": email,
                    "phone": phone,
                    "store_id": store_id,
                    "created_at": now,
                    **customer_keys(first, "", email, phone),
                }
            )
        ids = list(
            session.scalars(insert(Customer).returning(Customer.id, sort_by_parameter_order=True), people)
        )
        session.execute(
            insert(Card),
            [
                {
                    "merchant_id": merchant_id,
                    "customer_id": id,
                    "number": f"8{offset + index:09}",
                    "created_at": now,
                }
                for index, id in enumerate(ids)
            ],
        )
        session.execute(
            insert(ConsentRecord),
            [
                {
                    "customer_id": id,
                    "kind": kind,
                    "granted": True,
                    "version": "1",
                    "source": "wifi",
                    "created_at": now,
                }
                for id in ids
                for kind in (ConsentKind.TERMS, ConsentKind.PRIVACY)
            ],
        )
        session.execute(
            insert(WifiVisit),
            [
                {
                    "merchant_id": merchant_id,
                    "hotspot_id": hotspot_id,
                    "store_id": store_id,
                    "customer_id": id,
                    "nonce": f"seed{index}",
                    "device_mac": _mac(offset + index),
                    "new_customer": True,
                    "created_at": now,
                }
                for index, id in enumerate(ids)
            ],
        )


@pytest.fixture(scope="module")
def unanalysed(tmp_path_factory: pytest.TempPathFactory, smtp: Inbox) -> Iterator[Venue]:
    if not postgres_answers():
        pytest.skip("the plans of PostgreSQL's planner")
    urls = new_database("postgresql", Path(tmp_path_factory.mktemp("plans")))
    database = Database.from_url(next(urls))
    upgrade(database)
    for offset, slug in enumerate(("north", "south")):
        merchant = create_merchant(database, slug, slug.title(), portal_enabled=True)
        store = create_store(database, merchant.id, "MAIN", "Main")
        spot = create_hotspot(
            database, merchant.id, "MAIN", HotspotKind.OPENNDS, OPENNDS, HotspotOptions(), f"{slug}-cafe"
        )
        _seed(database, merchant.id, store.id, spot.id, offset * GUESTS)
    engine = database.bind
    assert isinstance(engine, Engine)
    with engine.connect() as connection:
        analysed = connection.exec_driver_sql(
            "SELECT count(*) FROM pg_stats WHERE tablename IN ('customers', 'cards', 'wifi_visits')"
        ).scalar()
    assert analysed == 0, "the database must not have planner statistics yet"
    yield Venue(admin_core.create_app(make_config(smtp), database=database), engine)
    database.dispose()
    urls.close()


def _plans_of_a_visit(unanalysed: Venue, hotspot: str, nonce: str, body: dict[str, Any]) -> list[str]:
    """The core's calls of one guest's splash and sign-up, each SELECT explained as it ran."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    api = unanalysed.core.test_client()
    event.listen(unanalysed.engine, "before_cursor_execute", record)
    try:
        assert api.get(f"/api/v1/wifi/hotspots/{hotspot}", environ_base=SITE).status_code == 200
        api.get(f"/api/v1/wifi/hotspots/{hotspot}/devices/{body['device_mac']}", environ_base=SITE)
        answer = api.post(
            f"/api/v1/wifi/hotspots/{hotspot}/visits",
            json={"nonce": nonce, "terms": True, "privacy": True, **body},
            headers={"Idempotency-Key": f"wifi:{nonce}"},
            environ_base=SITE,
        )
    finally:
        event.remove(unanalysed.engine, "before_cursor_execute", record)
    assert answer.status_code == 201, answer.json
    plans = []
    with unanalysed.engine.connect() as connection:
        transaction = connection.begin()  # EXPLAIN ANALYZE runs the statement: FOR UPDATE locks
        for statement, parameters in seen:
            rows = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, COSTS OFF) {statement}", parameters)
            plans.append(statement + "\n" + "\n".join(row[0] for row in rows))
        transaction.rollback()
    return plans


def _assert_served_from_indexes(plans: list[str]) -> None:
    assert plans
    for plan in plans:
        assert "Seq Scan" not in plan, plan
        for rows, loops in ACTUAL.findall(plan):
            assert int(rows) * int(loops) <= HANDFUL, plan
        for removed in REMOVED.findall(plan):
            assert int(removed) <= HANDFUL, plan


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({"first_name": "Ada", "email": "ada.new@example.com", "device_mac": _mac(900_001)}, "a new address"),
        ({"first_name": "Ada", "email": "guest4500@example.com", "device_mac": _mac(900_002)}, "a known one"),
        ({"first_name": "Ada", "email": "guest1200@example.com", "device_mac": _mac(900_003)}, "the other's"),
        ({"returning": True, "device_mac": _mac(4_321)}, "a device coming back"),
    ],
)
def test_a_sign_up_reads_a_handful_of_rows_on_an_unanalysed_database(
    unanalysed: Venue, body: dict[str, Any], why: str
) -> None:
    nonce = why.replace(" ", "-").replace("'", "")
    _assert_served_from_indexes(_plans_of_a_visit(unanalysed, "south-cafe", nonce, body))


def test_a_phone_sign_up_reads_a_handful_of_rows_on_an_unanalysed_database(unanalysed: Venue) -> None:
    with unanalysed.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE hotspots SET contact = 'phone' WHERE public_id = 'north-cafe'")
    body = {"first_name": "Ada", "phone": "+39 3000000030", "device_mac": _mac(900_004)}
    _assert_served_from_indexes(_plans_of_a_visit(unanalysed, "north-cafe", "phone-1", body))

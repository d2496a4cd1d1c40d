"""The program's bonuses: a welcome bonus for the sign-up sources the merchant chose, points for
the day's first Wi-Fi visit at each venue, and what they leave in the ledger."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from threading import Barrier
from typing import Any

import pytest
from sqlalchemy import select

import admin_core
from admin_core.context import EXTENSION, Core
from admin_core.database import Database
from admin_core.demo import load_demo
from admin_core.errors import Forbidden, InvalidAtFields
from admin_core.models import Card, CustomerSource, HotspotKind, Operation, OperationKind, StaffLevel
from admin_core.services.bonus_settings import set_bonuses
from admin_core.services.bonuses import Bonuses, bonuses_of
from admin_core.services.consents import ConsentContext
from admin_core.services.customer_import import apply_import, dry_run
from admin_core.services.enrolment import NewCustomer, enrol
from admin_core.services.hotspots import HotspotOptions, create_hotspot, get_hotspot
from admin_core.services.merchants import get_merchant
from admin_core.services.signup import join
from admin_core.services.staff import StaffScope
from admin_core.services.wifi import Arrival, connect, purge_wifi_guests

from .conftest import SECRET
from .smtp import Inbox
from .test_wifi_core import OPENNDS, guest, hotspot

ALL = frozenset(CustomerSource)


def admin(core: Core) -> StaffScope:
    with core.db.read() as session:
        return StaffScope.merchant(get_merchant(session, "demo").id)


def gifts(db: Database, number: str) -> list[tuple[OperationKind, int, str | None]]:
    with db.read() as session:
        card = session.scalars(select(Card).where(Card.number == number)).one()
        rows = session.scalars(select(Operation).where(Operation.card_id == card.id).order_by(Operation.id))
        return [(row.kind, row.points, row.store.code if row.store else None) for row in rows]


def points(db: Database, number: str) -> int:
    with db.read() as session:
        return session.scalars(select(Card.points).where(Card.number == number)).one()


def test_the_admin_sets_them_and_a_bad_value_is_said_at_its_field(core: Core, demo: dict[str, Any]) -> None:
    scope = admin(core)
    with core.db.read() as session:
        assert bonuses_of(session, scope.merchant_id) == Bonuses()  # none until set
    with pytest.raises(InvalidAtFields) as refused:
        set_bonuses(core.db, scope, Bonuses(welcome_points=-1, wifi_visit_points=100_001))
    assert refused.value.codes == {"welcome_points": "invalid_points", "wifi_visit_points": "invalid_points"}
    with pytest.raises(Forbidden):
        set_bonuses(core.db, StaffScope(scope.merchant_id, 1, StaffLevel.MANAGER, None), Bonuses(50))
    chosen = Bonuses(50, frozenset({CustomerSource.WEB, CustomerSource.TILL}), 5)
    set_bonuses(core.db, scope, chosen)
    set_bonuses(core.db, scope, chosen)  # once more: the same row, changed
    with core.db.read() as session:
        assert bonuses_of(session, scope.merchant_id) == chosen


def test_a_welcome_bonus_only_for_the_sources_chosen(core: Core, demo: dict[str, Any]) -> None:
    scope = admin(core)
    set_bonuses(core.db, scope, Bonuses(50, frozenset({CustomerSource.WEB, CustomerSource.TILL})))
    with core.db.read() as session:
        merchant = get_merchant(session, "demo")
    web = join(
        core.db,
        core.passwords,
        merchant,
        guest(email="web@example.com", last_name="Berg", store="MAIN"),
        ConsentContext("portal_join"),
        timedelta(days=1),
    )
    with core.db.write() as session:
        till = enrol(core.db, session, scope, NewCustomer("Marta", store="MAIN"), "staff").number
    spot = hotspot(core)
    with core.db.write() as session:
        wifi = connect(
            core.db,
            session,
            get_hotspot(session, spot.merchant_id, "cafe"),
            Arrival("n1", None, None),
            guest(),
        ).card_number

    assert gifts(core.db, web.card_number) == [(OperationKind.WELCOME_BONUS, 50, "MAIN")]
    assert gifts(core.db, till) == [(OperationKind.WELCOME_BONUS, 50, "MAIN")]
    assert gifts(core.db, wifi) == []  # the Wi-Fi was not chosen
    assert points(core.db, web.card_number) == 50


def test_imported_customers_get_it_beside_their_opening_balance(core: Core, demo: dict[str, Any]) -> None:
    scope = admin(core)
    set_bonuses(core.db, scope, Bonuses(25, frozenset({CustomerSource.IMPORT})))
    csv = b"card_number,first_name,email,points\n5000000001,Giulia,giulia@example.com,120\n"
    apply_import(core.db, scope.merchant_id, dry_run(core.db, scope.merchant_id, "c.csv", csv).id)
    kinds = [(kind, amount) for kind, amount, _store in gifts(core.db, "5000000001")]
    assert kinds == [(OperationKind.ADJUSTMENT, 120), (OperationKind.WELCOME_BONUS, 25)]
    assert points(core.db, "5000000001") == 145


def wifi_visit(core: Core, public_id: str, nonce: str, when: datetime, new: bool = False) -> str | None:
    with core.db.write() as session:
        spot = get_hotspot(session, admin(core).merchant_id, public_id)
        made = connect(
            core.db,
            session,
            spot,
            Arrival(nonce, "02:00:00:00:00:01", "10.0.0.9"),
            guest() if new else None,
            now=when,
        )
        return made.card_number


def test_the_day_s_first_wi_fi_visit_at_each_venue_gives_points(core: Core, demo: dict[str, Any]) -> None:
    set_bonuses(core.db, admin(core), Bonuses(wifi_visit_points=5))
    hotspot(core, "cafe")
    with core.db.write() as session:
        merchant = get_merchant(session, "demo")
        merchant.timezone = "Europe/Rome"

    create_hotspot(core.db, merchant.id, "STATION", HotspotKind.OPENNDS, OPENNDS, HotspotOptions(), "station")
    morning = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)  # 09:00 in Rome
    number = wifi_visit(core, "cafe", "a", morning, new=True)
    assert number is not None
    wifi_visit(core, "cafe", "b", morning + timedelta(hours=14))  # 23:00 in Rome: the same day
    wifi_visit(core, "station", "c", morning + timedelta(hours=14))  # another venue
    wifi_visit(core, "cafe", "d", morning + timedelta(hours=15, minutes=1))  # 00:01 the next day
    assert gifts(core.db, number) == [
        (OperationKind.VISIT_BONUS, 5, "MAIN"),
        (OperationKind.VISIT_BONUS, 5, "STATION"),
        (OperationKind.VISIT_BONUS, 5, "MAIN"),
    ]


def test_an_address_typed_on_a_splash_earns_nothing_for_its_owner(core: Core, demo: dict[str, Any]) -> None:
    set_bonuses(core.db, admin(core), Bonuses(wifi_visit_points=5))
    spot = hotspot(core)
    now = datetime.now(UTC)
    number = wifi_visit(core, "cafe", "a", now, new=True)
    with core.db.write() as session:
        fresh = get_hotspot(session, spot.merchant_id, "cafe")
        # Another device, the same address typed the next day: the card is answered, not credited.
        connect(
            core.db,
            session,
            fresh,
            Arrival("b", "02:00:00:00:00:09", None),
            guest(),
            now=now + timedelta(days=1),
        )
    assert number is not None and [kind for kind, *_ in gifts(core.db, number)] == [OperationKind.VISIT_BONUS]


@pytest.mark.both_backends  # the card's row lock (PostgreSQL), the write lock (SQLite)
def test_visits_racing_on_one_day_give_the_points_once(committed_db: Database, inbox: Inbox) -> None:
    app = admin_core.create_app(
        {"TESTING": True, "SECRET_KEY": SECRET, "PASSWORD_HASH_FAST": True}, database=committed_db
    )
    core = app.extensions[EXTENSION]
    load_demo(core, SECRET)
    set_bonuses(core.db, admin(core), Bonuses(wifi_visit_points=5))
    hotspot(core)
    now = datetime.now(UTC)
    number = wifi_visit(core, "cafe", "first", now - timedelta(days=1), new=True)
    start = Barrier(8)

    def arrive(attempt: int) -> None:
        start.wait(timeout=30)
        wifi_visit(core, "cafe", f"race-{attempt}", now)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(arrive, range(8)))
    assert number is not None
    assert [kind for kind, *_ in gifts(core.db, number)] == [OperationKind.VISIT_BONUS] * 2
    assert points(core.db, number) == 10


def test_a_guest_with_only_gifts_is_still_a_wifi_only_guest(core: Core, demo: dict[str, Any]) -> None:
    set_bonuses(core.db, admin(core), Bonuses(10, ALL, 5))
    hotspot(core, guest_retention_days=30)
    number = wifi_visit(core, "cafe", "a", datetime.now(UTC) - timedelta(days=31), new=True)
    assert number is not None and points(core.db, number) == 15
    assert purge_wifi_guests(core.db) == 1

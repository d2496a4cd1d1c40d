"""Staff find a customer by the start of a name, an address, a phone or a card number, in any case,
with or without accents, a page at a time; never another merchant's."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from admin_core.database import Database
from admin_core.errors import Invalid
from admin_core.models import Customer, CustomerSource, Merchant
from admin_core.services import utcnow
from admin_core.services.cards import enroll_customer
from admin_core.services.consents import ConsentContext
from admin_core.services.customer_import import apply_import, dry_run
from admin_core.services.customer_search import CustomerFilters, search_customers
from admin_core.services.merchants import create_merchant, create_store
from admin_core.services.profile import erase_customer
from admin_core.services.staff import StaffScope

pytestmark = pytest.mark.both_backends  # prefix matching is dialect SQL (LIKE, or ranges on SQLite)


@dataclass(frozen=True)
class Shop:
    scope: StaffScope
    other: StaffScope


PEOPLE = [
    # number, first, last, e-mail, phone, home store, source
    ("5100000001", "Mario", "Rossi", "mario.rossi@example.com", "+39 333 123 4567", "A", CustomerSource.WEB),
    ("5100000002", "José", "Álvarez", "jose@example.es", "0034 600 111 222", "B", CustomerSource.WIFI),
    ("5100000003", "Anna", "Rossini", "anna_r@example.com", None, None, CustomerSource.IMPORT),
    ("5100000004", "Ingrid", "Ødegård", None, "+47 912 34 567", "A", None),
    ("ABC12345", "Jose", "Bianchi", "JB@Example.com", "02 1234 5678", "B", CustomerSource.WEB),
]


@pytest.fixture
def shop(db: Database) -> Shop:
    merchant = create_merchant(db, "shop", "Shop")
    stores = {code: create_store(db, merchant.id, code, f"Store {code}").id for code in ("A", "B")}
    for number, first, last, email, phone, store, source in PEOPLE:
        enroll_customer(
            db,
            merchant.id,
            number,
            first_name=first,
            last_name=last,
            email=email,
            phone=phone,
            store_id=stores[store] if store else None,
            source=source,
        )
    other = create_merchant(db, "other", "Other")
    enroll_customer(db, other.id, "5100000009", first_name="Mario", last_name="Rossi", phone="+39 333 1")
    return Shop(StaffScope.merchant(merchant.id), StaffScope.merchant(other.id))


def numbers(db: Database, scope: StaffScope, query: str = "", **filters: object) -> list[str]:
    with db.read() as session:
        page = search_customers(session, scope, query, CustomerFilters(**filters))  # type: ignore[arg-type]
    return [row.number for row in page.rows]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("ros", ["5100000003", "5100000001"]),  # newest card first
        ("ROSSI", ["5100000003", "5100000001"]),
        ("rossi mario", ["5100000001"]),
        ("Mario Rossi", ["5100000001"]),
        ("mario  ROSSI", ["5100000001"]),
        ("josé", ["ABC12345", "5100000002"]),
        ("JOSÉ", ["ABC12345", "5100000002"]),
        ("jose", ["ABC12345", "5100000002"]),
        ("alvarez", ["5100000002"]),
        ("odegard", ["5100000004"]),
        ("Ødegård ingrid", ["5100000004"]),
        ("mario.ro", ["5100000001"]),
        ("jb@example", ["ABC12345"]),
        ("anna_", ["5100000003"]),  # "_" is a character, not a wildcard
        ("anna%", []),
        ("+39 333 12", ["5100000001"]),
        ("39333", ["5100000001"]),
        ("0039 333-123", ["5100000001"]),
        ("0034 600", ["5100000002"]),
        ("02 1234", ["ABC12345"]),
        ("+47 912", ["5100000004"]),
        ("5100 0000 0", ["5100000004", "5100000003", "5100000002", "5100000001"]),
        ("5100000002", ["5100000002"]),
        ("abc1", ["ABC12345"]),
        ("ossi", []),  # the start of a key, not any part of it
        ("zzz", []),
    ],
)
def test_search_finds_by_the_start_in_any_case_and_accent(
    db: Database, shop: Shop, query: str, found: list[str]
) -> None:
    assert numbers(db, shop.scope, query) == found


def test_another_merchant_s_customers_never_appear(db: Database, shop: Shop) -> None:
    assert numbers(db, shop.other, "mario") == ["5100000009"]
    assert numbers(db, shop.other, "+39 333") == ["5100000009"]
    assert "5100000009" not in numbers(db, shop.scope, "mario") + numbers(db, shop.scope)
    assert numbers(db, shop.other, "jose") == []


def test_filters(db: Database, shop: Shop) -> None:
    assert numbers(db, shop.scope, source=CustomerSource.WIFI) == ["5100000002"]
    assert numbers(db, shop.scope, "jose", source=CustomerSource.WEB) == ["ABC12345"]
    assert numbers(db, shop.scope, store="A") == ["5100000004", "5100000001"]
    assert numbers(db, shop.scope, marketing=True) == []
    assert len(numbers(db, shop.scope, marketing=False)) == 5
    with pytest.raises(Invalid) as unknown:
        numbers(db, shop.other, store="A")  # the demo's store is no store of the other merchant
    assert unknown.value.code == "unknown_store"


def test_a_changed_name_is_found_by_its_new_keys(db: Database, shop: Shop) -> None:
    with db.write() as session:
        customer = session.scalars(
            select(Customer).where(
                Customer.last_name == "Rossi", Customer.merchant_id == shop.scope.merchant_id
            )
        ).one()
        customer.last_name = "Verdi"
        customer.phone = "345 000"
    assert numbers(db, shop.scope, "rossi") == ["5100000003"]
    assert numbers(db, shop.scope, "verdi m") == ["5100000001"]
    assert numbers(db, shop.scope, "345") == ["5100000001"]


@pytest.fixture
def many(db: Database, shop: Shop) -> list[str]:
    made = []
    for index in range(23):
        number = f"52000000{index:02}"
        enroll_customer(db, shop.scope.merchant_id, number, first_name=f"Luca{index:02}", last_name="Neri")
        made.append(number)
    return made[::-1]


def test_a_cursor_walks_every_page_once(db: Database, shop: Shop, many: list[str]) -> None:
    seen: list[str] = []
    cursor = None
    pages = 0
    with db.read() as session:
        while True:
            page = search_customers(session, shop.scope, "neri", cursor=cursor, limit=5)
            seen.extend(row.number for row in page.rows)
            pages += 1
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    assert seen == many and pages == 5
    back: list[str] = []
    with db.read() as session:
        cursor = page.previous_cursor
        while cursor is not None:
            page = search_customers(session, shop.scope, "neri", cursor=cursor, limit=5)
            back = [row.number for row in page.rows] + back
            cursor = page.previous_cursor
    assert back == many[:-3]  # every page before the last, in order, each once


@pytest.mark.parametrize(
    "cursor",
    [
        "nonsense!",
        base64.urlsafe_b64encode(b"12|0000000000000000").decode(),
        base64.urlsafe_b64encode(b"x|y").decode(),
        "A" * 200,
    ],
)
def test_a_cursor_not_ours_is_refused(db: Database, shop: Shop, many: list[str], cursor: str) -> None:
    with db.read() as session, pytest.raises(Invalid) as refused:
        search_customers(session, shop.scope, "neri", cursor=cursor)
    assert refused.value.code == "invalid_cursor"


def test_a_cursor_of_another_search_is_refused(db: Database, shop: Shop, many: list[str]) -> None:
    with db.read() as session:
        cursor = search_customers(session, shop.scope, "neri", limit=5).next_cursor
        assert cursor is not None
        with pytest.raises(Invalid) as refused:
            search_customers(session, shop.scope, "luca", cursor=cursor)
    assert refused.value.code == "invalid_cursor"


def test_bad_input_is_a_clear_refusal(db: Database, shop: Shop) -> None:
    with db.read() as session:
        for query, limit, code in (("x" * 101, 20, "invalid_query"), ("x", 0, "invalid_limit")):
            with pytest.raises(Invalid) as refused:
                search_customers(session, shop.scope, query, limit=limit)
            assert refused.value.code == code


def test_imported_customers_are_found(db: Database, shop: Shop) -> None:
    report = dry_run(
        db,
        shop.scope.merchant_id,
        "customers.csv",
        "card,first_name,last_name\n5300000001,Zoë,Lindqvist\n".encode(),
    )
    apply_import(db, shop.scope.merchant_id, report.id)
    assert numbers(db, shop.scope, "zoe lind") == ["5300000001"]
    assert numbers(db, shop.scope, source=CustomerSource.IMPORT) == ["5300000001", "5100000003"]


def test_an_erased_customer_is_not_found(db: Database, shop: Shop) -> None:
    with db.write() as session:
        customer = session.scalars(
            select(Customer).where(
                Customer.last_name == "Rossi", Customer.merchant_id == shop.scope.merchant_id
            )
        ).one()
        merchant = session.get_one(Merchant, shop.scope.merchant_id)
        erase_customer(session, merchant, customer, ConsentContext("staff"), utcnow())
    assert numbers(db, shop.scope, "mario") == []
    assert "5100000001" not in numbers(db, shop.scope)

"""Customer groups (the services): a manual group holds the customers added to it, a filter group
whoever its saved search finds now; names are unique per merchant; membership is one SQL
condition; another merchant's cards and groups are no such thing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from threading import Barrier

import pytest
from sqlalchemy import func, select

from admin_core.database import Database
from admin_core.errors import Conflict, CoreError, Forbidden, Invalid, NotFound
from admin_core.models import Customer, CustomerGroup, CustomerSource, GroupKind, StaffLevel
from admin_core.services.cards import enroll_customer
from admin_core.services.customer_groups import (
    GroupDetails,
    InvalidGroup,
    add_member,
    count_members,
    is_member,
    list_groups,
    manual_groups_of,
    new_group,
    remove_member,
)
from admin_core.services.customer_search import CustomerFilters, search_customers
from admin_core.services.merchants import create_merchant, create_store
from admin_core.services.staff import StaffScope


@dataclass(frozen=True)
class Shop:
    scope: StaffScope
    other: StaffScope
    customers: dict[str, int]  # card number: customer id


PEOPLE = [
    ("5300000001", "Mario", "Rossi", True, "A", CustomerSource.WEB),
    ("5300000002", "Anna", "Rossini", False, "B", CustomerSource.WIFI),
    ("5300000003", "Ingrid", "Berg", True, "B", CustomerSource.WEB),
]


@pytest.fixture
def shop(db: Database) -> Shop:
    merchant = create_merchant(db, "shop", "Shop")
    stores = {code: create_store(db, merchant.id, code, f"Store {code}").id for code in ("A", "B")}
    customers = {}
    for number, first, last, marketing, store, source in PEOPLE:
        card = enroll_customer(
            db,
            merchant.id,
            number,
            first_name=first,
            last_name=last,
            store_id=stores[store],
            source=source,
        )
        consent(db, card.customer_id, marketing)
        customers[number] = card.customer_id
    other = create_merchant(db, "other", "Other")
    enroll_customer(db, other.id, "5300000009", first_name="Mario", last_name="Rossi")
    return Shop(StaffScope.merchant(merchant.id), StaffScope.merchant(other.id), customers)


def consent(db: Database, customer_id: int, marketing: bool) -> None:
    with db.write() as session:
        session.get_one(Customer, customer_id).marketing_consent = marketing


def listed(db: Database, scope: StaffScope, group: int) -> list[str]:
    with db.read() as session:
        page = search_customers(session, scope, "", CustomerFilters(group=group))
    return [row.number for row in page.rows]


def test_a_manual_group_holds_the_customers_added_once_each(db: Database, shop: Shop) -> None:
    group = new_group(db, shop.scope, GroupDetails(" Regulars "))
    assert (group.name, group.kind, group.search) == ("Regulars", GroupKind.MANUAL, None)
    with db.write() as session:
        add_member(session, shop.scope, group.id, "5300000001")
        add_member(session, shop.scope, group.id, "5300 0000 03")
        add_member(session, shop.scope, group.id, "5300000001")  # again: nothing changes
    assert listed(db, shop.scope, group.id) == ["5300000003", "5300000001"]
    with db.write() as session:
        remove_member(session, shop.scope, group.id, "5300000001")
        remove_member(session, shop.scope, group.id, "5300000001")  # not in it: nothing changes
    with db.read() as session:
        assert count_members(session, session.get_one(CustomerGroup, group.id)) == 1
        assert is_member(session, shop.scope.merchant_id, group.id, shop.customers["5300000003"])
        assert not is_member(session, shop.scope.merchant_id, group.id, shop.customers["5300000001"])
        assert [g.name for g in manual_groups_of(session, shop.scope, shop.customers["5300000003"])] == [
            "Regulars"
        ]


def test_a_filter_group_holds_whoever_its_search_finds_now(db: Database, shop: Shop) -> None:
    group = new_group(
        db, shop.scope, GroupDetails("Rossi who said yes", GroupKind.FILTER, {"q": "ross", "marketing": True})
    )
    assert group.search == {"q": "ross", "marketing": True, "source": None, "store": None}
    assert listed(db, shop.scope, group.id) == ["5300000001"]
    everyone_at_b = new_group(db, shop.scope, GroupDetails("B", GroupKind.FILTER, {"store": "B"}))
    assert listed(db, shop.scope, everyone_at_b.id) == ["5300000003", "5300000002"]
    luca = enroll_customer(db, shop.scope.merchant_id, "5300000004", first_name="Luca", last_name="Rossetti")
    consent(db, luca.customer_id, True)
    assert listed(db, shop.scope, group.id) == ["5300000004", "5300000001"]  # found on read
    with db.write() as session, pytest.raises(Invalid) as refused:
        add_member(session, shop.scope, group.id, "5300000002")
    assert refused.value.code == "group_not_manual"


@pytest.mark.parametrize(
    ("details", "field", "code"),
    [
        (GroupDetails(""), "name", "invalid_name"),
        (GroupDetails("   "), "name", "invalid_name"),
        (GroupDetails("x" * 201), "name", "invalid_name"),
        (GroupDetails("F", GroupKind.FILTER, "marketing"), "search", "invalid_search"),
        (GroupDetails("F", GroupKind.FILTER, None), "search", "invalid_search"),
        (GroupDetails("F", GroupKind.FILTER, {"tier": "gold"}), "search", "invalid_search"),
        (GroupDetails("F", GroupKind.FILTER, {"marketing": "yes"}), "search", "invalid_search"),
        (GroupDetails("F", GroupKind.FILTER, {"source": "fax"}), "search", "invalid_search"),
        (GroupDetails("F", GroupKind.FILTER, {"q": "x" * 101}), "search", "invalid_search"),
        (GroupDetails("F", GroupKind.FILTER, {"q": 5}), "search", "invalid_search"),
        (GroupDetails("F", GroupKind.FILTER, {"store": "NOPE"}), "search", "unknown_store"),
        (GroupDetails("M", GroupKind.MANUAL, {"q": "a"}), "search", "invalid_search"),
    ],
)
def test_bad_details_are_said_at_their_field_and_nothing_is_made(
    db: Database, shop: Shop, details: GroupDetails, field: str, code: str
) -> None:
    with pytest.raises(InvalidGroup) as refused:
        new_group(db, shop.scope, details)
    assert refused.value.codes == {field: code}
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(CustomerGroup)) == 0


def test_a_name_is_taken_once_per_merchant(db: Database, shop: Shop) -> None:
    new_group(db, shop.scope, GroupDetails("Regulars"))
    with pytest.raises(Conflict) as refused:
        new_group(db, shop.scope, GroupDetails("Regulars", GroupKind.FILTER, {}))
    assert refused.value.code == "customer_group_exists"
    assert new_group(db, shop.other, GroupDetails("Regulars")).name == "Regulars"  # another merchant's


def test_another_merchants_cards_and_groups_are_no_such_thing(db: Database, shop: Shop) -> None:
    mine = new_group(db, shop.scope, GroupDetails("Regulars"))
    theirs = new_group(db, shop.other, GroupDetails("Theirs"))
    with db.write() as session:
        with pytest.raises(NotFound) as card:
            add_member(session, shop.scope, mine.id, "5300000009")
        with pytest.raises(NotFound) as group:
            add_member(session, shop.scope, theirs.id, "5300000001")
    assert (card.value.code, group.value.code) == ("card_not_found", "customer_group_not_found")
    with db.read() as session, pytest.raises(Invalid) as filtered:
        search_customers(session, shop.scope, "", CustomerFilters(group=theirs.id))
    assert filtered.value.code == "unknown_group"
    with db.read() as session:
        assert [g.name for g in list_groups(session, shop.scope).groups] == ["Regulars"]


def test_only_the_admin_keeps_groups(db: Database, shop: Shop) -> None:
    manager = StaffScope(shop.scope.merchant_id, None, StaffLevel.MANAGER, None)
    with pytest.raises(Forbidden):
        new_group(db, manager, GroupDetails("Regulars"))


def test_groups_are_listed_a_page_at_a_time(db: Database, shop: Shop) -> None:
    for name in ("One", "Two", "Three"):
        new_group(db, shop.scope, GroupDetails(name))
    with db.read() as session:
        first = list_groups(session, shop.scope, limit=2)
        rest = list_groups(session, shop.scope, first.next_cursor, limit=2)
    assert [g.name for g in first.groups + rest.groups] == ["One", "Two", "Three"]
    assert rest.next_cursor is None


@pytest.mark.both_backends  # the unique constraint decides the race
def test_two_creates_of_one_name_at_once_make_one_group(committed_db: Database) -> None:
    merchant = create_merchant(committed_db, "race", "Race")
    scope = StaffScope.merchant(merchant.id)
    start = Barrier(4)

    def create(_: int) -> str:
        start.wait(timeout=30)
        try:
            new_group(committed_db, scope, GroupDetails("Regulars"))
        except CoreError as refused:
            return refused.code
        return "ok"

    with ThreadPoolExecutor(4) as pool:
        outcomes = sorted(pool.map(create, range(4)))
    assert outcomes == ["customer_group_exists"] * 3 + ["ok"]
    with committed_db.read() as session:
        assert session.scalar(select(func.count()).select_from(CustomerGroup)) == 1

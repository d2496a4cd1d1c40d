"""Coupons the merchant publishes (for everyone or for a home store) and passes held on a card."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from threading import Barrier
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from admin_api_client import CoreClient
from admin_core.context import Core
from admin_core.database import Database
from admin_core.errors import Conflict, Invalid, NotFound
from admin_core.models import Pass
from admin_core.services import utcnow
from admin_core.services.cards import enroll_customer, get_card
from admin_core.services.merchants import create_merchant, find_store
from admin_core.services.offers import (
    PassStatus,
    customer_offers,
    issue_pass,
    pass_status,
    publish_coupon,
    use_pass_entry,
)

from .conftest import login
from .test_history import NUMBER, PASSWORD, Shop, shop, site
from .test_statements import count_statements

__all__ = ["shop"]  # the fixture, shared with the history tests

OFFERS = "/p/shop/offers"
ROME = ZoneInfo("Europe/Rome")
DAY = timedelta(days=1)


def set_home_store(db: Database, merchant_id: int, code: str | None, number: str = NUMBER) -> None:
    with db.write() as session:
        store = find_store(session, merchant_id, code) if code else None
        get_card(session, merchant_id, number).customer.store_id = store.id if store else None


def coupon(core: Core, merchant_id: int, title: str, **options: Any) -> None:
    now = utcnow()
    options.setdefault("valid_from", now - DAY)
    options.setdefault("valid_until", now + 30 * DAY)
    publish_coupon(core.db, merchant_id, title=title, **options)


def give(core: Core, shop: Shop, name: str, **options: Any) -> Pass:
    """A pass on the shop's card."""
    return issue_pass(core.db, shop.merchant_id, NUMBER, name=name, **options)


def titles(core: Core, merchant_id: int, now: datetime | None = None) -> list[str]:
    with core.db.read() as session:
        return [found.title for found in customer_offers(session, merchant_id, NUMBER, now).coupons]


# Coupons


def test_customer_sees_coupons_for_everyone_and_for_their_home_store_only(core: Core, shop: Shop) -> None:
    now = utcnow()
    coupon(core, shop.merchant_id, "For everyone", now=now - 3 * DAY)
    coupon(core, shop.merchant_id, "Centre only", store_code="CENTRE", now=now - 2 * DAY)
    coupon(core, shop.merchant_id, "Mall only", store_code="MALL", now=now - DAY)
    coupon(core, shop.other_merchant_id, "Another merchant's")

    assert titles(core, shop.merchant_id) == ["For everyone"]
    set_home_store(core.db, shop.merchant_id, "CENTRE")
    assert titles(core, shop.merchant_id) == ["Centre only", "For everyone"]  # newest first
    set_home_store(core.db, shop.merchant_id, "MALL")
    assert titles(core, shop.merchant_id) == ["Mall only", "For everyone"]


def test_only_published_coupons_within_their_period_show(core: Core, shop: Shop) -> None:
    now = utcnow()
    coupon(core, shop.merchant_id, "Current")
    coupon(core, shop.merchant_id, "Draft", published=False)
    coupon(core, shop.merchant_id, "Ended", valid_from=now - 10 * DAY, valid_until=now - DAY)
    coupon(core, shop.merchant_id, "Later", valid_from=now + DAY, valid_until=now + 10 * DAY)
    coupon(core, shop.merchant_id, "Ends now", valid_from=now - DAY, valid_until=now)
    coupon(core, shop.merchant_id, "Starts now", valid_from=now, valid_until=now + DAY)
    assert sorted(titles(core, shop.merchant_id, now)) == ["Current", "Starts now"]


def test_publishing_refuses_bad_coupons(core: Core, shop: Shop) -> None:
    now = utcnow()
    for options, code in [
        ({"title": "  "}, "invalid_title"),
        ({"title": "x", "valid_from": now, "valid_until": now}, "invalid_period"),
        ({"title": "x", "valid_until": datetime(2099, 1, 1)}, "invalid_period"),  # no time zone
        ({"title": "x", "code": "TEN OFF!"}, "invalid_coupon_code"),
        ({"title": "x", "store_code": "NOWHERE"}, "unknown_store"),
    ]:
        options.setdefault("valid_until", now + DAY)
        with pytest.raises(Invalid) as refused:
            publish_coupon(core.db, shop.merchant_id, **options)
        assert refused.value.code == code
    assert titles(core, shop.merchant_id) == []


# Passes


def test_passes_show_entries_left_and_whether_they_are_still_usable(core: Core, shop: Shop) -> None:
    now = utcnow()
    ten = give(core, shop, "10 swims", entries=10, valid_until=now + 60 * DAY)
    for _ in range(3):
        use_pass_entry(core.db, shop.merchant_id, ten.id)
    give(core, shop, "Gym month", valid_until=now + 30 * DAY)
    give(core, shop, "Spring", valid_from=now - 40 * DAY, valid_until=now - 10 * DAY)
    one = give(core, shop, "Trial", entries=1, valid_until=now + 5 * DAY)
    use_pass_entry(core.db, shop.merchant_id, one.id)
    give(core, shop, "Long gone", valid_from=now - 400 * DAY, valid_until=now - 100 * DAY)
    give(core, shop, "Summer", valid_from=now + 20 * DAY, valid_until=now + 90 * DAY)

    later = utcnow()  # the passes above start when issued
    with core.db.read() as session:
        passes = customer_offers(session, shop.merchant_id, NUMBER, later).passes
    shown = {held.name: (held.entries_total, held.entries_left, pass_status(held, later)) for held in passes}
    assert shown == {
        "Summer": (None, None, PassStatus.UPCOMING),
        "10 swims": (10, 7, PassStatus.ACTIVE),
        "Gym month": (None, None, PassStatus.ACTIVE),
        "Trial": (1, 0, PassStatus.USED_UP),
        "Spring": (None, None, PassStatus.EXPIRED),
    }


def test_using_a_pass_refuses_when_used_up_expired_not_started_or_not_ours(core: Core, shop: Shop) -> None:
    now = utcnow()
    two = give(core, shop, "Two", entries=2, valid_until=now + DAY)
    assert use_pass_entry(core.db, shop.merchant_id, two.id).entries_left == 1
    assert use_pass_entry(core.db, shop.merchant_id, two.id).entries_left == 0
    unlimited = give(core, shop, "Open", valid_until=now + DAY)
    assert use_pass_entry(core.db, shop.merchant_id, unlimited.id).entries_left is None

    with pytest.raises(Conflict) as used_up:
        use_pass_entry(core.db, shop.merchant_id, two.id)
    assert used_up.value.code == "pass_used_up"
    with pytest.raises(Conflict) as expired:
        use_pass_entry(core.db, shop.merchant_id, unlimited.id, now=now + 2 * DAY)
    assert expired.value.code == "pass_expired"
    later = give(core, shop, "Later", entries=5, valid_from=now + DAY, valid_until=now + 9 * DAY)
    with pytest.raises(Conflict) as early:
        use_pass_entry(core.db, shop.merchant_id, later.id)
    assert early.value.code == "pass_not_started"
    with pytest.raises(NotFound):
        use_pass_entry(core.db, shop.other_merchant_id, later.id)
    with core.db.read() as session:
        left = dict(
            session.execute(select(Pass.name, Pass.entries_left).where(Pass.id.in_([two.id, later.id]))).all()
        )
    assert left == {"Two": 0, "Later": 5}


@pytest.mark.both_backends  # a row lock (SELECT ... FOR UPDATE)
def test_using_a_pass_locks_its_row(core: Core, shop: Shop) -> None:
    if core.db.dialect != "postgresql":
        pytest.skip("SQLite has no row locks: its write transactions (BEGIN IMMEDIATE) run one at a time")
    held = give(core, shop, "Ten", entries=10, valid_until=utcnow() + DAY)
    with count_statements(core) as statements:
        use_pass_entry(core.db, shop.merchant_id, held.id)
    [read] = [statement for statement in statements if statement.startswith("SELECT")]
    assert "FOR UPDATE OF passes" in read


@pytest.mark.both_backends  # a race on a row lock
def test_simultaneous_uses_never_take_more_entries_than_left(committed_db: Database) -> None:
    merchant = create_merchant(committed_db, "pool", "Pool", portal_enabled=True)
    enroll_customer(committed_db, merchant.id, NUMBER, first_name="Swimmer")
    held = issue_pass(
        committed_db, merchant.id, NUMBER, name="3 swims", entries=3, valid_until=utcnow() + DAY
    )
    start = Barrier(12)

    def use(_: int) -> str:
        start.wait(timeout=30)
        try:
            use_pass_entry(committed_db, merchant.id, held.id)
        except Conflict as refused:
            return refused.code
        return "ok"

    with ThreadPoolExecutor(12) as pool:
        outcomes = sorted(pool.map(use, range(12)))
    assert outcomes == ["ok"] * 3 + ["pass_used_up"] * 9
    with committed_db.read() as session:
        assert session.scalar(select(Pass.entries_left).where(Pass.id == held.id)) == 0


def test_issuing_refuses_bad_passes(core: Core, shop: Shop) -> None:
    now = utcnow()
    for options, code in [
        ({"name": ""}, "invalid_name"),
        ({"name": "x", "entries": 0}, "invalid_entries"),
        ({"name": "x", "entries": 10_001}, "invalid_entries"),
        ({"name": "x", "valid_from": now + DAY}, "invalid_period"),
    ]:
        with pytest.raises(Invalid) as refused:
            issue_pass(core.db, shop.merchant_id, NUMBER, valid_until=now + DAY, **options)
        assert refused.value.code == code
    with pytest.raises(NotFound):
        issue_pass(core.db, shop.merchant_id, "8999999999", name="x", valid_until=now + DAY)
    with core.db.read() as session:
        card_id = get_card(session, shop.merchant_id, NUMBER).id
        assert session.scalars(select(Pass).where(Pass.card_id == card_id)).all() == []


@pytest.mark.both_backends  # a statement count
def test_offers_take_three_statements(core: Core, shop: Shop) -> None:
    set_home_store(core.db, shop.merchant_id, "CENTRE")
    for n in range(5):
        coupon(core, shop.merchant_id, f"Coupon {n}", store_code="CENTRE" if n % 2 else None)
        give(core, shop, f"Pass {n}", entries=5, valid_until=utcnow() + DAY)
    with count_statements(core) as statements, core.db.read() as session:
        offers = customer_offers(session, shop.merchant_id, NUMBER)
        stores = [found.store.name if found.store else None for found in offers.coupons]
    assert len(offers.coupons) == 5 and len(offers.passes) == 5
    assert stores.count("Centro città") == 2
    assert len(statements) == 3, statements


# The API


@pytest.fixture
def api(core_app: Flask) -> FlaskClient:
    return core_app.test_client()


def test_api_answers_coupons_and_passes(api: FlaskClient, core: Core, shop: Shop) -> None:
    set_home_store(core.db, shop.merchant_id, "CENTRE")
    coupon(core, shop.merchant_id, "Coffee", code="coffee-2", description="Two for one", store_code="CENTRE")
    give(core, shop, "10 swims", entries=10, valid_until=utcnow() + DAY)
    response = api.get(f"/api/v1/portal/cards/{NUMBER}/offers", headers=site(shop))
    assert response.status_code == 200
    [found] = response.json["coupons"]
    assert (found["title"], found["code"], found["description"]) == ("Coffee", "COFFEE-2", "Two for one")
    assert (found["store_code"], found["store_name"]) == ("CENTRE", "Centro città")
    [held] = response.json["passes"]
    assert (held["name"], held["entries_total"], held["entries_left"], held["status"]) == (
        "10 swims",
        10,
        10,
        "active",
    )


def test_client_reads_offers_as_typed_values(core_app: Flask, core: Core, shop: Shop) -> None:
    give(core, shop, "10 swims", entries=10, valid_until=utcnow() + DAY)
    give(core, shop, "Winter", valid_from=utcnow() - 9 * DAY, valid_until=utcnow() - DAY)
    coupon(core, shop.merchant_id, "Coffee", code="COFFEE")
    client = CoreClient.in_process(core_app, api_key=shop.site_key).for_merchant("shop")
    offers = client.card_offers(NUMBER)
    assert [(found.title, found.code, found.store_code) for found in offers.coupons] == [
        ("Coffee", "COFFEE", None)
    ]
    assert [(held.name, held.entries_left) for held in offers.current_passes] == [("10 swims", 10)]
    assert [(held.name, held.status) for held in offers.past_passes] == [("Winter", "expired")]


def test_api_offers_are_for_the_site_only(api: FlaskClient, shop: Shop) -> None:
    path = f"/api/v1/portal/cards/{NUMBER}/offers"
    assert api.get(path, headers={"Authorization": f"Bearer {shop.merchant_key}"}).status_code == 403
    assert api.get("/api/v1/portal/cards/8999999999/offers", headers=site(shop)).status_code == 404


# The page


def section(page: str, title: str) -> str:
    found = re.search(rf'<h2 id="[\w-]+">{title}</h2>(.*?)</section>', page, re.S)
    assert found, title
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1)))


def test_page_shows_coupons_with_code_and_last_day_in_the_merchants_zone(
    client: FlaskClient, core: Core, shop: Shop
) -> None:
    set_home_store(core.db, shop.merchant_id, "CENTRE")
    # Ends at midnight in Rome: the last day it can be used is the 31st.
    coupon(
        core, shop.merchant_id, "Spring sale", code="SPRING10", valid_until=datetime(2036, 4, 1, tzinfo=ROME)
    )
    coupon(
        core,
        shop.merchant_id,
        "Centre party",
        store_code="CENTRE",
        valid_until=datetime(2036, 5, 2, 15, 0, tzinfo=ROME),
    )
    coupon(core, shop.merchant_id, "Mall party", store_code="MALL")
    login(client, NUMBER, PASSWORD, merchant="shop")

    english = section(client.get(OFFERS, headers={"Accept-Language": "en"}).text, "Coupons")
    assert "Spring sale" in english and "SPRING10" in english
    assert "Valid until Mar 31, 2036" in english
    assert "Valid until May 2, 2036, 3:00" in english and "only at Centro città" in english
    assert "Mall party" not in english
    assert english.index("Centre party") < english.index("Spring sale")  # newest first

    italian = client.get(OFFERS, headers={"Accept-Language": "it"}).text
    assert "31 mar 2036" in italian and "2 mag 2036, 15:00" in italian


def test_page_shows_passes_entries_and_ended_ones_apart(client: FlaskClient, core: Core, shop: Shop) -> None:
    now = utcnow()
    ten = give(core, shop, "10 swims", entries=10, valid_until=now + 60 * DAY)
    for _ in range(3):
        use_pass_entry(core.db, shop.merchant_id, ten.id)
    give(core, shop, "Gym month", valid_until=now + 30 * DAY)
    give(core, shop, "Winter", valid_from=now - 40 * DAY, valid_until=now - DAY)
    login(client, NUMBER, PASSWORD, merchant="shop")

    page = client.get(OFFERS, headers={"Accept-Language": "en"}).text
    current = section(page, "Passes")
    assert "10 swims" in current and "7 of 10 entries left" in current
    assert "Gym month" in current and "Unlimited entries" in current
    assert "Winter" not in current
    ended = section(page, "Ended passes")
    assert "Winter" in ended and "Was valid until" in ended
    assert "No coupons at the moment" in page


def test_page_without_coupons_or_passes_says_so(client: FlaskClient, shop: Shop) -> None:
    login(client, NUMBER, PASSWORD, merchant="shop")
    page = client.get(OFFERS)
    assert page.status_code == 200
    assert "No coupons at the moment" in page.text and "You have no passes at the moment" in page.text
    assert "Ended passes" not in page.text


def test_page_is_for_logged_in_customers(client: FlaskClient, shop: Shop) -> None:
    response = client.get(OFFERS)
    assert response.status_code == 302 and "/p/shop/login" in response.headers["Location"]


@pytest.mark.both_backends  # a statement count
def test_page_statements_do_not_grow_with_offers(client: FlaskClient, core: Core, shop: Shop) -> None:
    set_home_store(core.db, shop.merchant_id, "CENTRE")
    login(client, NUMBER, PASSWORD, merchant="shop")
    counts = []
    for batch in range(2):
        for n in range(1 + 9 * batch):
            coupon(core, shop.merchant_id, f"C{batch}-{n}", store_code="CENTRE" if n % 2 else None)
            give(core, shop, f"P{batch}-{n}", valid_until=utcnow() + DAY)
        with count_statements(core) as statements:
            assert client.get(OFFERS).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 6, counts

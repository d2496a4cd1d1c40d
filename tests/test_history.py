"""A card's history: every operation, in the merchant's time zone and the customer's language,
a page at a time, as fast for the thousandth page as for the first."""

from __future__ import annotations

import base64
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert

from admin_api_client import CoreClient
from admin_api_client import Invalid as ClientInvalid
from admin_core.context import Core
from admin_core.database import Database
from admin_core.errors import Invalid, NotFound
from admin_core.models import Operation, OperationKind
from admin_core.services.cards import enroll_customer, get_card
from admin_core.services.history import Cursor, card_history, decode_cursor, encode_cursor
from admin_core.services.ledger import OperationRequest, record_operation
from admin_core.services.merchants import create_api_key, create_merchant, create_store
from admin_core.services.portal_auth import set_password

from .conftest import login
from .test_statements import count_statements

NUMBER = "8000000001"
PASSWORD = "shop-password-1"
HISTORY = "/p/shop/history"
API = f"/api/v1/portal/cards/{NUMBER}/history"
MINUS = "\u2212"  # how the page writes a negative amount


@dataclass(frozen=True)
class Shop:
    merchant_id: int
    other_merchant_id: int
    site_key: str
    merchant_key: str
    centre_id: int


@pytest.fixture
def shop(core: Core) -> Shop:
    """A merchant in Rome with two stores and one activated card; another merchant has a card with
    the same number."""
    merchant = create_merchant(core.db, "shop", "Bottega Rossi", portal_enabled=True, timezone="Europe/Rome")
    centre = create_store(core.db, merchant.id, "CENTRE", "Centro città")
    create_store(core.db, merchant.id, "MALL", "Galleria Nord")
    enroll_customer(core.db, merchant.id, NUMBER, first_name="Lucia")
    set_password(core.db, core.passwords, merchant.id, NUMBER, PASSWORD)
    other = create_merchant(core.db, "other", "Other Shop", portal_enabled=True)
    create_store(core.db, other.id, "CENTRE", "Elsewhere")
    enroll_customer(core.db, other.id, NUMBER, first_name="Someone")
    keys = create_api_key(core.db, None), create_api_key(core.db, merchant.id)
    return Shop(merchant.id, other.id, *keys, centre.id)


def add_operations(db: Database, merchant_id: int, rows: list[dict[str, Any]], number: str = NUMBER) -> None:
    """Operation rows as the ledger, vouchers and expiry write them (all kinds, any instant)."""
    with db.write() as session:
        card = get_card(session, merchant_id, number)
        session.execute(
            insert(Operation),
            [
                {
                    "card_id": card.id,
                    "store_id": None,
                    "points": 0,
                    "credit": 0,
                    "discount": 0,
                    "description": None,
                    **row,
                }
                for row in rows
            ],
        )


def earn(db: Database, merchant_id: int, points: int, at: datetime, store: str = "CENTRE") -> None:
    with db.write() as session:
        record_operation(
            session, merchant_id, NUMBER, OperationRequest(OperationKind.EARN_POINTS, points, store), now=at
        )


def walk(db: Database, merchant_id: int, limit: int) -> list[int]:
    """Every operation id, following the older-cursor from the newest page to the last."""
    seen: list[int] = []
    before: Cursor | None = None
    while True:
        with db.read() as session:
            page = card_history(session, merchant_id, NUMBER, before=before, limit=limit)
        assert len(page.entries) <= limit
        seen += [entry.id for entry in page.entries]
        if page.older is None:
            return seen
        before = page.older


# The service


@pytest.mark.both_backends  # keyset pagination: ordering and timestamps in SQL
def test_two_thousand_operations_paginate_exactly_once_newest_first(core: Core, shop: Shop) -> None:
    """Many operations share an instant (a till batch, a migration): ids settle ties. Rows are
    inserted in shuffled order, so the id order is not the time order."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    instants = [start + timedelta(seconds=n // 7) for n in range(2000)]
    random.Random(3).shuffle(instants)
    add_operations(
        core.db,
        shop.merchant_id,
        [{"kind": OperationKind.EARN_POINTS, "points": 1, "created_at": at} for at in instants],
    )
    with core.db.read() as session:
        card_id = get_card(session, shop.merchant_id, NUMBER).id
        rows = session.query(Operation.created_at, Operation.id).filter(Operation.card_id == card_id).all()
    expected = [row_id for _, row_id in sorted(rows, reverse=True)]
    assert len(expected) == 2000

    assert walk(core.db, shop.merchant_id, 20) == expected
    assert walk(core.db, shop.merchant_id, 100) == expected

    # And back towards the newest, page by page, from before the oldest.
    newest_first: list[int] = []
    after: Cursor | None = Cursor(start - timedelta(seconds=1), 0)
    while after is not None:
        with core.db.read() as session:
            page = card_history(session, shop.merchant_id, NUMBER, after=after, limit=20)
        newest_first = [entry.id for entry in page.entries] + newest_first
        after = page.newer
    assert newest_first == expected


@pytest.mark.both_backends  # keyset pagination in SQL
def test_a_page_says_whether_older_and_newer_pages_exist(core: Core, shop: Shop) -> None:
    base = datetime(2024, 5, 1, 12, tzinfo=UTC)
    for n in range(45):
        earn(core.db, shop.merchant_id, n + 1, base + timedelta(minutes=n))
    with core.db.read() as session:
        first = card_history(session, shop.merchant_id, NUMBER)
        second = card_history(session, shop.merchant_id, NUMBER, before=first.older)
        third = card_history(session, shop.merchant_id, NUMBER, before=second.older)
        back = card_history(session, shop.merchant_id, NUMBER, after=third.newer)
        top = card_history(session, shop.merchant_id, NUMBER, after=back.newer)
    assert [entry.points for entry in first.entries] == list(range(45, 25, -1))
    assert (first.newer, first.older is not None) == (None, True)
    assert [entry.points for entry in third.entries] == [5, 4, 3, 2, 1]
    assert third.older is None and third.newer is not None
    assert back.entries == second.entries and back.older is not None
    assert top.entries == first.entries and top.newer is None


def test_history_of_an_unknown_card_or_another_merchants_card_is_not_found(core: Core, shop: Shop) -> None:
    add_operations(
        core.db,
        shop.other_merchant_id,
        [{"kind": OperationKind.EARN_POINTS, "points": 99, "created_at": datetime.now(UTC)}],
    )
    with core.db.read() as session:
        assert card_history(session, shop.merchant_id, NUMBER).entries == []
        with pytest.raises(NotFound):
            card_history(session, shop.merchant_id, "8999999999")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not a cursor!",
        "bm90LWEtY3Vyc29y",  # "not-a-cursor"
        base64.urlsafe_b64encode(b"2024-01-01T00:00:00|12").decode(),  # no time zone
        base64.urlsafe_b64encode(b"2024-01-01T00:00:00+00:00|-3").decode(),
        base64.urlsafe_b64encode(b"2024-01-01T00:00:00+00:00|x").decode(),
        base64.urlsafe_b64encode(b"2024-01-01T00:00:00+00:00|2147483648").decode(),  # beyond the ids
        base64.urlsafe_b64encode(b"\xff\xfe|1").decode(),
        "A" * 500,
    ],
)
def test_a_tampered_cursor_is_refused(text: str) -> None:
    with pytest.raises(Invalid) as refused:
        decode_cursor(text)
    assert refused.value.code == "invalid_cursor"


def test_a_cursor_survives_its_round_trip() -> None:
    cursor = Cursor(datetime(2024, 3, 9, 23, 30, 0, 123456, tzinfo=UTC), 42)
    encoded = encode_cursor(cursor)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", encoded)
    assert decode_cursor(encoded) == cursor


# The API


@pytest.fixture
def api(core_app: Flask) -> FlaskClient:
    return core_app.test_client()


def site(shop: Shop, merchant: str = "shop") -> dict[str, str]:
    return {"Authorization": f"Bearer {shop.site_key}", "X-Merchant": merchant}


def test_api_answers_entries_with_store_and_an_opaque_cursor(
    api: FlaskClient, core: Core, shop: Shop
) -> None:
    base = datetime(2024, 5, 1, 12, tzinfo=UTC)
    for n in range(3):
        earn(core.db, shop.merchant_id, 10 + n, base + timedelta(hours=n), store="MALL")
    add_operations(
        core.db,
        shop.merchant_id,
        [
            {
                "kind": OperationKind.REWARD,
                "points": -30,
                "description": "Free espresso",
                "created_at": base + timedelta(days=1),
            }
        ],
    )
    first = api.get(f"{API}?limit=2", headers=site(shop))
    assert first.status_code == 200
    [reward, latest] = first.json["entries"]
    assert reward["kind"] == "reward" and reward["points"] == -30
    assert reward["description"] == "Free espresso" and reward["store"] is None
    assert latest["kind"] == "earn_points" and latest["points"] == 12
    assert latest["store"] == {"code": "MALL", "name": "Galleria Nord"}
    assert first.json["previous_cursor"] is None

    second = api.get(f"{API}?limit=2&before={first.json['next_cursor']}", headers=site(shop))
    assert [entry["points"] for entry in second.json["entries"]] == [11, 10]
    assert second.json["next_cursor"] is None
    newer = api.get(f"{API}?limit=2&after={second.json['previous_cursor']}", headers=site(shop))
    assert newer.json["entries"] == first.json["entries"]


@pytest.mark.parametrize(
    "query",
    [
        "before=garbage",
        "after=garbage",
        "before=" + base64.urlsafe_b64encode(b"2024-01-01T00:00:00|12").decode(),
        "before=" + base64.urlsafe_b64encode(b"2024-01-01T00:00:00+00:00|2147483648").decode(),
        "before=MjAyNC0wMS0wMVQwMDowMDowMCswMDowMHwx&after=MjAyNC0wMS0wMVQwMDowMDowMCswMDowMHwx",
    ],
)
def test_api_refuses_a_tampered_cursor_with_422(api: FlaskClient, shop: Shop, query: str) -> None:
    response = api.get(f"{API}?{query}", headers=site(shop))
    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid_cursor"


def test_api_refuses_a_limit_out_of_range(api: FlaskClient, shop: Shop) -> None:
    for limit in ("0", "101", "ten"):
        response = api.get(f"{API}?limit={limit}", headers=site(shop))
        assert response.status_code == 422, limit
        assert response.json["error"]["code"] == "invalid"


def test_api_is_for_the_site_only_and_one_merchant_at_a_time(api: FlaskClient, shop: Shop) -> None:
    merchant_key = {"Authorization": f"Bearer {shop.merchant_key}"}
    assert api.get(API, headers=merchant_key).status_code == 403
    assert api.get(API).status_code == 401
    assert api.get("/api/v1/portal/cards/8999999999/history", headers=site(shop)).status_code == 404


def test_client_pages_through_history_as_typed_values(core_app: Flask, core: Core, shop: Shop) -> None:
    base = datetime(2024, 5, 1, 12, tzinfo=UTC)
    for n in range(3):
        earn(core.db, shop.merchant_id, 10 + n, base + timedelta(hours=n), store="MALL")
    client = CoreClient.in_process(core_app, api_key=shop.site_key).for_merchant("shop")
    first = client.card_history(NUMBER, limit=2)
    assert [entry.points for entry in first.entries] == [12, 11]
    assert first.entries[0].created_at == base + timedelta(hours=2)
    assert (first.entries[0].kind, first.entries[0].store_name) == ("earn_points", "Galleria Nord")
    assert first.previous_cursor is None and first.next_cursor is not None
    last = client.card_history(NUMBER, before=first.next_cursor, limit=2)
    assert [entry.points for entry in last.entries] == [10]
    assert client.card_history(NUMBER, after=last.previous_cursor, limit=2) == first
    with pytest.raises(ClientInvalid) as refused:
        client.card_history(NUMBER, before=first.next_cursor[:-2] + "!!")
    assert refused.value.code == "invalid_cursor"


# The page


def operation_times(page: str) -> list[str]:
    return re.findall(r'<time datetime="[^"]+">([^<]+)</time>', page)


def test_page_shows_the_merchants_time_zone_in_the_customers_language(
    client: FlaskClient, core: Core, shop: Shop
) -> None:
    # 23:30 in UTC is half past midnight the next day in Rome (winter time, UTC+1).
    earn(core.db, shop.merchant_id, 250, datetime(2024, 3, 9, 23, 30, tzinfo=UTC))
    login(client, NUMBER, PASSWORD, merchant="shop")

    italian = client.get(HISTORY, headers={"Accept-Language": "it"}).text
    [shown] = operation_times(italian)
    assert "10 mar 2024" in shown and "00:30" in shown
    assert "Centro città" in italian

    english = client.get(HISTORY, headers={"Accept-Language": "en"}).text
    [shown] = operation_times(english)
    assert "Mar 10, 2024" in shown and "12:30" in shown


def test_page_labels_every_kind_with_signed_points_and_money(
    client: FlaskClient, core: Core, shop: Shop
) -> None:
    base = datetime(2024, 6, 1, 9, tzinfo=UTC)
    rows: list[tuple[OperationKind, int, int, str | None]] = [
        (OperationKind.EARN_POINTS, 120, 0, None),
        (OperationKind.REDEEM_POINTS, -50, 0, None),
        (OperationKind.TOPUP_CREDIT, 0, 2000, None),
        (OperationKind.SPEND_CREDIT, 0, -450, None),
        (OperationKind.REWARD, -300, 0, "Free espresso"),
        (OperationKind.REWARD_REFUND, 300, 0, "Free espresso"),
        (OperationKind.EXPIRY, -75, 0, None),
        (OperationKind.ADJUSTMENT, 1, 0, None),
    ]
    add_operations(
        core.db,
        shop.merchant_id,
        [
            {"kind": kind, "points": points, "credit": credit, "description": description, "created_at": at}
            for (kind, points, credit, description), at in zip(
                rows, [base + timedelta(hours=n) for n in range(len(rows))], strict=True
            )
        ],
    )
    login(client, NUMBER, PASSWORD, merchant="shop")
    page = client.get(HISTORY, headers={"Accept-Language": "en"}).text
    items = re.findall(r'<li class="entry">(.*?)</li>', page, re.S)
    text = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item)).strip() for item in items]
    assert len(text) == len(rows)
    # Newest first.
    assert text[0].startswith("Adjustment") and "+1 point" in text[0]
    assert text[1].startswith("Points expired") and f"{MINUS}75 points" in text[1]
    assert text[2].startswith("Reward refund: Free espresso") and "+300 points" in text[2]
    assert text[3].startswith("Reward: Free espresso") and f"{MINUS}300 points" in text[3]
    assert text[4].startswith("Payment") and f"{MINUS}€4.50" in text[4]
    assert text[5].startswith("Top-up") and "+€20.00" in text[5]
    assert text[6].startswith("Reward") and f"{MINUS}50 points" in text[6]
    assert text[7].startswith("Purchase") and "+120 points" in text[7]


def test_a_purchase_shows_its_receipt_in_the_api_the_client_and_the_page(
    core_app: Flask, client: FlaskClient, core: Core, shop: Shop
) -> None:
    at = datetime(2024, 6, 1, 9, tzinfo=UTC)
    add_operations(
        core.db,
        shop.merchant_id,
        [
            {"kind": OperationKind.PURCHASE, "points": 25, "purchase_amount": 1250, "created_at": at},
            {"kind": OperationKind.EARN_POINTS, "points": 5, "created_at": at + timedelta(hours=1)},
        ],
    )
    body = core_app.test_client().get(API, headers=site(shop)).json
    assert [entry["purchase_amount"] for entry in body["entries"]] == [None, 1250]
    typed = CoreClient.in_process(core_app, api_key=shop.site_key).for_merchant("shop").card_history(NUMBER)
    assert [entry.purchase_amount for entry in typed.entries] == [None, 1250]
    login(client, NUMBER, PASSWORD, merchant="shop")
    page = client.get(HISTORY, headers={"Accept-Language": "en"}).text
    [points, purchase] = re.findall(r'<li class="entry">(.*?)</li>', page, re.S)
    assert "Purchase of €12.50" in purchase and "+25 points" in purchase
    assert "Purchase of" not in points


def pager_links(page: str) -> dict[str, str]:
    return {
        rel: href.replace("&amp;", "&")
        for href, rel in re.findall(r'<a href="([^"]+)" rel="(prev|next)">', page)
    }


def points_shown(page: str) -> list[int]:
    return [int(found) for found in re.findall(r"\+(\d+) points?<", page)]


def test_page_walks_older_and_newer_twenty_at_a_time(client: FlaskClient, core: Core, shop: Shop) -> None:
    base = datetime(2024, 5, 1, 12, tzinfo=UTC)
    for n in range(45):
        earn(core.db, shop.merchant_id, n + 1, base + timedelta(minutes=n))
    login(client, NUMBER, PASSWORD, merchant="shop")

    first = client.get(HISTORY).text
    assert points_shown(first) == list(range(45, 25, -1))
    assert set(pager_links(first)) == {"next"}
    second = client.get(pager_links(first)["next"]).text
    assert points_shown(second) == list(range(25, 5, -1))
    assert set(pager_links(second)) == {"prev", "next"}
    third = client.get(pager_links(second)["next"]).text
    assert points_shown(third) == [5, 4, 3, 2, 1]
    assert set(pager_links(third)) == {"prev"}
    back = client.get(pager_links(third)["prev"]).text
    assert points_shown(back) == points_shown(second)
    top = client.get(pager_links(back)["prev"]).text
    assert points_shown(top) == points_shown(first)
    assert "prev" not in pager_links(top)


def test_page_with_a_tampered_cursor_starts_again_from_the_newest(
    client: FlaskClient, core: Core, shop: Shop
) -> None:
    earn(core.db, shop.merchant_id, 7, datetime(2024, 5, 1, tzinfo=UTC))
    login(client, NUMBER, PASSWORD, merchant="shop")
    for query in ("before=garbage", "after=%FF%FE", "before=" + "A" * 400, "before="):
        response = client.get(f"{HISTORY}?{query}")
        assert response.status_code == 302, query
        assert response.headers["Location"] == HISTORY
    assert points_shown(client.get(HISTORY).text) == [7]


def test_page_without_operations_says_so(client: FlaskClient, shop: Shop) -> None:
    login(client, NUMBER, PASSWORD, merchant="shop")
    page = client.get(HISTORY)
    assert page.status_code == 200
    assert "Nothing here yet" in page.text
    assert 'class="entry"' not in page.text


def test_page_is_for_logged_in_customers(client: FlaskClient, shop: Shop) -> None:
    response = client.get(HISTORY)
    assert response.status_code == 302
    assert "/p/shop/login" in response.headers["Location"]


@pytest.mark.both_backends  # a statement count
def test_page_does_the_same_few_statements_for_5_or_50_operations(
    client: FlaskClient, core: Core, shop: Shop
) -> None:
    login(client, NUMBER, PASSWORD, merchant="shop")
    counts = []
    for total in (5, 50):
        add_operations(
            core.db,
            shop.merchant_id,
            [
                {
                    "kind": OperationKind.EARN_POINTS,
                    "points": 1,
                    "store_id": None if n % 2 else shop.centre_id,
                    "created_at": datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=n),
                }
                for n in range(total)
            ],
        )
        with count_statements(core) as statements:
            assert client.get(HISTORY).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 5, counts

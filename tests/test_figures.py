"""Figures as a merchant reads them: a chosen period's members, points, credit, vouchers and Wi-Fi
visits, day by day in the merchant's time zone, in the staff UI, as CSV and in the API."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from admin_core.context import Core
from admin_core.models import Card, Customer, CustomerSource, Merchant, Operation, OperationKind, Store
from admin_core.services.figures import store_figures
from admin_core.services.staff import StaffScope

from .test_staff import ADMIN, MANAGER, log_in

CARD = "7000100001"
MARCH = {"first": "2025-03-01", "last": "2025-03-07"}  # before the demo's data: only what a test puts


def totals(page: str) -> dict[str, str]:
    found = re.findall(r'<dt>(?:<span class="key [^"]+"></span>)?([^<]+)</dt><dd>([^<]+)</dd>', page)
    return {name: value for name, value in found}


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2025, 3, day, hour, tzinfo=UTC)


@pytest.fixture
def staff(core_app: Flask, demo: dict[str, Any]) -> FlaskClient:
    return core_app.test_client()


@pytest.fixture
def march(core: Core, demo: dict[str, Any]) -> int:
    """A week in March 2025 at MAIN: one card's operations, an imported customer, and an operation
    the day after the week, which the week does not count."""
    with core.db.write() as session:
        card = session.scalars(select(Card).where(Card.number == CARD)).one()
        main = session.scalars(
            select(Store).where(Store.merchant_id == card.merchant_id, Store.code == "MAIN")
        ).one()
        moves = [
            (OperationKind.EARN_POINTS, 100, 0, at(2)),
            (OperationKind.ADJUSTMENT, 20, 0, at(2)),
            (OperationKind.PURCHASE, 30, 0, at(2)),  # points from a receipt's amount are issued too
            (OperationKind.WELCOME_BONUS, 5, 0, at(2)),
            (OperationKind.VISIT_BONUS, 1, 0, at(2)),
            (OperationKind.REWARD, -50, 0, at(3)),
            (OperationKind.REWARD_REFUND, 10, 0, at(4)),
            (OperationKind.TOPUP_CREDIT, 0, 1000, at(5)),
            (OperationKind.SPEND_CREDIT, 0, -300, at(6)),
            (OperationKind.EARN_POINTS, 999, 0, at(7, 23)),  # 8 March in Rome: after the week
        ]
        for kind, points, credit, moment in moves:
            session.add(
                Operation(
                    card_id=card.id,
                    store_id=main.id,
                    kind=kind,
                    points=points,
                    credit=credit,
                    created_at=moment,
                )
            )
        session.add(
            Customer(
                merchant_id=card.merchant_id,
                first_name="Ida",
                last_name="Moro",
                store_id=main.id,
                source=CustomerSource.IMPORT,
                created_at=at(3),
            )
        )
        return card.merchant_id


def test_a_week_s_figures_count_what_happened_in_it(core: Core, march: int) -> None:
    with core.db.read() as session:
        found = store_figures(
            session, StaffScope.merchant(march), None, first=date(2025, 3, 1), last=date(2025, 3, 7)
        )
    summary = found.summary
    assert (summary.points_issued, summary.points_redeemed) == (156, 40)
    assert summary.redemption_rate == pytest.approx(40 / 156)
    assert (summary.credit_sold, summary.credit_spent, summary.active_members) == (1000, 300, 1)
    assert summary.new_members == {"web": 0, "wifi": 0, "import": 1, "till": 0}
    assert (summary.wifi_visits, summary.returning_rate, summary.vouchers_issued) == (0, None, 0)
    assert [day.day.day for day in found.days] == [1, 2, 3, 4, 5, 6, 7]
    assert [day.points_issued for day in found.days] == [0, 156, 0, 0, 0, 0, 0]
    with core.db.read() as session:
        one_store = store_figures(
            session, StaffScope.merchant(march), "MAIN", first=date(2025, 3, 1), last=date(2025, 3, 7)
        )
    assert one_store.summary.vouchers_issued is None  # taken online, at no store


def test_the_staff_page_shows_the_period_and_downloads_it(staff: FlaskClient, march: int) -> None:
    log_in(staff, ADMIN)
    page = staff.get("/figures", query_string=MARCH)
    assert page.status_code == 200
    shown = totals(page.text)
    assert (shown["Points issued"], shown["Points redeemed"], shown["Redemption rate"]) == (
        "156",
        "40",
        "26%",
    )
    assert shown["Credit sold"] == "€10.00" and shown["imported"] == "1"
    assert 'role="img"' in page.text and "<text" in page.text  # a chart with its axes' labels
    csv = staff.get("/figures.csv", query_string=MARCH)
    assert (
        csv.mimetype == "text/csv"
        and "figures-all-2025-03-01-2025-03-07.csv" in csv.headers["Content-Disposition"]
    )
    lines = csv.text.splitlines()
    assert lines[0] == "day,sign_ups,wifi_sign_ups,vouchers_collected,points_issued,points_redeemed"
    assert lines[2] == "2025-03-02,0,0,0,156,0" and len(lines) == 8


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"first": "2025-03-07", "last": "2025-03-01"}, "The period ends before it starts."),
        ({"first": "2024-01-01", "last": "2025-03-01"}, "Choose a period of at most 366 days."),
        ({"first": "2025-02-30"}, "Not a valid date value."),
    ],
)
def test_a_period_that_cannot_be_is_said_at_the_field(
    staff: FlaskClient, query: dict[str, str], message: str
) -> None:
    log_in(staff, MANAGER)
    page = staff.get("/figures", query_string=query)
    assert page.status_code == 422 and message in page.text
    assert staff.get("/figures.csv", query_string=query).status_code == 400


def test_the_api_gives_the_period_and_its_csv(staff: FlaskClient, march: int, demo: dict[str, Any]) -> None:
    key = {"Authorization": f"Bearer {demo['api_key']}"}
    answer = staff.get("/api/v1/stores/*/figures", query_string=MARCH, headers=key)
    assert answer.status_code == 200, answer.json
    assert (answer.json["first"], answer.json["last"]) == ("2025-03-01", "2025-03-07")
    assert (
        answer.json["summary"]["points_issued"] == 156
        and answer.json["summary"]["new_members"]["import"] == 1
    )
    assert answer.json["days"][1] == {
        "day": "2025-03-02",
        "sign_ups": 0,
        "wifi_sign_ups": 0,
        "vouchers_collected": 0,
        "points_issued": 156,
        "points_redeemed": 0,
    }
    csv = staff.get("/api/v1/stores/MAIN/figures.csv", query_string=MARCH, headers=key)
    assert csv.mimetype == "text/csv" and csv.text.splitlines()[2] == "2025-03-02,0,0,0,156,0"
    reversed_period = staff.get("/api/v1/stores/*/figures?first=2025-03-07&last=2025-03-01", headers=key)
    assert (reversed_period.status_code, reversed_period.json["error"]["code"]) == (422, "period_reversed")


@pytest.mark.both_backends  # the period's ends compared with time zones in SQL
def test_figures_count_sign_ups_and_wifi_sign_ups_today(staff: FlaskClient, core: Core) -> None:
    from admin_core.services.hotspots import get_hotspot
    from admin_core.services.signup import SignupRequest
    from admin_core.services.wifi import Arrival, connect

    log_in(staff, MANAGER)
    before = totals(staff.get("/figures").text)
    with core.db.write() as session:
        merchant_id = session.scalar(select(Merchant.id).where(Merchant.slug == "demo"))
        assert merchant_id is not None
        hotspot = get_hotspot(session, merchant_id, "demo-opennds")  # at MAIN
        for index in range(3):
            guest = SignupRequest(first_name="G", email=f"g{index}@example.com", terms=True, privacy=True)
            connect(core.db, session, hotspot, Arrival(f"n{index}", f"02:00:00:00:00:0{index}"), guest)
        station = get_hotspot(session, merchant_id, "demo-unifi")  # elsewhere: not the manager's
        guest = SignupRequest(first_name="S", email="s@example.com", terms=True, privacy=True)
        connect(core.db, session, station, Arrival("n9", "02:00:00:00:00:09"), guest)
    after = totals(staff.get("/figures").text)
    assert int(after["New members"]) - int(before["New members"]) == 3
    assert int(after["on the Wi-Fi"]) - int(before["on the Wi-Fi"]) == 3
    assert int(after["Wi-Fi visits"]) - int(before["Wi-Fi visits"]) == 3

# ruff: noqa: RUF001  (the calculations as staff read them, with the multiplication sign)
"""The program as staff use it: purchases by amount at the till with their calculation, voids,
the admin's tiers, campaigns and points rates, in the staff UI and the API."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from admin_core.context import Core
from admin_core.models import Campaign, Card, Operation, OperationKind, Store, Tier
from admin_core.services import utcnow
from admin_core.services.merchants import create_merchant

from .test_staff import ADMIN, MANAGER, USER, log_in, post

ANNA = "7000100001"  # Silver (x1.25); the demo's double-points week runs at MAIN


@pytest.fixture
def staff(core_app: Flask, demo: dict[str, Any]) -> FlaskClient:
    return core_app.test_client()


def attempt(page: str) -> str:
    found = re.search(r'name="attempt" type="hidden" value="([^"]+)"', page)
    assert found
    return found.group(1)


def purchase(staff: FlaskClient, amount: str, store: str) -> Any:
    page = staff.get(f"/cards/{ANNA}").text
    form = {"kind": "purchase", "amount": amount, "store": store, "attempt": attempt(page)}
    return post(staff, f"/cards/{ANNA}/operations", form, page)


def table(page: str) -> str:
    """The page's list of operations."""
    return page[page.index("<table") : page.index("</table>")]


def latest(core: Core) -> Operation:
    with core.db.read() as session:
        found = session.scalars(select(Operation).order_by(Operation.id.desc())).first()
        assert found is not None
        return found


def points(core: Core) -> int:
    with core.db.read() as session:
        return session.scalar(select(Card.points).where(Card.number == ANNA)) or 0


class TestTill:
    def test_the_till_shows_the_calculation_before_and_after_a_purchase(
        self, staff: FlaskClient, core: Core
    ) -> None:
        log_in(staff, MANAGER)
        page = staff.get(f"/cards/{ANNA}").text
        assert "amount × 1 pt/EUR × 1.25 (Silver) × 2 (Double points week), rounded down" in page
        before = points(core)
        done = purchase(staff, "12,50", "MAIN")
        assert done.status_code == 302
        shown = staff.get(f"/cards/{ANNA}").text
        assert "€12.50 × 1 pt/EUR × 1.25 (Silver) × 2 (Double points week) = 31 points" in shown
        assert points(core) == before + 31
        recorded = latest(core)
        assert (recorded.kind, recorded.purchase_amount, recorded.points) == (
            OperationKind.PURCHASE,
            1250,
            31,
        )
        assert "Purchase of €12.50" in shown and "Via Roma 1 — main shop" in shown

    def test_at_a_store_without_the_campaign_only_the_tier_multiplies(
        self, staff: FlaskClient, core: Core
    ) -> None:
        log_in(staff, USER)  # the STATION kiosk
        page = staff.get(f"/cards/{ANNA}").text
        assert "amount × 1 pt/EUR × 1.25 (Silver), rounded down" in page
        purchase(staff, "10", "STATION")
        assert "€10.00 × 1 pt/EUR × 1.25 (Silver) = 12 points" in staff.get(f"/cards/{ANNA}").text

    def test_a_purchase_tapped_twice_is_recorded_once(self, staff: FlaskClient, core: Core) -> None:
        log_in(staff, USER)
        page = staff.get(f"/cards/{ANNA}").text
        form = {"kind": "purchase", "amount": "8", "store": "STATION", "attempt": attempt(page)}
        before = points(core)
        post(staff, f"/cards/{ANNA}/operations", form, page)
        post(staff, f"/cards/{ANNA}/operations", form, page)
        assert points(core) == before + 10

    @pytest.mark.parametrize(
        ("typed", "message"),
        [
            ("0.40", "This purchase earns no points"),
            ("12.505", "Enter a positive amount"),
            ("lots", "Enter a positive amount"),
            ("-3", "Enter a positive amount"),
        ],
    )
    def test_an_amount_that_earns_nothing_is_refused_at_the_field(
        self, staff: FlaskClient, core: Core, typed: str, message: str
    ) -> None:
        log_in(staff, USER)
        before = points(core)
        answer = purchase(staff, typed, "STATION")
        assert answer.status_code == 422
        assert re.search(r'<p class="error" id="amount-error">[^<]*' + message, answer.text)
        assert points(core) == before

    def test_operation_lists_speak_words_and_name_stores(self, staff: FlaskClient) -> None:
        log_in(staff, ADMIN)
        till = table(staff.get(f"/cards/{ANNA}").text)
        customer = table(staff.get(f"/customers/{ANNA}").text)
        for page in (till, customer):
            for code in ("earn_points", "reward_refund", "topup_credit", ">reward<", ">expiry<"):
                assert code not in page
        assert "Reward “Espresso”" in customer and "Reward “Espresso” given back" in customer
        assert "Points expired" in customer and "Top-up" in till


class TestVoid:
    def test_a_manager_voids_a_purchase_once(self, staff: FlaskClient, core: Core) -> None:
        log_in(staff, MANAGER)
        before = points(core)
        purchase(staff, "20", "MAIN")
        recorded = latest(core)
        page = staff.get(f"/cards/{ANNA}").text
        url = f"/cards/{ANNA}/operations/{recorded.id}/void"
        assert f'href="{url}"' in page
        confirm = staff.get(url)
        assert "Purchase of €20.00" in confirm.text and "It can be done once" in confirm.text
        first = post(staff, url, {}, confirm.text)
        assert first.status_code == 302 and points(core) == before
        void = latest(core)
        assert (void.kind, void.reverses_id, void.points) == (
            OperationKind.VOID,
            recorded.id,
            -recorded.points,
        )
        again = post(staff, url, {}, confirm.text)
        assert again.status_code == 302
        shown = staff.get(f"/cards/{ANNA}").text
        assert "This operation has been voided already." in shown and "voided" in shown
        assert points(core) == before

    def test_a_void_that_would_go_below_zero_is_refused(self, staff: FlaskClient, core: Core) -> None:
        log_in(staff, MANAGER)
        purchase(staff, "20", "MAIN")
        recorded = latest(core)
        with core.db.write() as session:
            session.get_one(Card, recorded.card_id).points = 10
        url = f"/cards/{ANNA}/operations/{recorded.id}/void"
        post(staff, url, {}, staff.get(url).text)
        assert "the card would go below zero" in staff.get(f"/cards/{ANNA}").text
        assert points(core) == 10

    def test_a_user_cannot_void_and_a_manager_not_another_store_s(
        self, staff: FlaskClient, core: Core
    ) -> None:
        log_in(staff, USER)
        purchase(staff, "20", "STATION")
        station = latest(core)
        url = f"/cards/{ANNA}/operations/{station.id}/void"
        assert "/void" not in staff.get(f"/cards/{ANNA}").text
        assert staff.get(url).status_code == 403
        assert post(staff, url, {}, staff.get(f"/cards/{ANNA}").text).status_code == 403
        manager = staff.application.test_client()
        log_in(manager, MANAGER)
        assert manager.get(url).status_code == 404  # STATION's, not the manager's store
        assert manager.get(f"/cards/{ANNA}/operations/999999/void").status_code == 404


class TestTiers:
    def test_the_admin_creates_edits_and_deletes_a_tier(self, staff: FlaskClient, core: Core) -> None:
        log_in(staff, ADMIN)
        assert "Gold" in staff.get("/tiers").text
        made = post(
            staff,
            "/tiers/new",
            {"name": "Platinum", "threshold": "5000", "multiplier": "2,5", "benefits": "Lounge"},
        )
        assert made.status_code == 302
        with core.db.read() as session:
            tier = session.scalars(select(Tier).where(Tier.name == "Platinum")).one()
        assert (tier.threshold, tier.multiplier_percent, tier.benefits) == (5000, 250, "Lounge")
        listed = staff.get("/tiers").text
        assert "points × 2.5" in listed and "from 5000 points" in listed
        post(
            staff,
            f"/tiers/{tier.id}",
            {"name": "Platinum", "threshold": "4000", "multiplier": "3", "benefits": ""},
        )
        confirm = staff.get(f"/tiers/{tier.id}/delete").text
        assert "Cards at Platinum move to Gold at once" in confirm
        assert post(staff, f"/tiers/{tier.id}/delete", {}, confirm).status_code == 302
        with core.db.read() as session:
            assert session.get(Tier, tier.id) is None

    @pytest.mark.parametrize(
        ("form", "field", "message"),
        [
            ({"name": "", "threshold": "10", "multiplier": "1"}, "name", "Give the tier a name."),
            ({"name": "X", "threshold": "-1", "multiplier": "1"}, "threshold", "From 0 to 1,000,000 points."),
            (
                {"name": "X", "threshold": "10", "multiplier": "0.5"},
                "multiplier",
                "Enter a multiplier from 1 to 10",
            ),
            (
                {"name": "X", "threshold": "10", "multiplier": "x"},
                "multiplier",
                "Enter a multiplier from 1 to 10",
            ),
            (
                {"name": "X", "threshold": "500", "multiplier": "1"},
                "threshold",
                "Another tier starts at this",
            ),
        ],
    )
    def test_bad_input_is_refused_at_the_field(
        self, staff: FlaskClient, core: Core, form: dict[str, str], field: str, message: str
    ) -> None:
        log_in(staff, ADMIN)
        with core.db.read() as session:
            before = len(session.scalars(select(Tier)).all())
        answer = post(staff, "/tiers/new", form)
        assert answer.status_code == 422
        found = re.search(rf'<p class="error" id="{field}-error">([^<]*)', answer.text) or re.search(
            r'class="flash flash-error" role="alert">([^<]*)', answer.text
        )
        assert found and message in found.group(1)
        with core.db.read() as session:
            assert len(session.scalars(select(Tier)).all()) == before

    def test_managers_and_users_are_not_let_in(self, staff: FlaskClient) -> None:
        for who in (MANAGER, USER):
            client = staff.application.test_client()
            log_in(client, who)
            for url in ("/tiers", "/tiers/new", "/campaigns", "/campaigns/new", "/rates"):
                assert client.get(url).status_code == 403, (who, url)


class TestCampaigns:
    def test_the_admin_runs_a_double_points_weekend_at_one_store(
        self, staff: FlaskClient, core: Core
    ) -> None:
        log_in(staff, ADMIN)
        today = utcnow().date()
        form = {
            "name": "Triple Sunday",
            "starts_at": str(today),
            "ends_at": str(today + timedelta(days=1)),
            "multiplier": "3",
            "stores": "STATION",
        }
        assert post(staff, "/campaigns/new", form).status_code == 302
        listed = staff.get("/campaigns").text
        assert "Triple Sunday" in listed and "points × 3" in listed and "running" in listed
        with core.db.read() as session:
            made = session.scalars(select(Campaign).where(Campaign.name == "Triple Sunday")).one()
            assert [store.code for store in made.stores] == ["STATION"]
        page = staff.get(f"/campaigns/{made.id}").text
        refused = post(staff, f"/campaigns/{made.id}/delete", {}, page)
        assert refused.status_code == 302
        assert "it cannot be deleted: set its last day instead" in staff.get(refused.headers["Location"]).text

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"multiplier": "11"}, "multiplier", "Enter a multiplier from 1 to 10"),
            ({"ends_at": "2026-01-01"}, "ends_at", "The last day must come after the first."),
            ({"stores": "NOWHERE"}, "stores", "is not a valid choice"),
            ({"name": ""}, "name", "Give the campaign a name."),
        ],
    )
    def test_bad_input_is_refused_at_the_field(
        self, staff: FlaskClient, core: Core, changes: dict[str, str], field: str, message: str
    ) -> None:
        log_in(staff, ADMIN)
        form = {
            "name": "Spring",
            "starts_at": "2026-03-01",
            "ends_at": "2026-03-31",
            "multiplier": "2",
            **changes,
        }
        with core.db.read() as session:
            before = len(session.scalars(select(Campaign)).all())
        answer = post(staff, "/campaigns/new", form)
        assert answer.status_code == 422
        found = re.search(rf'<p class="error" id="{field}-error">([^<]*)', answer.text)
        assert found and message in found.group(1), answer.text
        with core.db.read() as session:
            assert len(session.scalars(select(Campaign)).all()) == before


class TestRates:
    def test_a_store_gets_its_own_rate_and_the_till_uses_it(self, staff: FlaskClient, core: Core) -> None:
        log_in(staff, ADMIN)
        page = staff.get("/rates").text
        assert post(staff, "/rates/STATION", {"rate": "5"}, page).status_code == 302
        bad = post(staff, "/rates/MAIN", {"rate": "-1"}, page)
        assert bad.status_code == 422 and "From 0 to 1000, or empty." in bad.text
        with core.db.read() as session:
            rates = {code: rate for code, rate in session.execute(select(Store.code, Store.points_per_unit))}
        assert rates["STATION"] == 5 and rates["MAIN"] is None
        till = staff.application.test_client()
        log_in(till, USER)
        assert "amount × 5 pt/EUR × 1.25 (Silver), rounded down" in till.get(f"/cards/{ANNA}").text
        assert staff.post("/rates/ELSEWHERE", data={"rate": "1"}).status_code in (400, 404)


def api_headers(demo: dict[str, Any], key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {demo['api_key']}"}
    return {**headers, "Idempotency-Key": key} if key else headers


class TestApi:
    def test_a_purchase_by_amount_answers_its_calculation(
        self, core_app: Flask, demo: dict[str, Any]
    ) -> None:
        api = core_app.test_client()
        body = {"kind": "purchase", "amount": 1250, "store": "MAIN"}
        first = api.post(f"/api/v1/cards/{ANNA}/operations", json=body, headers=api_headers(demo, "p-1"))
        again = api.post(f"/api/v1/cards/{ANNA}/operations", json=body, headers=api_headers(demo, "p-1"))
        assert first.status_code == again.status_code == 201 and first.json == again.json
        assert first.json["calculation"] == {
            "amount": 1250,
            "currency": "EUR",
            "store": "MAIN",
            "rate": 1,
            "store_rate": False,
            "tier": {"name": "Silver", "multiplier": 1.25},
            "campaign": {"name": "Double points week", "multiplier": 2.0},
            "points": 31,
        }
        assert (
            first.json["operation"]["kind"] == "purchase"
            and first.json["operation"]["purchase_amount"] == 1250
        )

    def test_a_void_through_the_api_applies_once(self, core_app: Flask, demo: dict[str, Any]) -> None:
        api = core_app.test_client()
        made = api.post(
            f"/api/v1/cards/{ANNA}/operations",
            json={"kind": "topup_credit", "amount": 500, "store": "MAIN"},
            headers=api_headers(demo, "t-1"),
        ).json
        url = f"/api/v1/cards/{ANNA}/operations/{made['operation']['id']}/void"
        first = api.post(url, headers=api_headers(demo, "v-1"))
        assert first.status_code == 201 and first.json["operation"]["reverses"] == made["operation"]["id"]
        assert first.json["balances"]["credit"] == made["balances"]["credit"] - 500
        assert api.post(url, headers=api_headers(demo, "v-1")).json == first.json  # a replay
        second = api.post(url, headers=api_headers(demo, "v-2"))
        assert second.status_code == 409 and second.json["error"]["code"] == "already_voided"
        voided_void = api.post(
            f"/api/v1/cards/{ANNA}/operations/{first.json['operation']['id']}/void",
            headers=api_headers(demo, "v-3"),
        )
        assert voided_void.status_code == 409 and voided_void.json["error"]["code"] == "not_voidable"

    def test_tiers_and_campaigns_are_managed_through_the_api(
        self, core_app: Flask, demo: dict[str, Any]
    ) -> None:
        api = core_app.test_client()
        listed = api.get("/api/v1/tiers", headers=api_headers(demo)).json
        assert listed["period_months"] == 12
        assert [(tier["name"], tier["multiplier"]) for tier in listed["tiers"]] == [
            ("Bronze", 1.0),
            ("Silver", 1.25),
            ("Gold", 1.5),
        ]
        made = api.post(
            "/api/v1/tiers",
            json={"name": "Platinum", "threshold": 5000, "multiplier": 2.5},
            headers=api_headers(demo, "t1"),
        )
        assert made.status_code == 201 and made.json["multiplier"] == 2.5
        bad = api.post(
            "/api/v1/tiers",
            json={"name": "X", "threshold": 9, "multiplier": 0.5},
            headers=api_headers(demo, "t2"),
        )
        assert bad.status_code == 422 and "multiplier" in bad.json["error"]["fields"]
        taken = api.post(
            "/api/v1/tiers", json={"name": "Y", "threshold": 5000}, headers=api_headers(demo, "t3")
        )
        assert taken.status_code == 409 and taken.json["error"]["code"] == "tier_exists"
        changed = api.patch(
            f"/api/v1/tiers/{made.json['id']}", json={"benefits": "Lounge"}, headers=api_headers(demo)
        )
        assert changed.json["benefits"] == "Lounge" and changed.json["threshold"] == 5000
        assert api.delete(f"/api/v1/tiers/{made.json['id']}", headers=api_headers(demo)).status_code == 204
        now = utcnow()
        campaign = {
            "name": "Later",
            "starts_at": (now + timedelta(days=3)).isoformat(),
            "ends_at": (now + timedelta(days=4)).isoformat(),
            "multiplier": 2,
            "stores": ["MAIN"],
        }
        created = api.post("/api/v1/campaigns", json=campaign, headers=api_headers(demo, "c1"))
        assert created.status_code == 201 and created.json["stores"] == ["MAIN"]
        page = api.get("/api/v1/campaigns?limit=1", headers=api_headers(demo)).json
        assert page["campaigns"][0]["name"] == "Later" and page["next_cursor"]
        assert (
            api.delete(f"/api/v1/campaigns/{created.json['id']}", headers=api_headers(demo)).status_code
            == 204
        )
        running = api.get("/api/v1/campaigns", headers=api_headers(demo)).json["campaigns"][0]
        refused = api.delete(f"/api/v1/campaigns/{running['id']}", headers=api_headers(demo))
        assert refused.status_code == 409 and refused.json["error"]["code"] == "campaign_started"
        rate = api.put("/api/v1/program/rates/MAIN", json={"points_per_unit": 4}, headers=api_headers(demo))
        assert rate.json == {"code": "MAIN", "name": "Via Roma 1 — main shop", "points_per_unit": 4}

    def test_another_merchant_s_things_are_no_such_thing(
        self, core_app: Flask, core: Core, demo: dict[str, Any]
    ) -> None:
        api = core_app.test_client()
        tier_id = api.get("/api/v1/tiers", headers=api_headers(demo)).json["tiers"][0]["id"]
        campaign_id = api.get("/api/v1/campaigns", headers=api_headers(demo)).json["campaigns"][0]["id"]
        operation_id = latest(core).id
        other = create_merchant(core.db, "other", "Other")
        from admin_core.services.merchants import create_api_key

        key = create_api_key(core.db, other.id)
        headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": "o-1"}
        assert api.get(f"/api/v1/tiers/{tier_id}", headers=headers).status_code == 404
        assert (
            api.patch(f"/api/v1/campaigns/{campaign_id}", json={"name": "Mine"}, headers=headers).status_code
            == 404
        )
        assert api.delete(f"/api/v1/tiers/{tier_id}", headers=headers).status_code == 404
        void = api.post(f"/api/v1/cards/{ANNA}/operations/{operation_id}/void", headers=headers)
        assert void.status_code == 404
        assert api.get("/api/v1/tiers", headers=headers).json["tiers"] == []

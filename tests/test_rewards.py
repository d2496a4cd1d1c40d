"""Rewards: the catalogue, redeeming into a voucher, collecting and cancelling it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from admin_core.context import Core
from admin_core.errors import Conflict, Gone, NotFound
from admin_core.models import Campaign, Card, Operation, OperationKind, Reward, Voucher, VoucherStatus
from admin_core.services import utcnow
from admin_core.services.merchants import get_merchant
from admin_core.services.vouchers import cancel_voucher, collect_voucher, redeem_reward

from .conftest import csrf_token, login

ROME = ZoneInfo("Europe/Rome")

ANNA = "7000100001"  # 1250 points; demo rewards cost 200, 450, 1000 and 2500


def reward_id(core: Core, name: str) -> int:
    with core.db.read() as session:
        found = session.scalar(select(Reward.id).where(Reward.name == name))
    assert found is not None
    return found


def points(core: Core, number: str = ANNA) -> int:
    with core.db.read() as session:
        value = session.scalar(select(Card.points).where(Card.number == number))
    assert value is not None
    return value


def end_campaigns(core: Core) -> None:
    with core.db.write() as session:
        session.execute(update(Campaign).values(ends_at=utcnow() - timedelta(days=1)))


def redeem(core: Core, name: str, number: str = ANNA) -> Voucher:
    with core.db.write() as session:
        merchant = get_merchant(session, "demo")
        voucher, _ = redeem_reward(session, merchant, number, reward_id(core, name))
    return voucher


@pytest.mark.both_backends  # redeeming locks the card row; vouchers' unique codes
class TestServices:
    def test_redeeming_takes_the_points_and_issues_a_voucher(self, core: Core, demo: dict[str, Any]) -> None:
        voucher = redeem(core, "Market tote bag")
        assert points(core) == 250
        assert voucher.status is VoucherStatus.ISSUED
        assert re.fullmatch(r"[2-9A-HJKMNP-Z]{8}", voucher.code)
        with core.db.read() as session:
            operation = session.scalars(select(Operation).order_by(Operation.id.desc())).first()
        assert operation is not None
        assert (operation.kind, operation.points, operation.description) == (
            OperationKind.REWARD,
            -1000,
            "Market tote bag",
        )

    def test_not_enough_points_changes_nothing(self, core: Core, demo: dict[str, Any]) -> None:
        with pytest.raises(Conflict) as refused:
            redeem(core, "Gift box")
        assert refused.value.code == "insufficient_points"
        assert points(core) == 1250

    def test_outside_a_campaign_nothing_is_redeemable(self, core: Core, demo: dict[str, Any]) -> None:
        end_campaigns(core)
        with pytest.raises(Conflict) as refused:
            redeem(core, "Espresso")
        assert refused.value.code == "no_campaign"
        assert points(core) == 1250

    def test_an_inactive_reward_cannot_be_taken(self, core: Core, demo: dict[str, Any]) -> None:
        with core.db.write() as session:
            session.execute(update(Reward).where(Reward.name == "Espresso").values(active=False))
        with pytest.raises(NotFound):
            redeem(core, "Espresso")

    def test_cancelling_gives_the_points_back_once(self, core: Core, demo: dict[str, Any]) -> None:
        voucher = redeem(core, "Breakfast for one")
        with core.db.write() as session:
            merchant = get_merchant(session, "demo")
            cancel_voucher(session, merchant.id, voucher.code.lower(), number=ANNA)
        assert points(core) == 1250
        with pytest.raises(Gone) as again, core.db.write() as session:
            cancel_voucher(session, merchant.id, voucher.code)
        assert again.value.code == "voucher_cancelled"
        assert points(core) == 1250

    def test_a_collected_voucher_can_be_neither_collected_nor_cancelled_again(
        self, core: Core, demo: dict[str, Any]
    ) -> None:
        voucher = redeem(core, "Espresso")
        with core.db.write() as session:
            merchant = get_merchant(session, "demo")
            collected = collect_voucher(session, merchant.id, voucher.code, "STATION")
            assert collected.collected_store_id is not None
        for attempt in (
            lambda session: collect_voucher(session, merchant.id, voucher.code, "MAIN"),
            lambda session: cancel_voucher(session, merchant.id, voucher.code),
        ):
            with pytest.raises(Gone) as refused, core.db.write() as session:
                attempt(session)
            assert refused.value.code == "voucher_collected"
        assert points(core) == 1050

    def test_an_expired_voucher_is_refused_and_keeps_its_points(
        self, core: Core, demo: dict[str, Any]
    ) -> None:
        voucher = redeem(core, "Espresso")
        with core.db.write() as session:
            merchant = get_merchant(session, "demo")
            with pytest.raises(Gone) as refused:
                collect_voucher(session, merchant.id, voucher.code, "MAIN", now=utcnow() + timedelta(days=31))
        assert refused.value.code == "voucher_expired"

    def test_a_customer_cannot_cancel_another_cards_voucher(self, core: Core, demo: dict[str, Any]) -> None:
        voucher = redeem(core, "Espresso")
        with pytest.raises(NotFound), core.db.write() as session:
            merchant = get_merchant(session, "demo")
            cancel_voucher(session, merchant.id, voucher.code, number="7000100003")
        assert points(core) == 1050


class TestApi:
    @pytest.fixture
    def api(self, core_app: Flask) -> FlaskClient:
        return core_app.test_client()

    def test_the_catalogue_says_whether_a_campaign_is_on(
        self, api: FlaskClient, core: Core, demo: dict[str, Any]
    ) -> None:
        headers = {"Authorization": f"Bearer {demo['api_key']}"}
        body = api.get("/api/v1/rewards", headers=headers).json
        assert body["campaign_on"] is True
        assert [reward["points"] for reward in body["rewards"]] == [200, 450, 1000, 2500]
        end_campaigns(core)
        assert api.get("/api/v1/rewards", headers=headers).json["campaign_on"] is False

    def test_the_till_collects_a_voucher_once(
        self, api: FlaskClient, core: Core, demo: dict[str, Any]
    ) -> None:
        voucher = redeem(core, "Espresso")
        headers = {"Authorization": f"Bearer {demo['api_key']}"}
        collected = api.post(
            f"/api/v1/vouchers/{voucher.code}/collect", json={"store": "MAIN"}, headers=headers
        )
        assert collected.status_code == 200
        assert collected.json["status"] == "collected"
        again = api.post(f"/api/v1/vouchers/{voucher.code}/collect", json={"store": "MAIN"}, headers=headers)
        assert again.status_code == 410
        assert again.json["error"]["code"] == "voucher_collected"
        unknown = api.get("/api/v1/vouchers/NOPE2345", headers=headers)
        assert unknown.status_code == 404

    def test_a_merchant_key_cannot_redeem_for_a_customer(
        self, api: FlaskClient, demo: dict[str, Any]
    ) -> None:
        response = api.post(
            f"/api/v1/portal/cards/{ANNA}/rewards/1/redeem",
            headers={"Authorization": f"Bearer {demo['api_key']}", "Idempotency-Key": "k1"},
        )
        assert response.status_code == 403


class TestPages:
    def test_the_catalogue_marks_what_can_be_taken_now(
        self, client: FlaskClient, demo: dict[str, Any]
    ) -> None:
        login(client, ANNA, "demo-password")
        page = client.get("/p/demo/rewards").text
        assert page.count("Take it") == 3
        assert "Gift box" in page
        assert "1,250 points to go" in page

    def test_the_catalogue_names_the_campaign_s_last_day_not_the_day_after(
        self, client: FlaskClient, core: Core, demo: dict[str, Any]
    ) -> None:
        # A campaign's last day is kept as the midnight after it, in the merchant's time zone.
        last_day = utcnow().astimezone(ROME).date() + timedelta(days=9)
        ends = datetime.combine(last_day + timedelta(days=1), time(0, 0), ROME).astimezone(UTC)
        with core.db.write() as session:
            session.execute(update(Campaign).where(Campaign.ends_at > utcnow()).values(ends_at=ends))
        login(client, ANNA, "demo-password")
        page = client.get("/p/demo/rewards").text
        assert f"take your rewards until {format_date(last_day, 'medium', locale='en')}." in page

    def test_outside_a_campaign_the_catalogue_says_why(
        self, client: FlaskClient, core: Core, demo: dict[str, Any]
    ) -> None:
        end_campaigns(core)
        login(client, ANNA, "demo-password")
        page = client.get("/p/demo/rewards").text
        assert "Take it" not in page
        assert "No points campaign is on right now" in page
        assert "Market tote bag" in page

    def test_redeeming_shows_the_voucher_and_a_double_click_is_harmless(
        self, client: FlaskClient, core: Core, demo: dict[str, Any]
    ) -> None:
        login(client, ANNA, "demo-password")
        page = client.get("/p/demo/rewards").text
        attempt = re.search(r'name="attempt" value="([0-9a-f]{32})"', page)
        assert attempt
        form = {"csrf_token": csrf_token(client, "/p/demo/rewards"), "attempt": attempt.group(1)}
        url = f"/p/demo/rewards/{reward_id(core, 'Breakfast for one')}/redeem"
        first, second = client.post(url, data=form), client.post(url, data=form)
        assert first.status_code == second.status_code == 303
        assert first.location == second.location
        assert points(core) == 800
        voucher = client.get(first.location).text
        assert "Breakfast for one" in voucher
        assert "<svg" in voucher
        with core.db.read() as session:
            assert len(session.scalars(select(Voucher)).all()) == 1

    def test_redeeming_without_enough_points_explains(
        self, client: FlaskClient, core: Core, demo: dict[str, Any]
    ) -> None:
        login(client, ANNA, "demo-password")
        form = {"csrf_token": csrf_token(client, "/p/demo/rewards"), "attempt": "a" * 32}
        response = client.post(f"/p/demo/rewards/{reward_id(core, 'Gift box')}/redeem", data=form)
        assert response.status_code == 303
        assert "You do not have enough points" in client.get(response.location).text
        assert points(core) == 1250

    def test_a_forged_or_tokenless_redeem_changes_nothing(
        self, client: FlaskClient, core: Core, demo: dict[str, Any]
    ) -> None:
        login(client, ANNA, "demo-password")
        url = f"/p/demo/rewards/{reward_id(core, 'Espresso')}/redeem"
        assert client.post(url, data={"attempt": "b" * 32}).status_code == 400
        bad = client.post(url, data={"csrf_token": csrf_token(client, "/p/demo/rewards"), "attempt": "x"})
        assert bad.status_code == 303
        assert "out of date" in client.get(bad.location).text
        assert points(core) == 1250

    def test_the_customer_cancels_a_voucher_and_gets_the_points_back(
        self, client: FlaskClient, core: Core, demo: dict[str, Any]
    ) -> None:
        voucher = redeem(core, "Espresso")
        login(client, ANNA, "demo-password")
        assert voucher.code in client.get("/p/demo/vouchers").text
        form = {"csrf_token": csrf_token(client, f"/p/demo/vouchers/{voucher.code}")}
        response = client.post(f"/p/demo/vouchers/{voucher.code}/cancel", data=form)
        assert response.status_code == 303
        assert "200 points are back" in client.get(response.location).text
        assert points(core) == 1250
        gone = client.get(f"/p/demo/vouchers/{voucher.code}")
        assert gone.status_code == 302

    def test_the_dashboard_shows_tier_next_reward_and_what_is_waiting(
        self, client: FlaskClient, demo: dict[str, Any]
    ) -> None:
        login(client, ANNA, "demo-password")
        page = client.get("/p/demo/").text
        assert "Silver" in page  # 1250 points earned this year: Silver from 500, Gold from 1500
        assert "250 more points this year to reach Gold" in page
        assert 'value="1250"' in page
        assert "A reward is waiting for you" in page
        assert "Gift box" in page

    def test_points_about_to_expire_are_announced(self, client: FlaskClient, demo: dict[str, Any]) -> None:
        login(client, "7000100003", "demo-password")
        page = client.get("/p/demo/?lang=en").text
        assert "90 points expire on" in page

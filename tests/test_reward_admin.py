"""The merchant's admin defines rewards; redeeming keeps to their stock, limit, window and stores."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from admin_core.context import Core
from admin_core.errors import Conflict, Forbidden, Invalid, NotFound
from admin_core.models import Reward, RewardPicture, StaffLevel
from admin_core.services import utcnow
from admin_core.services.merchants import create_merchant, get_merchant
from admin_core.services.reward_admin import (
    InvalidReward,
    RewardDetails,
    create_reward,
    get_reward,
    list_rewards,
    set_picture,
    set_reward_active,
    update_reward,
)
from admin_core.services.staff import StaffScope
from admin_core.services.vouchers import cancel_voucher, collect_voucher, redeem_reward

from .conftest import login

ANNA = "7000100001"  # 1250 points


def admin(core: Core, slug: str = "demo") -> StaffScope:
    with core.db.read() as session:
        return StaffScope.merchant(get_merchant(session, slug).id)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return out.getvalue()


def redeem(core: Core, reward_id: int, number: str = ANNA) -> str:
    with core.db.write() as session:
        voucher, _ = redeem_reward(session, get_merchant(session, "demo"), number, reward_id)
        return voucher.code


def refused_code(core: Core, reward_id: int, number: str = ANNA) -> str:
    with pytest.raises(Conflict) as refused:
        redeem(core, reward_id, number)
    return refused.value.code


def stock_of(core: Core, reward_id: int) -> int | None:
    with core.db.read() as session:
        return session.get_one(Reward, reward_id).stock


class TestManaging:
    def test_the_admin_creates_changes_and_switches_off_a_reward(
        self, core: Core, demo: dict[str, Any]
    ) -> None:
        scope = admin(core)
        made = create_reward(
            core.db,
            scope,
            RewardDetails(name=" Mug ", points=300, stock=10, per_customer_limit=2, stores=("MAIN",)),
        )
        with core.db.read() as session:
            found = get_reward(session, scope, made.id)
            assert (found.name, found.stock, found.per_customer_limit) == ("Mug", 10, 2)
            assert [store.code for store in found.stores] == ["MAIN"]
        update_reward(core.db, scope, made.id, RewardDetails(name="Big mug", points=350, stores=()))
        set_reward_active(core.db, scope, made.id, False)
        with core.db.read() as session:
            found = get_reward(session, scope, made.id)
            assert (found.name, found.points, found.stock, found.stores, found.active) == (
                "Big mug",
                350,
                None,
                [],
                False,
            )

    def test_bad_input_is_refused_at_each_field_and_nothing_changes(
        self, core: Core, demo: dict[str, Any]
    ) -> None:
        scope, now = admin(core), utcnow()
        with core.db.read() as session:
            before = len(session.scalars(select(Reward)).all())
        with pytest.raises(InvalidReward) as refused:
            create_reward(
                core.db,
                scope,
                RewardDetails(
                    name=" ",
                    points=0,
                    stock=-1,
                    per_customer_limit=0,
                    active_from=now,
                    active_until=now - timedelta(days=1),
                    stores=("NOWHERE",),
                ),
            )
        assert refused.value.codes == {
            "name": "invalid_name",
            "points": "invalid_points",
            "stock": "invalid_stock",
            "per_customer_limit": "invalid_limit",
            "active_until": "invalid_period",
            "stores": "unknown_store",
        }
        assert refused.value.fields["stores"] == ["No such store: NOWHERE."]
        with core.db.read() as session:
            assert len(session.scalars(select(Reward)).all()) == before

    def test_another_merchant_and_lower_levels_get_no_such_reward_or_not_allowed(
        self, core: Core, demo: dict[str, Any]
    ) -> None:
        made = create_reward(core.db, admin(core), RewardDetails(name="Mug", points=300))
        other = create_merchant(core.db, "other", "Other")
        outsider = StaffScope.merchant(other.id)
        with pytest.raises(NotFound), core.db.read() as session:
            get_reward(session, outsider, made.id)
        with pytest.raises(NotFound):
            update_reward(core.db, outsider, made.id, RewardDetails(name="Mine", points=1))
        with pytest.raises(NotFound):
            set_picture(core.db, outsider, made.id, png())
        assert list_rewards_names(core, outsider) == []
        manager = StaffScope(admin(core).merchant_id, 1, StaffLevel.MANAGER, None)
        with pytest.raises(Forbidden):
            create_reward(core.db, manager, RewardDetails(name="Mug", points=300))

    def test_the_list_goes_page_by_page_with_a_cursor(self, core: Core, demo: dict[str, Any]) -> None:
        scope = admin(core)
        with core.db.read() as session:
            first = list_rewards(session, scope, limit=3)
            assert len(first.rewards) == 3 and first.next_cursor
            rest = list_rewards(session, scope, first.next_cursor, limit=3)
        names = [reward.name for reward in first.rewards + rest.rewards]
        assert names == list_rewards_names(core, scope)
        assert rest.next_cursor is None
        with pytest.raises(Invalid) as bad, core.db.read() as session:
            list_rewards(session, scope, "not-a-cursor!")
        assert bad.value.code == "invalid_cursor"

    def test_a_picture_is_checked_like_the_logo(self, core: Core, demo: dict[str, Any]) -> None:
        scope = admin(core)
        made = create_reward(core.db, scope, RewardDetails(name="Mug", points=300))
        with pytest.raises(InvalidReward) as refused:
            set_picture(core.db, scope, made.id, b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>')
        assert refused.value.codes == {"picture": "unsafe_svg"}
        with pytest.raises(InvalidReward) as refused:
            set_picture(core.db, scope, made.id, b"GIF89a not really")
        assert refused.value.codes == {"picture": "invalid_picture"}
        with core.db.read() as session:
            assert session.get(RewardPicture, made.id) is None
        changed = set_picture(core.db, scope, made.id, png())
        assert changed.picture_digest
        with core.db.read() as session:
            assert session.get_one(RewardPicture, made.id).content_type == "image/png"


def list_rewards_names(core: Core, scope: StaffScope) -> list[str]:
    with core.db.read() as session:
        return [reward.name for reward in list_rewards(session, scope).rewards]


class TestRedeeming:
    def test_the_stock_runs_out_and_a_cancelled_voucher_gives_it_back(
        self, core: Core, demo: dict[str, Any]
    ) -> None:
        made = create_reward(core.db, admin(core), RewardDetails(name="Mug", points=10, stock=2))
        first = redeem(core, made.id)
        redeem(core, made.id)
        assert stock_of(core, made.id) == 0
        assert refused_code(core, made.id) == "out_of_stock"
        with core.db.write() as session:
            cancel_voucher(session, get_merchant(session, "demo").id, first)
        assert stock_of(core, made.id) == 1
        redeem(core, made.id)

    def test_one_customer_takes_it_at_most_the_limit_cancelled_ones_aside(
        self, core: Core, demo: dict[str, Any]
    ) -> None:
        made = create_reward(core.db, admin(core), RewardDetails(name="Mug", points=10, per_customer_limit=1))
        code = redeem(core, made.id)
        assert refused_code(core, made.id) == "limit_reached"
        redeem(core, made.id, "7000100003")  # another customer
        with core.db.write() as session:
            cancel_voucher(session, get_merchant(session, "demo").id, code)
        redeem(core, made.id)

    def test_outside_its_window_it_cannot_be_taken(self, core: Core, demo: dict[str, Any]) -> None:
        now, scope = utcnow(), admin(core)
        later = create_reward(
            core.db, scope, RewardDetails(name="Later", points=10, active_from=now + timedelta(days=1))
        )
        over = create_reward(
            core.db,
            scope,
            RewardDetails(name="Over", points=10, active_from=now - timedelta(days=2), active_until=now),
        )
        assert refused_code(core, later.id) == "not_yet"
        assert refused_code(core, over.id) == "reward_ended"

    def test_it_is_collected_only_at_its_stores(self, core: Core, demo: dict[str, Any]) -> None:
        made = create_reward(core.db, admin(core), RewardDetails(name="Mug", points=10, stores=("MAIN",)))
        code = redeem(core, made.id)
        with pytest.raises(Conflict) as refused, core.db.write() as session:
            collect_voucher(session, get_merchant(session, "demo").id, code, "STATION")
        assert refused.value.code == "wrong_store"
        assert "collected only at" in refused.value.message
        with core.db.write() as session:
            collect_voucher(session, get_merchant(session, "demo").id, code, "MAIN")


class TestPortalPage:
    def test_the_catalogue_says_why_a_reward_cannot_be_taken(
        self, client: FlaskClient, core: Core, demo: dict[str, Any]
    ) -> None:
        scope, now = admin(core), utcnow()
        create_reward(core.db, scope, RewardDetails(name="Sold mug", points=10, stock=0))
        limited = create_reward(
            core.db, scope, RewardDetails(name="Once mug", points=10, per_customer_limit=1)
        )
        create_reward(
            core.db, scope, RewardDetails(name="Soon mug", points=10, active_from=now + timedelta(days=3))
        )
        create_reward(core.db, scope, RewardDetails(name="Past mug", points=10, active_until=now))
        redeem(core, limited.id)
        login(client, ANNA, "demo-password")
        page = client.get("/p/demo/rewards?lang=en").text
        assert "Sold out" in page
        assert "You have taken it 1 time already." in page
        assert "From " in page and "Soon mug" in page
        assert "Past mug" not in page
        assert page.count("Take it") == 3  # the demo's three affordable rewards, none of these


class TestApi:
    @pytest.fixture
    def api(self, core_app: Flask) -> FlaskClient:
        return core_app.test_client()

    def test_a_reward_is_created_once_per_key_and_changed_field_by_field(
        self, api: FlaskClient, demo: dict[str, Any]
    ) -> None:
        headers = {"Authorization": f"Bearer {demo['api_key']}", "Idempotency-Key": "mug-1"}
        body = {"name": "Mug", "points": 300, "stock": 5, "stores": ["MAIN"], "active_from": None}
        first, again = (
            api.post("/api/v1/rewards", json=body, headers=headers),
            api.post("/api/v1/rewards", json=body, headers=headers),
        )
        assert first.status_code == again.status_code == 201
        assert again.headers["Idempotent-Replayed"] == "true" and again.json == first.json
        assert (first.json["stock"], first.json["stores"], first.json["active"]) == (5, ["MAIN"], True)
        url = f"/api/v1/rewards/{first.json['id']}"
        changed = api.patch(url, json={"stock": None, "active": False}, headers=headers)
        assert changed.status_code == 200
        assert (changed.json["name"], changed.json["stock"], changed.json["active"]) == ("Mug", None, False)
        assert api.get(url, headers=headers).json == changed.json
        assert "Mug" not in api.get("/api/v1/rewards", headers=headers).text  # switched off
        openapi = api.get("/api/v1/openapi.json").json["paths"]
        assert {"/api/v1/rewards/all", "/api/v1/rewards/{reward_id}/picture"} <= openapi.keys()

    def test_bad_input_answers_422_with_the_field_and_changes_nothing(
        self, api: FlaskClient, core: Core, demo: dict[str, Any]
    ) -> None:
        headers = {"Authorization": f"Bearer {demo['api_key']}", "Idempotency-Key": "bad-1"}
        with core.db.read() as session:
            before = len(session.scalars(select(Reward)).all())
        bad = api.post("/api/v1/rewards", json={"name": "Mug", "points": 0, "stock": -2}, headers=headers)
        assert bad.status_code == 422
        assert bad.json["error"]["code"] == "invalid_reward"
        assert set(bad.json["error"]["fields"]) == {"points", "stock"}
        naive = api.post(
            "/api/v1/rewards",
            json={"name": "Mug", "points": 5, "active_from": "2030-01-01T00:00:00"},
            headers=headers,
        )
        assert naive.status_code == 422 and "active_from" in naive.json["error"]["fields"]
        espresso = api.get("/api/v1/rewards", headers=headers).json["rewards"][0]
        patched = api.patch(
            f"/api/v1/rewards/{espresso['id']}", json={"stores": ["NOWHERE"]}, headers=headers
        )
        assert patched.status_code == 422 and patched.json["error"]["fields"] == {
            "stores": ["No such store: NOWHERE."]
        }
        picture = api.put(f"/api/v1/rewards/{espresso['id']}/picture", data=b"not an image", headers=headers)
        assert picture.status_code == 422 and picture.json["error"]["code"] == "invalid_reward"
        with core.db.read() as session:
            assert len(session.scalars(select(Reward)).all()) == before
            assert session.get_one(Reward, espresso["id"]).stores == []

    def test_the_till_is_told_where_a_reward_is_collected(
        self, api: FlaskClient, core: Core, demo: dict[str, Any]
    ) -> None:
        made = create_reward(core.db, admin(core), RewardDetails(name="Mug", points=10, stores=("MAIN",)))
        code = redeem(core, made.id)
        headers = {"Authorization": f"Bearer {demo['api_key']}"}
        wrong = api.post(f"/api/v1/vouchers/{code}/collect", json={"store": "STATION"}, headers=headers)
        assert wrong.status_code == 409 and wrong.json["error"]["code"] == "wrong_store"
        assert api.get(f"/api/v1/vouchers/{code}", headers=headers).json["status"] == "issued"
        right = api.post(f"/api/v1/vouchers/{code}/collect", json={"store": "MAIN"}, headers=headers)
        assert right.status_code == 200

    def test_the_list_pages_with_a_cursor(self, api: FlaskClient, demo: dict[str, Any]) -> None:
        headers = {"Authorization": f"Bearer {demo['api_key']}"}
        first = api.get("/api/v1/rewards/all?limit=3", headers=headers).json
        rest = api.get(f"/api/v1/rewards/all?limit=3&cursor={first['next_cursor']}", headers=headers).json
        assert len(first["rewards"]) == 3 and rest["next_cursor"] is None
        names = [reward["name"] for reward in first["rewards"] + rest["rewards"]]
        assert "Espresso" in names and len(names) == len(set(names))
        bad = api.get("/api/v1/rewards/all?cursor=nope", headers=headers)
        assert bad.status_code == 422 and bad.json["error"]["code"] == "invalid_cursor"


def test_the_demo_has_a_reward_in_limited_stock_and_one_with_a_per_customer_limit(
    core: Core, demo: dict[str, Any]
) -> None:
    with core.db.read() as session:
        rewards = {reward.name: reward for reward in session.scalars(select(Reward))}
    assert rewards["Gift box"].stock == 20
    assert rewards["Market tote bag"].per_customer_limit == 2
    assert rewards["Espresso"].image_url == "/static/rewards/coffee.svg"


def test_the_portal_shows_an_uploaded_picture_from_the_site(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    made = create_reward(core.db, admin(core), RewardDetails(name="Mug", points=10))
    set_picture(core.db, admin(core), made.id, png())
    login(client, ANNA, "demo-password")
    page = client.get("/p/demo/rewards").text
    found = re.search(rf'<img src="(/logo/demo/rewards/{made.id}\?v=[0-9a-f]{{12}})"', page)
    assert found, page
    shown = client.get(found.group(1))
    assert shown.status_code == 200 and shown.mimetype == "image/png" and shown.data == png()
    assert "sandbox" in shown.headers["Content-Security-Policy"]
    assert client.get("/logo/other/rewards/1").status_code == 404
    assert client.get(f"/logo/demo/rewards/{made.id + 1000}").status_code == 404

"""The merchant's stores and store groups through the API (a merchant key: the admin's reach) and
the services: a store's details are checked field by field, a switched-off store records nothing,
a group stands for its stores wherever a store is chosen."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from admin_core.context import Core
from admin_core.errors import Conflict, Forbidden, Invalid, NotFound
from admin_core.models import Coupon, Operation, Staff, StaffLevel, Store, StoreGroup
from admin_core.services.coupon_uses import use_coupon
from admin_core.services.merchants import create_merchant, create_store, get_merchant
from admin_core.services.pass_sales import KindDetails, define_kind, record_entry, sell_pass
from admin_core.services.reward_admin import RewardDetails, create_reward
from admin_core.services.staff import StaffScope
from admin_core.services.store_groups import GroupDetails, new_group, stores_in, stores_of
from admin_core.services.stores import StoreDetails, new_store, set_store_active
from admin_core.services.vouchers import collect_voucher, redeem_reward

ANNA = "7000100001"
HOURS = {
    "mon": [{"open": "15:00", "close": "19:30"}, {"open": "09:00", "close": "13:00"}],
    "sat": [{"open": "10:00", "close": "24:00"}],
}


def admin(core: Core, slug: str = "demo") -> StaffScope:
    with core.db.read() as session:
        return StaffScope.merchant(get_merchant(session, slug).id)


def stores_count(core: Core) -> int:
    with core.db.read() as session:
        return session.scalar(select(func.count()).select_from(Store)) or 0


@pytest.fixture
def api(core_app: Flask) -> FlaskClient:
    return core_app.test_client()


@pytest.fixture
def headers(demo: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo['api_key']}", "Idempotency-Key": "store-1"}


class TestStores:
    def test_a_store_is_created_once_per_key_then_changed_field_by_field(
        self, api: FlaskClient, headers: dict[str, str]
    ) -> None:
        body = {"code": "MILAN-1", "name": " Milan Duomo ", "opening_hours": HOURS, "latitude": 45.4642035}
        body["longitude"] = 9.189982
        first, again = (api.post("/api/v1/stores", json=body, headers=headers) for _ in range(2))
        assert first.status_code == again.status_code == 201
        assert again.headers["Idempotent-Replayed"] == "true" and again.json == first.json
        made = first.json
        assert (made["code"], made["name"], made["active"], made["address"]) == (
            "MILAN-1",
            "Milan Duomo",
            True,
            "",
        )
        assert made["opening_hours"]["mon"] == [
            {"open": "09:00", "close": "13:00"},
            {"open": "15:00", "close": "19:30"},
        ]
        assert made["opening_hours"]["sun"] == [] and (made["latitude"], made["longitude"]) == (
            45.464204,
            9.189982,
        )
        changed = api.patch(
            "/api/v1/stores/MILAN-1",
            json={
                "name": "Milano Duomo",
                "address": "Piazza del Duomo 1, 20122 Milano",
                "opening_hours": None,
            },
            headers=headers,
        )
        assert changed.status_code == 200
        assert (changed.json["name"], changed.json["opening_hours"], changed.json["latitude"]) == (
            "Milano Duomo",
            None,
            45.464204,
        )
        assert api.get("/api/v1/stores/MILAN-1", headers=headers).json == changed.json
        openapi = api.get("/api/v1/openapi.json").json
        assert {"/api/v1/stores", "/api/v1/stores/{code}", "/api/v1/store-groups/{group_id}"} <= openapi[
            "paths"
        ].keys()
        assert "OpeningHours" in openapi["components"]["schemas"]

    @pytest.mark.parametrize(
        ("change", "fields"),
        [
            ({"opening_hours": {"mon": [{"open": "25:00", "close": "26:00"}]}}, {"opening_hours.mon"}),
            ({"opening_hours": {"tue": [{"open": "18:00", "close": "09:00"}]}}, {"opening_hours.tue"}),
            (
                {
                    "opening_hours": {
                        "wed": [{"open": "09:00", "close": "13:00"}, {"open": "12:00", "close": "14:00"}]
                    }
                },
                {"opening_hours.wed"},
            ),
            ({"latitude": 91, "longitude": 9}, {"latitude"}),
            ({"latitude": 45, "longitude": -180.5}, {"longitude"}),
            ({"latitude": 45, "longitude": None}, {"longitude"}),
            ({"name": "  ", "address": "x" * 501}, {"name", "address"}),
        ],
    )
    def test_bad_details_answer_422_at_their_field_and_change_nothing(
        self, api: FlaskClient, headers: dict[str, str], change: dict[str, Any], fields: set[str]
    ) -> None:
        before = api.get("/api/v1/stores/MAIN", headers=headers).json
        patched = api.patch("/api/v1/stores/MAIN", json=change, headers=headers)
        assert patched.status_code == 422, patched.json
        assert patched.json["error"]["code"] == "invalid_store"
        assert set(patched.json["error"]["fields"]) == fields
        created = api.post("/api/v1/stores", json={"code": "NEW", "name": "New", **change}, headers=headers)
        assert created.status_code == 422 and set(created.json["error"]["fields"]) >= fields - {"name"}
        assert api.get("/api/v1/stores/MAIN", headers=headers).json == before
        assert api.get("/api/v1/stores/NEW", headers=headers).status_code == 404

    @pytest.mark.both_backends  # the unique constraint
    def test_an_unknown_day_a_bad_code_and_a_code_taken_are_refused(
        self, api: FlaskClient, core: Core, headers: dict[str, str]
    ) -> None:
        before = stores_count(core)
        day = api.patch("/api/v1/stores/MAIN", json={"opening_hours": {"monday": []}}, headers=headers)
        assert day.status_code == 422
        bad = api.post("/api/v1/stores", json={"code": "no spaces", "name": "X"}, headers=headers)
        assert bad.status_code == 422 and set(bad.json["error"]["fields"]) == {"code"}
        taken = api.post("/api/v1/stores", json={"code": "MAIN", "name": "Again"}, headers=headers)
        assert taken.status_code == 409 and taken.json["error"]["code"] == "store_exists"
        assert stores_count(core) == before

    def test_the_list_goes_page_by_page_by_code(
        self, api: FlaskClient, core: Core, headers: dict[str, str]
    ) -> None:
        for code in ("A1", "Z9"):
            new_store(core.db, admin(core), code, StoreDetails(name=code))
        first = api.get("/api/v1/stores?limit=2", headers=headers).json
        rest = api.get(f"/api/v1/stores?limit=2&cursor={first['next_cursor']}", headers=headers).json
        assert [store["code"] for store in first["stores"] + rest["stores"]] == [
            "A1",
            "MAIN",
            "STATION",
            "Z9",
        ]
        assert rest["next_cursor"] is None
        bad = api.get("/api/v1/stores?cursor=nope", headers=headers)
        assert bad.status_code == 422 and bad.json["error"]["code"] == "invalid_cursor"

    def test_a_switched_off_store_records_nothing_and_keeps_its_history(
        self, api: FlaskClient, core: Core, headers: dict[str, str]
    ) -> None:
        key = {"Authorization": headers["Authorization"]}
        purchase = {"kind": "earn_points", "amount": 5, "store": "MAIN"}
        with core.db.read() as session:
            espresso = create_reward(core.db, admin(core), RewardDetails(name="Cup", points=10))
            history = session.scalar(
                select(func.count()).select_from(Operation).join(Store).where(Store.code == "MAIN")
            )
        with core.db.write() as session:
            voucher = redeem_reward(session, get_merchant(session, "demo"), ANNA, espresso.id)[0].code
        off = api.patch("/api/v1/stores/MAIN", json={"active": False}, headers=headers)
        assert off.status_code == 200 and off.json["active"] is False
        refused = api.post(
            f"/api/v1/cards/{ANNA}/operations", json=purchase, headers={**key, "Idempotency-Key": "off-1"}
        )
        assert refused.status_code == 409 and refused.json["error"]["code"] == "store_inactive"
        collected = api.post(f"/api/v1/vouchers/{voucher}/collect", json={"store": "MAIN"}, headers=key)
        assert collected.status_code == 409 and collected.json["error"]["code"] == "store_inactive"
        with core.db.read() as session:
            kept = session.scalar(
                select(func.count()).select_from(Operation).join(Store).where(Store.code == "MAIN")
            )
        assert kept == history
        assert "MAIN" in api.get("/api/v1/stores", headers=key).text  # listed, switched off
        api.patch("/api/v1/stores/MAIN", json={"active": True}, headers=headers)
        again = api.post(
            f"/api/v1/cards/{ANNA}/operations", json=purchase, headers={**key, "Idempotency-Key": "on-1"}
        )
        assert again.status_code == 201

    def test_only_the_admin_reaches_stores_and_another_merchant_s_is_no_such_store(
        self, core: Core, demo: dict[str, Any]
    ) -> None:
        with core.db.read() as session:
            manager = session.scalar(select(Staff).where(Staff.email == "manager@demo.example"))
            assert manager is not None
            scope = StaffScope.of(manager)
        assert scope.level is StaffLevel.MANAGER
        with pytest.raises(Forbidden):
            new_store(core.db, scope, "MINE", StoreDetails(name="Mine"))
        with pytest.raises(Forbidden):
            set_store_active(core.db, scope, "MAIN", False)
        other = create_merchant(core.db, "other", "Other")
        create_store(core.db, other.id, "OTHER", "Other's")
        with pytest.raises(NotFound):
            set_store_active(core.db, admin(core), "OTHER", False)


class TestGroups:
    @pytest.mark.both_backends  # the unique constraint, the members' rows deleted with the group
    def test_a_group_is_created_renamed_its_members_edited_and_deleted(
        self, api: FlaskClient, core: Core, headers: dict[str, str]
    ) -> None:
        made = api.post(
            "/api/v1/store-groups", json={"name": "Milan shops", "stores": ["MAIN"]}, headers=headers
        )
        assert made.status_code == 201, made.json
        group = made.json
        assert (group["name"], group["stores"], group["choice"]) == (
            "Milan shops",
            ["MAIN"],
            f"group:{group['id']}",
        )
        url = f"/api/v1/store-groups/{group['id']}"
        changed = api.patch(url, json={"name": "Lombardy", "stores": ["STATION", "MAIN"]}, headers=headers)
        assert changed.status_code == 200 and changed.json["stores"] == ["MAIN", "STATION"]
        listed = api.get("/api/v1/store-groups", headers=headers).json
        assert [each["name"] for each in listed["groups"]] == ["Rome shops", "Lombardy"]  # the demo's first
        assert listed["next_cursor"] is None
        taken = api.post(
            "/api/v1/store-groups", json={"name": "Lombardy"}, headers={**headers, "Idempotency-Key": "g-2"}
        )
        assert taken.status_code == 409 and taken.json["error"]["code"] == "store_group_exists"
        renamed = api.patch(url, json={"name": "Rome shops"}, headers=headers)  # the demo's group
        assert renamed.status_code == 409 and renamed.json["error"]["code"] == "store_group_exists"
        assert api.get(url, headers=headers).json["name"] == "Lombardy"
        unknown = api.patch(url, json={"stores": ["NOWHERE"]}, headers=headers)
        assert unknown.status_code == 422 and unknown.json["error"]["fields"] == {
            "stores": ["No such store: NOWHERE."]
        }
        assert api.delete(url, headers=headers).status_code == 204
        assert api.get(url, headers=headers).status_code == 404
        assert stores_count(core) >= 2  # the stores stay

    def test_a_choice_is_a_store_or_a_group_and_resolves_to_store_ids(
        self, core: Core, demo: dict[str, Any]
    ) -> None:
        scope = admin(core)
        both = new_group(core.db, scope, GroupDetails("Both", ("MAIN", "STATION")))
        empty = new_group(core.db, scope, GroupDetails("Empty"))
        other = create_merchant(core.db, "other", "Other")
        create_store(core.db, other.id, "OTHER", "Other's")
        theirs = new_group(core.db, StaffScope.merchant(other.id), GroupDetails("Theirs", ("OTHER",)))
        with core.db.read() as session:
            ids = {store.code: store.id for store in session.scalars(select(Store))}
            assert stores_of(session, scope.merchant_id, "MAIN") == [ids["MAIN"]]
            assert sorted(stores_of(session, scope.merchant_id, f"group:{both.id}")) == sorted(
                [ids["MAIN"], ids["STATION"]]
            )
            for choice in (f"group:{theirs.id}", "OTHER", "group:x", "group:99999999999"):
                with pytest.raises(NotFound):
                    stores_of(session, scope.merchant_id, choice)
            assert [
                store.code for store in stores_in(session, scope.merchant_id, ["MAIN", f"group:{both.id}"])
            ] == [
                "MAIN",
                "STATION",
            ]
            with pytest.raises(Invalid) as nothing:
                stores_in(session, scope.merchant_id, [f"group:{empty.id}"])
            assert nothing.value.code == "empty_store_group"

    def test_a_reward_chosen_for_a_group_gets_its_stores(
        self, api: FlaskClient, core: Core, headers: dict[str, str]
    ) -> None:
        group = new_group(core.db, admin(core), GroupDetails("Station only", ("STATION",)))
        made = api.post(
            "/api/v1/rewards",
            json={"name": "Mug", "points": 10, "stores": [f"group:{group.id}"]},
            headers=headers,
        )
        assert made.status_code == 201 and made.json["stores"] == ["STATION"]
        with core.db.write() as session:
            code = redeem_reward(session, get_merchant(session, "demo"), ANNA, made.json["id"])[0].code
        with pytest.raises(Conflict) as refused, core.db.write() as session:
            collect_voucher(session, get_merchant(session, "demo").id, code, "MAIN")
        assert refused.value.code == "wrong_store"

    def test_only_the_admin_edits_groups(self, core: Core, demo: dict[str, Any]) -> None:
        with core.db.read() as session:
            till = session.scalar(select(Staff).where(Staff.email == "till@demo.example"))
            assert till is not None
            before = session.scalar(select(func.count()).select_from(StoreGroup))
        with pytest.raises(Forbidden):
            new_group(core.db, StaffScope.of(till), GroupDetails("Mine"))
        with core.db.read() as session:
            assert session.scalar(select(func.count()).select_from(StoreGroup)) == before


@pytest.mark.parametrize("cursor", ["%C2%80", "nope", "cw", "aDA", "a" * 65, "Z2FiYw"])
def test_a_cursor_that_is_not_one_of_the_list_s_is_refused(
    api: FlaskClient, headers: dict[str, str], cursor: str
) -> None:
    for path in ("/api/v1/stores", "/api/v1/store-groups", "/api/v1/hotspots"):
        answer = api.get(f"{path}?cursor={cursor}", headers={"Authorization": headers["Authorization"]})
        assert answer.status_code == 422 and answer.json["error"]["code"] == "invalid_cursor", (path, cursor)


def test_a_switched_off_store_sells_no_pass_takes_no_entry_and_no_coupon(
    core: Core, demo: dict[str, Any]
) -> None:
    scope = admin(core)
    with core.db.write() as session:
        kind = define_kind(session, scope, KindDetails("Five swims", 5, 30, 2000))
    sold = sell_pass(core.db, scope, ANNA, kind.id, "MAIN", "sale-1")
    with core.db.read() as session:
        coupon = session.scalar(select(Coupon.id).where(Coupon.merchant_id == scope.merchant_id))
    assert coupon is not None
    set_store_active(core.db, scope, "MAIN", False)
    with core.db.read() as session:
        before = session.scalar(select(func.count()).select_from(Operation))
    for refused in (
        lambda: sell_pass(core.db, scope, ANNA, kind.id, "MAIN", "sale-2"),
        lambda: record_entry(core.db, scope, sold.body["pass"], "MAIN", "entry-1"),
        lambda: use_coupon(core.db, scope, ANNA, coupon, "MAIN", "coupon-1"),
    ):
        with pytest.raises(Conflict) as off:
            refused()
        assert off.value.code == "store_inactive"
    with core.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Operation)) == before
    assert record_entry(core.db, scope, sold.body["pass"], "STATION", "entry-2").status == 201

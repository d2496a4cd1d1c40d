"""Nobody reaches another merchant's data, and no staff member another store's: every endpoint of
the API and every page of the staff UI, table by table. Each row first proves that its owner gets
through (so that a wrong address cannot pass as a refusal), then that the outsider does not, and
that nothing changed. A test fails when an endpoint or a staff page has no row."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from admin_core.context import TRUSTED_SITE_ENVIRON, Core
from admin_core.models import (
    Card,
    Coupon,
    Customer,
    HotspotKind,
    Merchant,
    Operation,
    OperationKind,
    OutboundMail,
    Reward,
    Staff,
    StaffLevel,
    Store,
    Tier,
    Voucher,
    VoucherStatus,
)
from admin_core.services import customer_groups, utcnow
from admin_core.services.cards import enroll_customer
from admin_core.services.customer_import import dry_run
from admin_core.services.hotspots import create_hotspot
from admin_core.services.merchants import create_api_key, create_merchant, create_store, get_merchant
from admin_core.services.offers import publish_coupon
from admin_core.services.pass_sales import KindDetails, define_kind, sell_pass
from admin_core.services.portal_auth import set_password
from admin_core.services.program_setup import CampaignDetails, create_campaign
from admin_core.services.reward_admin import set_picture
from admin_core.services.staff import NewStaff, StaffScope, create_staff
from admin_core.services.staff_invitations import Letter, Mailer, invite_staff
from admin_core.services.stamp_cards import StampCardDetails, create_stamp_card
from admin_core.services.store_groups import GroupDetails, new_group
from admin_core.services.vouchers import redeem_reward

from .conftest import LoadedDemo, loaded_demo
from .smtp import Inbox

OTHER_CARD = "8800000001"
PICTURE = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>'
PASSWORD = "other-staff-password"
INVITED = "ines@demo.example"


def letter(staff: Staff, token: str) -> Letter:
    return Letter("Invited", f"Your link: {token}", f"<p>Your link: {token}</p>")


@dataclass
class World:
    """Two merchants: the demo (stores MAIN and STATION) and "other" (store OTHER), each with a
    card, a coupon per store, a voucher, a hotspot and staff."""

    demo_key: str
    other_key: str
    ids: dict[str, Any]


@pytest.fixture(scope="module")
def demo_database(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, smtp: Inbox
) -> Iterator[LoadedDemo]:
    """The demo and the other merchant's world, committed once for the module."""
    with loaded_demo(database_url, tmp_path_factory.mktemp("world"), smtp, then=build_world) as loaded:
        yield loaded


@pytest.fixture
def world(demo_database: LoadedDemo, demo: dict[str, Any]) -> World:
    built: World = demo_database.extra
    return built


def build_world(core: Core, demo: dict[str, Any]) -> World:
    db = core.db
    other = create_merchant(db, "other", "Other shop", portal_enabled=True)
    create_store(db, other.id, "OTHER", "Other shop's store")
    enroll_customer(db, other.id, OTHER_CARD, first_name="Olga", email="olga@example.com")
    set_password(db, core.passwords, other.id, OTHER_CARD, "olga-password")
    with db.read() as session:
        demo_id = get_merchant(session, "demo").id
    month = utcnow() + timedelta(days=30)
    coupons = {
        name: publish_coupon(db, merchant_id, title=f"{name} coupon", valid_until=month, store_code=store).id
        for name, merchant_id, store in (
            ("main", demo_id, "MAIN"),
            ("station", demo_id, "STATION"),
            ("other", other.id, "OTHER"),
        )
    }
    other_admin = create_staff(
        db,
        core.passwords,
        StaffScope.merchant(other.id),
        NewStaff("Otto", "Other", "otto@other.example", PASSWORD, StaffLevel.ADMIN, None),
    )
    create_hotspot(
        db, other.id, "OTHER", HotspotKind.MERAKI, {"mode": "click-through"}, public_id="other-lobby"
    )
    with db.write() as session:
        invite_staff(
            session,
            Mailer("world", core.mail_seal, timedelta(days=1), letter, letter),
            StaffScope.merchant(demo_id),
            NewStaff("Ines", "Invited", INVITED, None, StaffLevel.USER, "MAIN"),
        )
    with db.write() as session:
        demo_merchant = session.get_one(Merchant, demo_id)
        espresso = session.scalar(
            select(Reward.id).where(Reward.merchant_id == demo_id, Reward.name == "Espresso")
        )
        assert espresso is not None
        voucher = redeem_reward(session, demo_merchant, "7000100001", espresso)[0].code
    set_picture(db, StaffScope.merchant(demo_id), espresso, PICTURE)
    coffee = create_stamp_card(db, StaffScope.merchant(demo_id), StampCardDetails("coffee", 10, espresso))
    imports = {
        name: dry_run(db, merchant_id, f"{name}-customers.csv", b"card,first_name\n9900000001,Ida\n").id
        for name, merchant_id in (("demo", demo_id), ("other", other.id))
    }
    with db.write() as session:
        kind = define_kind(session, StaffScope.merchant(demo_id), KindDetails("Ten swims", 10, 90, 5000))
    sold = sell_pass(db, StaffScope.merchant(demo_id), "7000100001", kind.id, "MAIN", "world-sale")
    group = new_group(db, StaffScope.merchant(demo_id), GroupDetails("Demo group", ("MAIN",)))
    regulars = customer_groups.new_group(
        db, StaffScope.merchant(demo_id), customer_groups.GroupDetails("Demo regulars")
    )
    with db.read() as session:
        staff = {row.email: row.id for row in session.scalars(select(Staff))}
        tier = session.scalar(select(Tier.id).where(Tier.merchant_id == demo_id, Tier.name == "Gold"))
        anna = session.scalar(select(Card.id).where(Card.merchant_id == demo_id, Card.number == "7000100001"))
        operations = {
            code: session.scalar(
                select(Operation.id)
                .join(Store, Store.id == Operation.store_id)
                .where(
                    Operation.card_id == anna, Store.code == code, Operation.kind == OperationKind.EARN_POINTS
                )
                .limit(1)
            )
            for code in ("MAIN", "STATION")
        }
    later = utcnow() + timedelta(days=10)
    campaign = create_campaign(
        db, StaffScope.merchant(demo_id), CampaignDetails("Later", later, later + timedelta(days=7), 200)
    )
    return World(
        demo_key=demo["api_key"],
        other_key=create_api_key(db, other.id),
        ids={
            "coupons": coupons,
            "staff": staff,
            "other_admin": other_admin.id,
            "demo_voucher": voucher,
            "reward_demo": espresso,
            "imports": imports,
            "tier_demo": tier,
            "campaign_later": campaign.id,
            "operations": operations,
            "pass_kind_demo": kind.id,
            "pass_demo": sold.body["pass"],
            "group_demo": group.id,
            "cgroup_demo": regulars.id,
            "stamp_card_demo": coffee.id,
        },
    )


def counts(core: Core) -> tuple[int, ...]:
    with core.db.read() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Operation, Coupon, Staff, Reward, OutboundMail, Customer)
        )


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


# The API, with a merchant's key: (endpoint, method, path, body). Paths name the demo merchant's
# resources; the demo's key must get through, the other merchant's key must not.
MERCHANT_API = [
    ("imports.read_import", "GET", "/api/v1/customers/imports/{import_demo}", None),
    ("imports.apply_import", "POST", "/api/v1/customers/imports/{import_demo}/apply", None),
    ("cards.read_card", "GET", "/api/v1/cards/7000100001", None),
    (
        "cards.post_operation",
        "POST",
        "/api/v1/cards/7000100001/operations",
        {"kind": "earn_points", "amount": 5, "store": "MAIN"},
    ),
    ("reward_admin.read_reward", "GET", "/api/v1/rewards/{reward_demo}", None),
    (
        "reward_admin.change_reward",
        "PATCH",
        "/api/v1/rewards/{reward_demo}",
        {"points": 250, "active": False},
    ),
    ("reward_admin.delete_picture", "DELETE", "/api/v1/rewards/{reward_demo}/picture", None),
    (
        "reward_admin.create_reward",
        "POST",
        "/api/v1/rewards",
        {"name": "Mine", "points": 5, "stores": ["MAIN"]},
    ),
    (
        "cards.void",
        "POST",
        "/api/v1/cards/7000100001/operations/{operation_main}/void",
        None,
    ),
    (
        "cards.post_operation",
        "POST",
        "/api/v1/cards/7000100001/operations",
        {"kind": "purchase", "amount": 1250, "store": "MAIN"},
    ),
    ("program_admin.read_tier", "GET", "/api/v1/tiers/{tier_demo}", None),
    ("program_admin.change_tier", "PATCH", "/api/v1/tiers/{tier_demo}", {"multiplier": 2}),
    ("program_admin.delete_tier", "DELETE", "/api/v1/tiers/{tier_demo}", None),
    ("program_admin.read_campaign", "GET", "/api/v1/campaigns/{campaign_later}", None),
    ("program_admin.change_campaign", "PATCH", "/api/v1/campaigns/{campaign_later}", {"multiplier": 3}),
    ("program_admin.delete_campaign", "DELETE", "/api/v1/campaigns/{campaign_later}", None),
    (
        "program_admin.create_campaign",
        "POST",
        "/api/v1/campaigns",
        {
            "name": "Mine",
            "starts_at": "2026-01-01T00:00:00+00:00",
            "ends_at": "2030-01-01T00:00:00+00:00",
            "stores": ["MAIN"],
        },
    ),
    ("program_admin.set_rate", "PUT", "/api/v1/program/rates/MAIN", {"points_per_unit": 2}),
    ("vouchers.read_voucher", "GET", "/api/v1/vouchers/{demo_voucher}", None),
    ("vouchers.collect", "POST", "/api/v1/vouchers/{demo_voucher}/collect", {"store": "MAIN"}),
    ("vouchers.cancel", "POST", "/api/v1/vouchers/{demo_voucher}/cancel", None),
    ("hotspots.read_hotspot", "GET", "/api/v1/hotspots/demo-opennds", None),
    ("hotspots.update_hotspot", "PATCH", "/api/v1/hotspots/demo-opennds", {"session_minutes": 30}),
    ("team.change_coupon", "PATCH", "/api/v1/coupons/{coupon_main}", {"published": False}),
    ("team.change_staff", "PATCH", "/api/v1/staff/{staff_till}", {"disabled": True}),
    ("team.resend_staff_invitation", "POST", "/api/v1/staff/{staff_invited}/invitation", None),
    ("team.send_staff_reset_link", "POST", "/api/v1/staff/{staff_till}/reset", None),
    ("team.read_figures", "GET", "/api/v1/stores/MAIN/figures", None),
    ("passes.change_pass_kind", "PATCH", "/api/v1/pass-kinds/{pass_kind_demo}", {"price": 4500}),
    ("passes.list_card_passes", "GET", "/api/v1/cards/7000100001/passes", None),
    (
        "coupon_uses.record_use",
        "POST",
        "/api/v1/cards/7000100001/coupons/{coupon_main}/uses",
        {"store": "MAIN"},
    ),
    ("passes.record_entry", "POST", "/api/v1/passes/{pass_demo}/entries", {"store": "MAIN"}),
    ("team.export_figures", "GET", "/api/v1/stores/MAIN/figures.csv", None),
    ("customers.list_customers", "GET", "/api/v1/customers?store=MAIN", None),
    ("customers.read_customer", "GET", "/api/v1/customers/7000100001", None),
    (
        "customers.create_customer",
        "POST",
        "/api/v1/customers",
        {"first_name": "Walk", "email": "walk-in@example.com", "store": "MAIN"},
    ),
    ("customer_changes.change", "PATCH", "/api/v1/customers/7000100001/details", {"first_name": "Anna"}),
    (
        "customer_changes.adjust",
        "POST",
        "/api/v1/customers/7000100001/adjustments",
        {"points": 5, "reason": "Scope"},
    ),
    ("customer_changes.block", "POST", "/api/v1/customers/7000100001/block", None),
    ("customer_changes.unblock", "POST", "/api/v1/customers/7000100001/unblock", None),
    (
        "customer_changes.replace",
        "POST",
        "/api/v1/customers/7000100002/replacement",
        {"number": "7000155555"},
    ),
    (
        "team.publish",
        "POST",
        "/api/v1/coupons",
        {
            "title": "Mine",
            "valid_from": "2026-01-01T00:00:00+00:00",
            "valid_until": "2030-01-01T00:00:00+00:00",
            "store": "MAIN",
        },
    ),
    (
        "team.create_staff",
        "POST",
        "/api/v1/staff",
        {
            "first_name": "New",
            "last_name": "Hire",
            "email": "new@demo.example",
            "password": "new-staff-password",
            "level": "USER",
            "store": "MAIN",
        },
    ),
    (
        "hotspots.create_hotspot",
        "POST",
        "/api/v1/hotspots",
        {"store": "MAIN", "kind": "meraki", "settings": {"mode": "click-through"}},
    ),
    ("stores.read_store", "GET", "/api/v1/stores/MAIN", None),
    ("stores.change_store", "PATCH", "/api/v1/stores/MAIN", {"name": "Renamed", "active": False}),
    ("stores.read_group", "GET", "/api/v1/store-groups/{group_demo}", None),
    ("stores.change_group", "PATCH", "/api/v1/store-groups/{group_demo}", {"name": "Renamed"}),
    ("stores.delete_group", "DELETE", "/api/v1/store-groups/{group_demo}", None),
    ("stores.create_group", "POST", "/api/v1/store-groups", {"name": "Mine", "stores": ["MAIN"]}),
    ("customer_groups.read_group", "GET", "/api/v1/groups/{cgroup_demo}", None),
    ("customer_groups.change_group", "PATCH", "/api/v1/groups/{cgroup_demo}", {"name": "Renamed"}),
    ("customer_groups.delete_group", "DELETE", "/api/v1/groups/{cgroup_demo}", None),
    ("customer_groups.list_members", "GET", "/api/v1/groups/{cgroup_demo}/members", None),
    ("customer_groups.add_member", "POST", "/api/v1/groups/{cgroup_demo}/members", {"card": "7000100001"}),
    ("customer_groups.remove_member", "DELETE", "/api/v1/groups/{cgroup_demo}/members/7000100001", None),
    ("stamp_cards.read_stamp_card", "GET", "/api/v1/stamp-cards/{stamp_card_demo}", None),
    ("stamp_cards.change_stamp_card", "PATCH", "/api/v1/stamp-cards/{stamp_card_demo}", {"stamps_needed": 8}),
    (
        "stamp_cards.create_stamp_card",
        "POST",
        "/api/v1/stamp-cards",
        {"name": "tea", "stamps_needed": 5, "reward_id": "{reward_demo}"},
    ),
    (
        "stamp_cards.give_stamps",
        "POST",
        "/api/v1/cards/7000100001/stamps",
        {"stamp_card": "{stamp_card_demo}", "store": "MAIN"},
    ),
]
# Listings and the merchant's own settings: nothing of the demo's may show in the other's answer.
MERCHANT_LISTINGS = [
    ("imports.list_imports", "/api/v1/customers/imports", "demo-customers.csv"),
    ("team.list_coupons", "/api/v1/coupons", "main coupon"),
    ("team.list_staff", "/api/v1/staff", "demo.example"),
    ("stores.list_stores", "/api/v1/stores", "STATION"),
    ("passes.list_pass_kinds", "/api/v1/pass-kinds", "Ten swims"),
    ("hotspots.list_hotspots", "/api/v1/hotspots", "demo-"),
    ("merchant.read_settings", "/api/v1/merchant", "Demo Caf"),
    ("rewards.read_catalogue", "/api/v1/rewards", "Espresso"),
    ("reward_admin.list_rewards", "/api/v1/rewards/all", "Espresso"),
    ("customers.list_customers", "/api/v1/customers", "7000100001"),
    ("program_admin.list_tiers", "/api/v1/tiers", "Silver"),
    ("program_admin.list_campaigns", "/api/v1/campaigns", "Autumn points"),
    ("program_admin.read_rates", "/api/v1/program/rates", "STATION"),
    ("customers.list_customers", "/api/v1/customers?q=anna", "7000100001"),
    ("customers.list_customers", "/api/v1/customers?q=7000", "7000100001"),
    ("customer_changes.export", "/api/v1/customers/export.csv", "7000100001"),
    ("stores.list_groups", "/api/v1/store-groups", "Demo group"),
    ("customer_groups.list_groups", "/api/v1/groups", "Demo regulars"),
    ("stamp_cards.list_stamp_cards", "/api/v1/stamp-cards", "coffee"),
]
# Uploads whose body is not JSON: (endpoint, path, body); the other's key must not reach the demo's.
MERCHANT_UPLOADS = [
    (
        "reward_admin.upload_picture",
        "/api/v1/rewards/{reward_demo}/picture",
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 2"><rect width="2" height="1"/></svg>',
    ),
]
# Changing one's own settings and logo: the other merchant's calls change only their own.
# Creating one's own things (tests/test_pass_sales.py: another merchant's card or kind is not found).
MERCHANT_OWN = [
    "program_admin.create_tier",
    "merchant.change_settings",
    "merchant.upload_logo",
    "merchant.delete_logo",
    "imports.upload",
    "passes.create_pass_kind",
    "passes.sell_pass",
    "stores.create_store",
    "customer_groups.create_group",
    # One's own wallet credentials (tests/test_wallet_credentials.py): no id to reach another's.
    "wallet_admin.read_apple",
    "wallet_admin.upload_apple",
    "wallet_admin.delete_apple",
    "wallet_admin.read_google",  # tests/test_wallet_google_credentials.py
    "wallet_admin.upload_google",
    "wallet_admin.delete_google",
]
# The site's endpoints: a merchant's key is refused; the site reaches a card only under its merchant.
SITE_ONLY = [
    "portal.",
    "portal_cards.",
    "profile.",
    "history.",
    "offers.",
    "resets.",
    "signup.",
    "wifi.",
    "wifi_grants.",
    "merchant_logo.",
    "reward_picture.",
    "wallet_passes.",
    "wallet_service.",
]
PUBLIC = ["api-docs.openapi_json"]


def expand(path: str, world: World) -> str:
    ids = world.ids
    return path.format(
        import_demo=ids["imports"]["demo"],
        demo_voucher=ids["demo_voucher"],
        coupon_main=ids["coupons"]["main"],
        staff_till=ids["staff"]["till@demo.example"],
        staff_invited=ids["staff"][INVITED],
        reward_demo=ids["reward_demo"],
        tier_demo=ids["tier_demo"],
        campaign_later=ids["campaign_later"],
        operation_main=ids["operations"]["MAIN"],
        pass_kind_demo=ids["pass_kind_demo"],
        pass_demo=ids["pass_demo"],
        group_demo=ids["group_demo"],
        cgroup_demo=ids["cgroup_demo"],
        stamp_card_demo=ids["stamp_card_demo"],
    )


def expand_body(body: Any, world: World) -> Any:
    """A JSON body's string values name the demo's resources as its paths do."""
    if not isinstance(body, dict):
        return body
    return {key: expand(value, world) if isinstance(value, str) else value for key, value in body.items()}


@pytest.mark.parametrize(
    ("endpoint", "method", "path", "body"), MERCHANT_API, ids=[row[0] for row in MERCHANT_API]
)
def test_another_merchant_s_key_reaches_nothing_of_the_demo(
    core_app: Flask, core: Core, world: World, endpoint: str, method: str, path: str, body: Any
) -> None:
    api = core_app.test_client()
    url = expand(path, world)
    before = counts(core)
    body = expand_body(body, world)
    outsider = api.open(
        url, method=method, json=body, headers={**bearer(world.other_key), "Idempotency-Key": "x1"}
    )
    assert outsider.status_code in (403, 404, 422), (endpoint, outsider.status_code, outsider.json)
    assert counts(core) == before
    owner = api.open(
        url, method=method, json=body, headers={**bearer(world.demo_key), "Idempotency-Key": "x2"}
    )
    assert 200 <= owner.status_code < 300, (endpoint, owner.status_code, owner.json)


@pytest.mark.parametrize(
    ("endpoint", "path", "demo_only"), MERCHANT_LISTINGS, ids=[row[0] for row in MERCHANT_LISTINGS]
)
def test_listings_show_only_one_s_own(
    core_app: Flask, world: World, endpoint: str, path: str, demo_only: str
) -> None:
    api = core_app.test_client()
    assert demo_only in api.get(path, headers=bearer(world.demo_key)).text
    assert demo_only not in api.get(path, headers=bearer(world.other_key)).text


@pytest.mark.parametrize(
    ("endpoint", "path", "body"), MERCHANT_UPLOADS, ids=[row[0] for row in MERCHANT_UPLOADS]
)
def test_another_merchant_s_key_uploads_nothing_to_the_demo(
    core_app: Flask, core: Core, world: World, endpoint: str, path: str, body: bytes
) -> None:
    api = core_app.test_client()
    url = expand(path, world)
    owned = url.rsplit("/", 1)[0]
    before = api.get(owned, headers=bearer(world.demo_key)).json
    outsider = api.put(url, data=body, headers=bearer(world.other_key))
    assert outsider.status_code == 404, (endpoint, outsider.json)
    assert api.get(owned, headers=bearer(world.demo_key)).json == before
    assert api.put(url, data=body, headers=bearer(world.demo_key)).status_code == 200
    assert api.get(owned, headers=bearer(world.demo_key)).json != before


def test_settings_and_logo_change_only_one_s_own(core_app: Flask, world: World) -> None:
    api = core_app.test_client()
    before = api.get("/api/v1/merchant", headers=bearer(world.demo_key)).json
    logo = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>'
    assert (
        api.patch(
            "/api/v1/merchant", json={"header_text": "Other's"}, headers=bearer(world.other_key)
        ).status_code
        == 200
    )
    assert api.put("/api/v1/merchant/logo", data=logo, headers=bearer(world.other_key)).status_code == 200
    assert api.delete("/api/v1/merchant/logo", headers=bearer(world.other_key)).status_code == 200
    assert api.get("/api/v1/merchant", headers=bearer(world.demo_key)).json == before
    upload = api.post(
        "/api/v1/customers/imports?filename=mine.csv",
        data=b"card\n9900000002\n",
        headers=bearer(world.other_key),
    )
    assert upload.status_code == 202
    assert (
        api.get(f"/api/v1/customers/imports/{upload.json['id']}", headers=bearer(world.demo_key)).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/portal/merchant"),
        ("GET", "/api/v1/portal/cards/7000100001/dashboard"),
        ("GET", "/api/v1/portal/cards/7000100001/export"),
        ("POST", "/api/v1/portal/login"),
        ("GET", "/api/v1/wifi/hotspots/demo-opennds"),
        ("GET", f"/api/v1/wifi/hotspots/demo-opennds/gateways/{'0' * 64}/grants"),
        ("GET", "/api/v1/portal/merchant/logo"),
        ("GET", "/api/v1/portal/rewards/1/picture"),
    ],
)
def test_a_merchant_key_cannot_act_as_the_site(core_app: Flask, world: World, method: str, path: str) -> None:
    answer = core_app.test_client().open(path, method=method, json={}, headers=bearer(world.demo_key))
    assert answer.status_code == 403 and answer.json["error"]["code"] == "site_only"


@pytest.mark.parametrize(
    "path", ["dashboard", "history", "offers", "profile", "export", "rewards", "vouchers"]
)
def test_the_site_reaches_a_card_only_under_its_own_merchant(
    core_app: Flask, world: World, path: str
) -> None:
    site = core_app.test_client()
    site.environ_base[TRUSTED_SITE_ENVIRON] = True
    session = {"X-Card-Version": "1"}  # Olga's password was set once
    own = site.get(f"/api/v1/portal/cards/{OTHER_CARD}/{path}", headers={"X-Merchant": "other", **session})
    assert own.status_code == 200, own.json
    crossed = site.get(f"/api/v1/portal/cards/{OTHER_CARD}/{path}", headers={"X-Merchant": "demo", **session})
    assert crossed.status_code in (401, 404)  # no such card here: its session is no session


def test_a_key_cannot_name_another_merchant(core_app: Flask, world: World) -> None:
    answer = core_app.test_client().get(
        "/api/v1/cards/7000100001", headers={**bearer(world.other_key), "X-Merchant": "demo"}
    )
    assert answer.status_code == 403 and answer.json["error"]["code"] == "wrong_merchant"


def test_every_api_endpoint_has_a_row(core_app: Flask) -> None:
    covered = (
        {row[0] for row in MERCHANT_API}
        | {row[0] for row in MERCHANT_LISTINGS}
        | {row[0] for row in MERCHANT_UPLOADS}
        | set(MERCHANT_OWN)
        | set(PUBLIC)
    )
    missing = [
        rule.endpoint
        for rule in core_app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        and rule.endpoint not in covered
        and not rule.endpoint.startswith(tuple(SITE_ONLY))
    ]
    assert missing == []


# The staff UI: who may open what.


def staff_client(
    core_app: Flask, email: str, password: str = "demo-staff-password", merchant: str = "demo"
) -> FlaskClient:
    client = core_app.test_client()
    page = client.get("/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token
    answer = client.post(
        "/login",
        data={"csrf_token": token.group(1), "merchant": merchant, "email": email, "password": password},
    )
    assert answer.status_code == 302, answer.text
    return client


def token_of(client: FlaskClient) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/account").text)
    assert found
    return found.group(1)


USER, MANAGER, ADMIN, OTHER_ADMIN = (
    "till@demo.example",
    "manager@demo.example",
    "admin@demo.example",
    "otto@other.example",
)
NEW_REWARD = {"name": "Mine", "points": "5", "voucher_valid_days": "30"}
ANNA_DETAILS = {
    "first_name": "Anna",
    "last_name": "Rossi",
    "email": "anna@example.com",
    "gender": "",
    "locale": "",
}
ADJUSTMENT = {"points": "5", "reason": "Scope", "adjustment_attempt": "s1"}
REPLACEMENT = {"new_number": "7000155555", "replacement_attempt": "r1"}
NEW_STORE = {"code": "MINE", "name": "Mine"}
HOTSPOT_FORM = {
    "store": "MAIN",
    "session_minutes": "60",
    "contact": "email",
    "terms_version": "1",
    "privacy_version": "1",
    "guest_retention_days": "365",
    "setting_mode": "click-through",
}
NEW_MEMBER = {
    "first_name": "Nia",
    "last_name": "New",
    "email": "nia@demo.example",
    "level": "USER",
    "store": "MAIN",
}
NEW_TIER = {"name": "Mine", "threshold": "7", "multiplier": "1"}
NEW_STAMP_CARD = {
    "name": "tea",
    "stamps_needed": "5",
    "reward_id": "{reward_demo}",
    "voucher_valid_days": "9",
}
NEW_CAMPAIGN = {"name": "Mine", "starts_at": "2026-01-01", "ends_at": "2026-01-31", "stores": "MAIN"}
# (actor, method, path, form data, expected status). Each path is one that another actor opens
# (the rows with 2xx/3xx), so a refusal is a refusal and not a wrong address.
STAFF_PAGES: list[tuple[str, str, str, dict[str, str] | None, int]] = [
    (USER, "GET", "/", None, 200),
    (USER, "GET", "/cards/7000100001", None, 200),
    (USER, "GET", f"/cards/{OTHER_CARD}", None, 404),
    (
        USER,
        "POST",
        "/cards/7000100001/operations",
        {"kind": "earn_points", "amount": "5", "store": "MAIN", "attempt": "u1"},
        422,
    ),
    (
        USER,
        "POST",
        "/cards/7000100001/operations",
        {"kind": "earn_points", "amount": "5", "store": "STATION", "attempt": "u2"},
        302,
    ),
    (USER, "GET", "/coupons", None, 403),
    (USER, "GET", "/figures", None, 403),
    (USER, "GET", "/passes", None, 403),
    (MANAGER, "GET", "/passes", None, 403),
    (ADMIN, "GET", "/passes", None, 200),
    (ADMIN, "GET", "/passes/{pass_kind_demo}", None, 200),
    (OTHER_ADMIN, "GET", "/passes/{pass_kind_demo}", None, 404),
    (MANAGER, "POST", "/passes/{pass_kind_demo}", {"name": "Mine", "validity_days": "5", "price": "1"}, 403),
    (USER, "GET", "/cards/7000100001/passes", None, 200),
    (USER, "GET", "/cards/7000100001/coupons", None, 200),
    (OTHER_ADMIN, "GET", "/cards/7000100001/coupons", None, 404),
    (
        MANAGER,
        "POST",
        "/cards/7000100001/coupons/{coupon_main}/uses",
        {"store": "MAIN", "attempt": "c1"},
        302,
    ),
    (
        OTHER_ADMIN,
        "POST",
        "/cards/7000100001/coupons/{coupon_main}/uses",
        {"store": "OTHER", "attempt": "c2"},
        404,
    ),
    (OTHER_ADMIN, "GET", "/cards/7000100001/passes", None, 404),
    (
        USER,
        "POST",
        "/cards/7000100001/passes",
        {"kind": "{pass_kind_demo}", "store": "STATION", "attempt": "p1"},
        302,
    ),
    (
        USER,
        "POST",
        "/cards/7000100001/passes",
        {"kind": "{pass_kind_demo}", "store": "MAIN", "attempt": "p2"},
        422,
    ),
    (
        OTHER_ADMIN,
        "POST",
        "/cards/7000100001/passes",
        {"kind": "{pass_kind_demo}", "store": "OTHER", "attempt": "p3"},
        404,
    ),
    (
        USER,
        "POST",
        "/cards/7000100001/passes/{pass_demo}/entries",
        {"store": "STATION", "attempt": "e1"},
        302,
    ),
    (
        OTHER_ADMIN,
        "POST",
        "/cards/7000100001/passes/{pass_demo}/entries",
        {"store": "OTHER", "attempt": "e2"},
        404,
    ),
    (USER, "GET", "/figures.csv", None, 403),
    (USER, "GET", "/team", None, 403),
    (USER, "GET", "/settings", None, 403),
    (USER, "POST", "/coupons/{coupon_main}/withdraw", None, 403),
    (USER, "POST", "/team/{staff_manager}/disable", None, 403),
    (USER, "GET", "/account", None, 200),
    (USER, "GET", "/customers?q=anna", None, 200),
    (USER, "GET", "/customers/new", None, 200),
    (USER, "POST", "/customers/new", {"first_name": "Walk", "store": "STATION", "attempt": "n1"}, 302),
    (USER, "POST", "/customers/new", {"first_name": "Walk", "store": "MAIN", "attempt": "n2"}, 422),
    (MANAGER, "POST", "/customers/new", {"first_name": "Walk", "store": "STATION", "attempt": "n3"}, 422),
    (OTHER_ADMIN, "GET", "/customers/new", None, 200),
    (OTHER_ADMIN, "POST", "/customers/new", {"first_name": "Walk", "store": "MAIN", "attempt": "n4"}, 422),
    (MANAGER, "GET", "/customers?store=STATION", None, 200),
    (OTHER_ADMIN, "GET", "/customers?store=MAIN", None, 422),
    (ADMIN, "GET", "/customers/7000100001", None, 200),
    (MANAGER, "GET", "/customers/7000100001", None, 403),
    (USER, "GET", "/customers/7000100001", None, 403),
    (OTHER_ADMIN, "GET", "/customers/7000100001", None, 404),
    (ADMIN, "GET", f"/customers/{OTHER_CARD}", None, 404),
    (ADMIN, "POST", "/customers/7000100001/details", ANNA_DETAILS, 302),
    (MANAGER, "POST", "/customers/7000100001/details", ANNA_DETAILS, 403),
    (OTHER_ADMIN, "POST", "/customers/7000100001/details", ANNA_DETAILS, 404),
    (ADMIN, "POST", "/customers/7000100001/adjustments", ADJUSTMENT, 302),
    (MANAGER, "POST", "/customers/7000100001/adjustments", ADJUSTMENT, 403),
    (USER, "POST", "/customers/7000100001/adjustments", ADJUSTMENT, 403),
    (OTHER_ADMIN, "POST", "/customers/7000100001/adjustments", ADJUSTMENT, 404),
    (ADMIN, "POST", "/customers/7000100001/block", None, 302),
    (MANAGER, "POST", "/customers/7000100001/block", None, 403),
    (OTHER_ADMIN, "POST", "/customers/7000100001/block", None, 404),
    (ADMIN, "POST", "/customers/7000100001/unblock", None, 302),
    (OTHER_ADMIN, "POST", "/customers/7000100001/unblock", None, 404),
    (ADMIN, "POST", "/customers/7000100002/replacement", REPLACEMENT, 302),
    (MANAGER, "POST", "/customers/7000100002/replacement", REPLACEMENT, 403),
    (OTHER_ADMIN, "POST", "/customers/7000100002/replacement", REPLACEMENT, 404),
    (ADMIN, "GET", "/customers/export.csv?store=STATION", None, 200),
    (MANAGER, "GET", "/customers/export.csv", None, 403),
    (USER, "GET", "/customers/export.csv", None, 403),
    (OTHER_ADMIN, "GET", "/customers/export.csv?store=MAIN", None, 302),
    (USER, "GET", "/embed/demo", None, 403),
    (MANAGER, "GET", "/embed/demo", None, 200),
    (OTHER_ADMIN, "GET", "/embed/demo", None, 404),
    (OTHER_ADMIN, "GET", "/embed/other", None, 200),
    (MANAGER, "GET", "/coupons", None, 200),
    (MANAGER, "POST", "/coupons/{coupon_main}/withdraw", None, 302),
    (MANAGER, "POST", "/coupons/{coupon_station}/withdraw", None, 404),
    (MANAGER, "POST", "/coupons/{coupon_other}/withdraw", None, 404),
    (MANAGER, "GET", "/figures?store=MAIN", None, 200),
    (MANAGER, "GET", "/figures?store=STATION", None, 404),
    (MANAGER, "GET", "/figures.csv?store=MAIN", None, 200),
    (MANAGER, "GET", "/figures.csv?store=STATION", None, 404),
    (MANAGER, "GET", "/team", None, 200),
    (MANAGER, "POST", "/team/{staff_till}/disable", None, 403),
    (MANAGER, "GET", "/team/{staff_till}", None, 403),
    (MANAGER, "GET", "/settings", None, 403),
    (MANAGER, "POST", "/settings/logo", {"remove": "1"}, 403),
    (ADMIN, "GET", "/figures?store=STATION", None, 200),
    (ADMIN, "GET", "/figures?store=OTHER", None, 404),
    (ADMIN, "GET", "/figures.csv", None, 200),
    (ADMIN, "POST", "/coupons/{coupon_station}/withdraw", None, 302),
    (ADMIN, "POST", "/coupons/{coupon_other}/withdraw", None, 404),
    (ADMIN, "POST", "/team/{staff_till}/disable", None, 302),
    (ADMIN, "POST", "/team/{other_admin}/disable", None, 404),
    (ADMIN, "GET", "/team/{staff_till}", None, 200),
    (ADMIN, "GET", "/team/{other_admin}", None, 404),
    (
        ADMIN,
        "POST",
        "/team/{other_admin}",
        {"first_name": "X", "last_name": "Y", "level": "ADMIN", "store": ""},
        404,
    ),
    (ADMIN, "POST", "/team/{other_admin}/reset-two-factor", None, 404),
    (ADMIN, "POST", "/team", {**NEW_MEMBER}, 302),
    (USER, "POST", "/team", {**NEW_MEMBER}, 403),
    (ADMIN, "POST", "/team/{staff_invited}/resend-invitation", None, 302),
    (MANAGER, "POST", "/team/{staff_invited}/resend-invitation", None, 403),
    (USER, "POST", "/team/{staff_invited}/resend-invitation", None, 403),
    (OTHER_ADMIN, "POST", "/team/{staff_invited}/resend-invitation", None, 404),
    (ADMIN, "POST", "/team/{other_admin}/resend-invitation", None, 404),
    (ADMIN, "POST", "/team/{staff_till}/send-reset-link", None, 302),
    (MANAGER, "POST", "/team/{staff_till}/send-reset-link", None, 403),
    (USER, "POST", "/team/{staff_manager}/send-reset-link", None, 403),
    (OTHER_ADMIN, "POST", "/team/{staff_till}/send-reset-link", None, 404),
    (ADMIN, "POST", "/team/{other_admin}/send-reset-link", None, 404),
    (ADMIN, "GET", "/settings", None, 200),
    (ADMIN, "POST", "/settings/logo", {"remove": "1"}, 302),
    (ADMIN, "GET", f"/cards/{OTHER_CARD}", None, 404),
    (ADMIN, "GET", "/imports", None, 200),
    (MANAGER, "GET", "/imports", None, 403),
    (ADMIN, "GET", "/imports/{import_demo}", None, 200),
    (ADMIN, "GET", "/imports/{import_other}", None, 404),
    (ADMIN, "POST", "/imports/{import_other}/apply", None, 404),
    (MANAGER, "POST", "/imports/{import_demo}/apply", None, 403),
    (OTHER_ADMIN, "POST", "/imports/{import_other}/apply", None, 302),
    (OTHER_ADMIN, "GET", "/cards/7000100001", None, 404),
    (OTHER_ADMIN, "GET", f"/cards/{OTHER_CARD}", None, 200),
    (
        OTHER_ADMIN,
        "POST",
        "/cards/7000100001/operations",
        {"kind": "earn_points", "amount": "5", "store": "OTHER", "attempt": "o1"},
        404,
    ),
    (OTHER_ADMIN, "POST", "/vouchers", {"code": "{demo_voucher}", "store": "OTHER"}, 302),
    (ADMIN, "GET", "/rewards", None, 200),
    (MANAGER, "GET", "/rewards", None, 403),
    (USER, "GET", "/rewards", None, 403),
    (ADMIN, "GET", "/rewards/new", None, 200),
    (MANAGER, "GET", "/rewards/new", None, 403),
    (ADMIN, "POST", "/rewards/new", NEW_REWARD, 302),
    (MANAGER, "POST", "/rewards/new", NEW_REWARD, 403),
    (ADMIN, "GET", "/rewards/{reward_demo}", None, 200),
    (MANAGER, "GET", "/rewards/{reward_demo}", None, 403),
    (OTHER_ADMIN, "GET", "/rewards/{reward_demo}", None, 404),
    (ADMIN, "POST", "/rewards/{reward_demo}", NEW_REWARD, 302),
    (OTHER_ADMIN, "POST", "/rewards/{reward_demo}", NEW_REWARD, 404),
    (ADMIN, "POST", "/rewards/{reward_demo}/switch-off", None, 302),
    (MANAGER, "POST", "/rewards/{reward_demo}/switch-off", None, 403),
    (OTHER_ADMIN, "POST", "/rewards/{reward_demo}/switch-off", None, 404),
    (ADMIN, "GET", "/rewards/{reward_demo}/picture", None, 200),
    (MANAGER, "GET", "/rewards/{reward_demo}/picture", None, 403),
    (OTHER_ADMIN, "GET", "/rewards/{reward_demo}/picture", None, 404),
    (ADMIN, "POST", "/rewards/{reward_demo}/picture", {"remove": "1"}, 302),
    (MANAGER, "POST", "/rewards/{reward_demo}/picture", {"remove": "1"}, 403),
    (OTHER_ADMIN, "POST", "/rewards/{reward_demo}/picture", {"remove": "1"}, 404),
    (ADMIN, "GET", "/stores", None, 200),
    (MANAGER, "GET", "/stores", None, 403),
    (USER, "GET", "/stores", None, 403),
    (ADMIN, "GET", "/stores/new", None, 200),
    (MANAGER, "GET", "/stores/new", None, 403),
    (ADMIN, "POST", "/stores/new", NEW_STORE, 302),
    (MANAGER, "POST", "/stores/new", NEW_STORE, 403),
    (ADMIN, "GET", "/stores/MAIN/edit", None, 200),
    (MANAGER, "GET", "/stores/MAIN/edit", None, 403),
    (OTHER_ADMIN, "GET", "/stores/MAIN/edit", None, 404),
    (ADMIN, "POST", "/stores/MAIN/edit", {"name": "Renamed"}, 302),
    (OTHER_ADMIN, "POST", "/stores/MAIN/edit", {"name": "Renamed"}, 404),
    (ADMIN, "POST", "/stores/STATION/switch-off", None, 302),
    (MANAGER, "POST", "/stores/MAIN/switch-off", None, 403),
    (USER, "POST", "/stores/STATION/switch-off", None, 403),
    (OTHER_ADMIN, "POST", "/stores/MAIN/switch-off", None, 404),
    (ADMIN, "GET", "/store-groups", None, 200),
    (MANAGER, "GET", "/store-groups", None, 403),
    (USER, "GET", "/store-groups", None, 403),
    (ADMIN, "POST", "/store-groups", {"name": "Mine", "stores": "MAIN"}, 302),
    (MANAGER, "POST", "/store-groups", {"name": "Mine", "stores": "MAIN"}, 403),
    (OTHER_ADMIN, "POST", "/store-groups", {"name": "Mine", "stores": "MAIN"}, 422),
    (ADMIN, "GET", "/store-groups/{group_demo}", None, 200),
    (MANAGER, "GET", "/store-groups/{group_demo}", None, 403),
    (OTHER_ADMIN, "GET", "/store-groups/{group_demo}", None, 404),
    (ADMIN, "POST", "/store-groups/{group_demo}", {"name": "Renamed"}, 302),
    (OTHER_ADMIN, "POST", "/store-groups/{group_demo}", {"name": "Renamed"}, 404),
    (ADMIN, "POST", "/store-groups/{group_demo}/delete", None, 302),
    (MANAGER, "POST", "/store-groups/{group_demo}/delete", None, 403),
    (OTHER_ADMIN, "POST", "/store-groups/{group_demo}/delete", None, 404),
    (ADMIN, "GET", "/groups", None, 200),
    (MANAGER, "GET", "/groups", None, 403),
    (USER, "GET", "/groups", None, 403),
    (ADMIN, "POST", "/groups", {"name": "Mine"}, 302),
    (MANAGER, "POST", "/groups", {"name": "Mine"}, 403),
    (ADMIN, "POST", "/groups/from-search", {"name": "Mine", "q": "ros"}, 302),
    (MANAGER, "POST", "/groups/from-search", {"name": "Mine", "q": "ros"}, 403),
    (USER, "POST", "/groups/from-search", {"name": "Mine", "q": "ros"}, 403),
    (ADMIN, "GET", "/groups/{cgroup_demo}", None, 200),
    (MANAGER, "GET", "/groups/{cgroup_demo}", None, 403),
    (OTHER_ADMIN, "GET", "/groups/{cgroup_demo}", None, 404),
    (ADMIN, "POST", "/groups/{cgroup_demo}", {"name": "Renamed"}, 302),
    (OTHER_ADMIN, "POST", "/groups/{cgroup_demo}", {"name": "Renamed"}, 404),
    (ADMIN, "POST", "/groups/{cgroup_demo}/delete", None, 302),
    (MANAGER, "POST", "/groups/{cgroup_demo}/delete", None, 403),
    (OTHER_ADMIN, "POST", "/groups/{cgroup_demo}/delete", None, 404),
    (ADMIN, "POST", "/customers/7000100001/groups", {"group": "{cgroup_demo}"}, 302),
    (MANAGER, "POST", "/customers/7000100001/groups", {"group": "{cgroup_demo}"}, 403),
    (OTHER_ADMIN, "POST", f"/customers/{OTHER_CARD}/groups", {"group": "{cgroup_demo}"}, 302),
    (ADMIN, "POST", "/customers/7000100001/groups/{cgroup_demo}/remove", None, 302),
    (USER, "POST", "/customers/7000100001/groups/{cgroup_demo}/remove", None, 403),
    (OTHER_ADMIN, "POST", f"/customers/{OTHER_CARD}/groups/{{cgroup_demo}}/remove", None, 404),
    (ADMIN, "GET", "/hotspots", None, 200),
    (MANAGER, "GET", "/hotspots", None, 403),
    (USER, "GET", "/hotspots", None, 403),
    (ADMIN, "GET", "/hotspots/new?kind=unifi", None, 200),
    (MANAGER, "GET", "/hotspots/new", None, 403),
    (ADMIN, "POST", "/hotspots/new?kind=meraki", HOTSPOT_FORM, 302),
    (MANAGER, "POST", "/hotspots/new?kind=meraki", HOTSPOT_FORM, 403),
    (ADMIN, "GET", "/hotspots/demo-meraki/edit", None, 200),
    (MANAGER, "GET", "/hotspots/demo-meraki/edit", None, 403),
    (OTHER_ADMIN, "GET", "/hotspots/demo-meraki/edit", None, 404),
    (ADMIN, "GET", "/hotspots/other-lobby/edit", None, 404),
    (ADMIN, "POST", "/hotspots/demo-meraki/edit", HOTSPOT_FORM, 302),
    (OTHER_ADMIN, "POST", "/hotspots/demo-meraki/edit", {**HOTSPOT_FORM, "store": "OTHER"}, 404),
    (ADMIN, "POST", "/hotspots/demo-meraki/switch-off", None, 302),
    (MANAGER, "POST", "/hotspots/demo-meraki/switch-off", None, 403),
    (OTHER_ADMIN, "POST", "/hotspots/demo-meraki/switch-off", None, 404),
    (ADMIN, "POST", "/hotspots/other-lobby/switch-off", None, 404),
    (
        MANAGER,
        "POST",
        "/cards/7000100001/operations",
        {"kind": "purchase", "amount": "12.50", "store": "MAIN", "attempt": "m1"},
        302,
    ),
    (MANAGER, "GET", "/cards/7000100001/operations/{operation_main}/void", None, 200),
    (MANAGER, "GET", "/cards/7000100001/operations/{operation_station}/void", None, 404),
    (MANAGER, "POST", "/cards/7000100001/operations/{operation_station}/void", None, 404),
    (USER, "GET", "/cards/7000100001/operations/{operation_station}/void", None, 403),
    (USER, "POST", "/cards/7000100001/operations/{operation_station}/void", None, 403),
    (OTHER_ADMIN, "GET", "/cards/7000100001/operations/{operation_main}/void", None, 404),
    (OTHER_ADMIN, "POST", "/cards/7000100001/operations/{operation_main}/void", None, 404),
    (ADMIN, "POST", "/cards/7000100001/operations/{operation_station}/void", None, 302),
    (ADMIN, "GET", "/tiers", None, 200),
    (MANAGER, "GET", "/tiers", None, 403),
    (ADMIN, "GET", "/tiers/new", None, 200),
    (USER, "GET", "/tiers/new", None, 403),
    (ADMIN, "POST", "/tiers/new", NEW_TIER, 302),
    (MANAGER, "POST", "/tiers/new", NEW_TIER, 403),
    (ADMIN, "GET", "/tiers/{tier_demo}", None, 200),
    (OTHER_ADMIN, "GET", "/tiers/{tier_demo}", None, 404),
    (OTHER_ADMIN, "POST", "/tiers/{tier_demo}", NEW_TIER, 404),
    (ADMIN, "GET", "/tiers/{tier_demo}/delete", None, 200),
    (MANAGER, "POST", "/tiers/{tier_demo}/delete", None, 403),
    (OTHER_ADMIN, "POST", "/tiers/{tier_demo}/delete", None, 404),
    (ADMIN, "POST", "/tiers/{tier_demo}/delete", None, 302),
    (ADMIN, "GET", "/campaigns", None, 200),
    (MANAGER, "GET", "/campaigns", None, 403),
    (ADMIN, "GET", "/campaigns/new", None, 200),
    (USER, "POST", "/campaigns/new", NEW_CAMPAIGN, 403),
    (ADMIN, "POST", "/campaigns/new", NEW_CAMPAIGN, 302),
    (ADMIN, "GET", "/campaigns/{campaign_later}", None, 200),
    (OTHER_ADMIN, "GET", "/campaigns/{campaign_later}", None, 404),
    (OTHER_ADMIN, "POST", "/campaigns/{campaign_later}", NEW_CAMPAIGN, 404),
    (OTHER_ADMIN, "POST", "/campaigns/{campaign_later}/delete", None, 404),
    (MANAGER, "POST", "/campaigns/{campaign_later}/delete", None, 403),
    (ADMIN, "POST", "/campaigns/{campaign_later}/delete", None, 302),
    (ADMIN, "GET", "/rates", None, 200),
    (MANAGER, "GET", "/rates", None, 403),
    (ADMIN, "POST", "/rates/MAIN", {"rate": "2"}, 302),
    (MANAGER, "POST", "/rates/MAIN", {"rate": "2"}, 403),
    (OTHER_ADMIN, "POST", "/rates/MAIN", {"rate": "2"}, 404),
    (ADMIN, "GET", "/wallet", None, 200),
    (MANAGER, "GET", "/wallet", None, 403),
    (ADMIN, "POST", "/wallet/remove", None, 302),
    (MANAGER, "POST", "/wallet/remove", None, 403),
    (ADMIN, "GET", "/wallet/google", None, 200),
    (MANAGER, "GET", "/wallet/google", None, 403),
    (USER, "GET", "/wallet/google", None, 403),
    (ADMIN, "POST", "/wallet/google", {"issuer_id": "12"}, 422),
    (MANAGER, "POST", "/wallet/google", {"issuer_id": "3388000000012345678"}, 403),
    (ADMIN, "POST", "/wallet/google/remove", None, 302),
    (MANAGER, "POST", "/wallet/google/remove", None, 403),
    (USER, "POST", "/wallet/google/remove", None, 403),
    (ADMIN, "GET", "/stamp-cards", None, 200),
    (MANAGER, "GET", "/stamp-cards", None, 403),
    (USER, "GET", "/stamp-cards", None, 403),
    (ADMIN, "GET", "/stamp-cards/new", None, 200),
    (MANAGER, "GET", "/stamp-cards/new", None, 403),
    (ADMIN, "POST", "/stamp-cards/new", NEW_STAMP_CARD, 302),
    (MANAGER, "POST", "/stamp-cards/new", NEW_STAMP_CARD, 403),
    (ADMIN, "GET", "/stamp-cards/{stamp_card_demo}", None, 200),
    (MANAGER, "GET", "/stamp-cards/{stamp_card_demo}", None, 403),
    (OTHER_ADMIN, "GET", "/stamp-cards/{stamp_card_demo}", None, 404),
    (ADMIN, "POST", "/stamp-cards/{stamp_card_demo}", NEW_STAMP_CARD, 302),
    (OTHER_ADMIN, "POST", "/stamp-cards/{stamp_card_demo}", NEW_STAMP_CARD, 404),
    (ADMIN, "POST", "/stamp-cards/{stamp_card_demo}/switch-off", None, 302),
    (MANAGER, "POST", "/stamp-cards/{stamp_card_demo}/switch-off", None, 403),
    (OTHER_ADMIN, "POST", "/stamp-cards/{stamp_card_demo}/switch-off", None, 404),
    (USER, "POST", "/cards/7000100001/stamps/{stamp_card_demo}", {"store": "STATION", "attempt": "s1"}, 302),
    (
        OTHER_ADMIN,
        "POST",
        "/cards/7000100001/stamps/{stamp_card_demo}",
        {"store": "OTHER", "attempt": "s2"},
        404,
    ),
]
# Staff pages whose rows are elsewhere (logging in and out, the language) or that no data is behind.
STAFF_OPEN = {
    "staff.login",
    "staff.login_code",
    "staff.forgot_password",  # tests/test_staff_reset.py
    "staff.reset_password",
    "staff.join",  # tests/test_staff_invitations.py: the link names the account
    "staff.logout",
    "staff.language",
    "staff.two_factor",
    "static",
}


def fill(text: str, world: World) -> str:
    ids = world.ids
    return text.format(
        coupon_main=ids["coupons"]["main"],
        coupon_station=ids["coupons"]["station"],
        coupon_other=ids["coupons"]["other"],
        staff_till=ids["staff"][USER],
        staff_manager=ids["staff"][MANAGER],
        staff_invited=ids["staff"][INVITED],
        other_admin=ids["other_admin"],
        demo_voucher=ids["demo_voucher"],
        import_demo=ids["imports"]["demo"],
        import_other=ids["imports"]["other"],
        reward_demo=ids["reward_demo"],
        tier_demo=ids["tier_demo"],
        campaign_later=ids["campaign_later"],
        operation_main=ids["operations"]["MAIN"],
        operation_station=ids["operations"]["STATION"],
        pass_kind_demo=ids["pass_kind_demo"],
        pass_demo=ids["pass_demo"],
        group_demo=ids["group_demo"],
        cgroup_demo=ids["cgroup_demo"],
        stamp_card_demo=ids["stamp_card_demo"],
    )


@pytest.mark.parametrize(("actor", "method", "path", "data", "status"), STAFF_PAGES)
def test_staff_reach_only_their_store_and_merchant(
    core_app: Flask,
    core: Core,
    world: World,
    actor: str,
    method: str,
    path: str,
    data: dict[str, str] | None,
    status: int,
) -> None:
    client = (
        staff_client(core_app, actor, PASSWORD, "other")
        if actor == OTHER_ADMIN
        else staff_client(core_app, actor)
    )
    form = {name: fill(value, world) for name, value in (data or {}).items()}
    if method == "POST":
        form["csrf_token"] = token_of(client)
    before = counts(core)
    answer = client.open(fill(path, world), method=method, data=form)
    assert answer.status_code == status, answer.text[:500]
    if status >= 400:
        assert counts(core) == before


def test_a_voucher_of_another_merchant_is_not_collected(core_app: Flask, core: Core, world: World) -> None:
    client = staff_client(core_app, OTHER_ADMIN, PASSWORD, "other")
    client.post(
        "/vouchers",
        data={"csrf_token": token_of(client), "code": world.ids["demo_voucher"], "store": "OTHER"},
    )
    with core.db.read() as session:
        status = session.scalar(select(Voucher.status).where(Voucher.code == world.ids["demo_voucher"]))
    assert status is VoucherStatus.ISSUED


@pytest.mark.parametrize("actor", [USER, MANAGER, ADMIN])
def test_every_level_finds_the_merchant_s_customers_and_no_one_else_s(
    core_app: Flask, world: World, actor: str
) -> None:
    page = staff_client(core_app, actor).get("/customers?q=o").text
    assert "Olga" not in page and OTHER_CARD not in page
    assert "/cards/7000100001" in staff_client(core_app, actor).get("/customers?q=anna").text
    outsider = staff_client(core_app, OTHER_ADMIN, PASSWORD, "other")
    for query in ("anna", "rossi", "7000", "anna@example.com", ""):
        assert "7000100001" not in outsider.get(f"/customers?q={query}").text
    assert OTHER_CARD in outsider.get("/customers?q=olga").text


def test_every_staff_page_has_a_row(core_app: Flask) -> None:
    tested = [
        re.sub(r"\{[^}]+\}", "1", path.split("?")[0]) for _actor, _method, path, _data, _status in STAFF_PAGES
    ]
    missing = [
        rule.rule
        for rule in core_app.url_map.iter_rules()
        if rule.endpoint.startswith("staff.")
        and rule.endpoint not in STAFF_OPEN
        and not any(re.fullmatch(re.sub(r"<[^>]+>", "[^/]+", rule.rule), path) for path in tested)
    ]
    assert missing == [], "staff pages without a row in STAFF_PAGES"

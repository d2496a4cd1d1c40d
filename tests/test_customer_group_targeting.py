"""Coupons and campaigns for a customer group: a campaign's multiplier for its members only; a
coupon shown to its members only and refused at the till to others with the reason; a group in
use is not deleted; another merchant's group is refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from admin_core.context import Core
from admin_core.database import Database
from admin_core.errors import Conflict, Forbidden, Invalid
from admin_core.models import CustomerGroup, GroupKind, Merchant
from admin_core.services import utcnow
from admin_core.services.cards import enroll_customer
from admin_core.services.coupon_uses import use_coupon
from admin_core.services.customer_groups import GroupDetails, add_member, new_group, remove_group
from admin_core.services.earning import record_purchase
from admin_core.services.merchants import create_merchant, create_store, get_merchant
from admin_core.services.offers import customer_offers, publish_coupon
from admin_core.services.program_setup import CampaignDetails, InvalidDetails, create_campaign
from admin_core.services.staff import StaffScope

MEMBER, OUTSIDER = "5400000001", "5400000002"


@dataclass(frozen=True)
class Shop:
    scope: StaffScope
    group: int


@pytest.fixture
def shop(db: Database) -> Shop:
    merchant = create_merchant(db, "shop", "Shop")
    create_store(db, merchant.id, "HERE", "Here")
    with db.write() as session:
        session.get_one(Merchant, merchant.id).points_per_unit = 1
    enroll_customer(db, merchant.id, MEMBER, first_name="Rita", last_name="Regular")
    enroll_customer(db, merchant.id, OUTSIDER, first_name="Otto", last_name="Once")
    scope = StaffScope.merchant(merchant.id)
    group = new_group(db, scope, GroupDetails("Regulars"))
    with db.write() as session:
        add_member(session, scope, group.id, MEMBER)
    return Shop(scope, group.id)


def points(db: Database, shop: Shop, number: str) -> int:
    with db.write() as session:
        operation, _card, _calculation = record_purchase(
            session, shop.scope.merchant_id, number, 1000, "HERE"
        )
        return operation.points


def offered(db: Database, shop: Shop, number: str) -> list[str]:
    with db.read() as session:
        return [coupon.title for coupon in customer_offers(session, shop.scope.merchant_id, number).coupons]


def test_a_campaigns_multiplier_is_for_its_groups_members_only(db: Database, shop: Shop) -> None:
    now = utcnow()
    details = CampaignDetails("Regulars double", now - timedelta(days=1), now + timedelta(days=1), 200)
    create_campaign(db, shop.scope, details)
    create_campaign(
        db,
        shop.scope,
        CampaignDetails(
            "Regulars triple", now - timedelta(days=1), now + timedelta(days=1), 300, (), shop.group
        ),
    )
    assert points(db, shop, MEMBER) == 30  # the highest of the campaigns that apply to them
    assert points(db, shop, OUTSIDER) == 20  # the campaign for everyone only


def test_a_filter_groups_campaign_follows_its_search(db: Database, shop: Shop) -> None:
    now = utcnow()
    found = new_group(db, shop.scope, GroupDetails("Otto", GroupKind.FILTER, {"q": "otto"}))
    create_campaign(
        db,
        shop.scope,
        CampaignDetails("For Otto", now - timedelta(days=1), now + timedelta(days=1), 200, (), found.id),
    )
    assert (points(db, shop, OUTSIDER), points(db, shop, MEMBER)) == (20, 10)


def test_a_groups_coupon_shows_to_members_and_is_refused_to_others_with_the_reason(
    db: Database, shop: Shop
) -> None:
    month = utcnow() + timedelta(days=30)
    publish_coupon(db, shop.scope.merchant_id, title="For everyone", valid_until=month)
    mine = publish_coupon(
        db, shop.scope.merchant_id, title="Regulars only", valid_until=month, group_id=shop.group
    )
    assert offered(db, shop, MEMBER) == ["Regulars only", "For everyone"]
    assert offered(db, shop, OUTSIDER) == ["For everyone"]
    with pytest.raises(Forbidden) as refused:
        use_coupon(db, shop.scope, OUTSIDER, mine.id, "HERE", "till-1")
    assert refused.value.code == "coupon_not_for_customer" and "Regulars" in refused.value.message
    assert use_coupon(db, shop.scope, MEMBER, mine.id, "HERE", "till-2").status == 201


def test_a_group_in_use_is_not_deleted(db: Database, shop: Shop) -> None:
    publish_coupon(
        db,
        shop.scope.merchant_id,
        title="Regulars only",
        valid_until=utcnow() + timedelta(days=1),
        group_id=shop.group,
    )
    with db.write() as session, pytest.raises(Conflict) as refused:
        remove_group(session, shop.scope, shop.group)
    assert refused.value.code == "group_in_use" and "Regulars only" in refused.value.message
    with db.read() as session:
        assert session.get(CustomerGroup, shop.group) is not None


def test_another_merchants_group_is_refused_for_a_coupon_or_campaign(db: Database, shop: Shop) -> None:
    other = create_merchant(db, "other", "Other")
    theirs = new_group(db, StaffScope.merchant(other.id), GroupDetails("Theirs"))
    with pytest.raises(Invalid) as coupon:
        publish_coupon(
            db,
            shop.scope.merchant_id,
            title="X",
            valid_until=utcnow() + timedelta(days=1),
            group_id=theirs.id,
        )
    assert coupon.value.code == "unknown_group"
    now = utcnow()
    with pytest.raises(InvalidDetails) as campaign:
        create_campaign(
            db, shop.scope, CampaignDetails("X", now, now + timedelta(days=1), 200, (), theirs.id)
        )
    assert campaign.value.codes == {"group_id": "unknown_group"}


def test_the_api_targets_a_coupon_and_a_campaign(core_app: Flask, core: Core, demo: dict[str, Any]) -> None:
    with core.db.read() as session:
        scope = StaffScope.merchant(get_merchant(session, "demo").id)
    group = new_group(core.db, scope, GroupDetails("Faithful"))
    api, key = core_app.test_client(), {"Authorization": f"Bearer {demo['api_key']}"}
    now = utcnow()
    coupon = {
        "title": "Regulars",
        "valid_from": now.isoformat(),
        "valid_until": (now + timedelta(days=1)).isoformat(),
    }
    made = api.post("/api/v1/coupons", json={**coupon, "group_id": group.id}, headers=key)
    assert made.status_code == 201 and made.json["group_id"] == group.id, made.json
    unknown = api.post("/api/v1/coupons", json={**coupon, "group_id": group.id + 1000}, headers=key)
    assert unknown.status_code == 422 and unknown.json["error"]["code"] == "unknown_group"
    campaign = {
        "name": "Regulars double",
        "starts_at": (now + timedelta(days=1)).isoformat(),
        "ends_at": (now + timedelta(days=2)).isoformat(),
        "multiplier": 2,
        "group_id": group.id,
    }
    answer = api.post("/api/v1/campaigns", json=campaign, headers={**key, "Idempotency-Key": "c-1"})
    assert answer.status_code == 201 and answer.json["group_id"] == group.id, answer.json
    renamed = api.patch(f"/api/v1/campaigns/{answer.json['id']}", json={"name": "Regulars x2"}, headers=key)
    assert renamed.json["group_id"] == group.id  # a change keeps its group
    cleared = api.patch(f"/api/v1/campaigns/{answer.json['id']}", json={"group_id": None}, headers=key)
    assert cleared.status_code == 200 and cleared.json["group_id"] is None
    in_use = api.delete(f"/api/v1/groups/{group.id}", headers=key)
    assert in_use.status_code == 409 and in_use.json["error"]["code"] == "group_in_use"
    with core.db.read() as session:
        assert session.scalar(select(CustomerGroup.id).where(CustomerGroup.id == group.id)) == group.id


def test_a_filter_groups_coupon_shows_to_whoever_its_search_finds(db: Database, shop: Shop) -> None:
    found = new_group(db, shop.scope, GroupDetails("Otto", GroupKind.FILTER, {"q": "otto"}))
    month = utcnow() + timedelta(days=30)
    publish_coupon(db, shop.scope.merchant_id, title="For Otto", valid_until=month, group_id=found.id)
    assert (offered(db, shop, OUTSIDER), offered(db, shop, MEMBER)) == (["For Otto"], [])

"""A coupon and a campaign for a customer group, chosen in the staff UI by the admin: the portal
offers the coupon to the group's members only, the till refuses it to others with the reason."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from admin_core.context import Core
from admin_core.models import Campaign, Coupon
from admin_core.services import utcnow
from admin_core.services.customer_groups import GroupDetails, add_member, new_group
from admin_core.services.merchants import get_merchant
from admin_core.services.staff import StaffScope

from .conftest import login
from .test_staff import ADMIN, MANAGER, log_in, post, token

ANNA, INGRID = "7000100001", "7000100003"


@pytest.fixture
def regulars(core: Core, demo: dict[str, Any]) -> int:
    with core.db.read() as session:
        scope = StaffScope.merchant(get_merchant(session, "demo").id)
    group = new_group(core.db, scope, GroupDetails("Faithful"))
    with core.db.write() as session:
        add_member(session, scope, group.id, ANNA)
    return group.id


def staff(core_app: Flask, email: str) -> FlaskClient:
    client = core_app.test_client()
    log_in(client, email)
    return client


def coupon_form(group: int | str) -> dict[str, str]:
    today = utcnow().date()
    return {
        "title": "Faithful' cake",
        "valid_from": str(today),
        "valid_until": str(today + timedelta(days=7)),
        "store": "",
        "group": str(group),
        "uses_per_card": "1",
    }


def test_a_coupon_for_a_group_is_offered_to_its_members_and_refused_to_others(
    core_app: Flask, app: Flask, core: Core, regulars: int
) -> None:
    admin = staff(core_app, ADMIN)
    page = admin.get("/coupons").text
    assert f'<option value="{regulars}">Faithful</option>' in page
    assert post(admin, "/coupons", coupon_form(regulars), page).status_code == 302
    with core.db.read() as session:
        made = session.scalars(select(Coupon).where(Coupon.title == "Faithful' cake")).one()
    assert made.group_id == regulars
    for number, shown in ((ANNA, True), (INGRID, False)):
        customer = app.test_client()
        login(customer, number, "demo-password")
        assert ("Faithful&#39; cake" in customer.get("/p/demo/offers").text) is shown, number
    till = staff(core_app, MANAGER)
    card = till.get(f"/cards/{INGRID}/coupons").text
    assert "Faithful&#39; cake" not in card
    tap = {"csrf_token": token(card), "store": "MAIN", "attempt": "t1"}
    refused = till.post(f"/cards/{INGRID}/coupons/{made.id}/uses", data=tap, follow_redirects=True).text
    assert "This coupon is for a customer group this customer is not in." in refused


def test_a_manager_cannot_choose_a_group(core_app: Flask, core: Core, regulars: int) -> None:
    manager = staff(core_app, MANAGER)
    page = manager.get("/coupons").text
    assert 'name="group"' not in page
    form = {**coupon_form(regulars), "store": "MAIN"}
    assert post(manager, "/coupons", form, page).status_code == 422
    with core.db.read() as session:
        assert session.scalars(select(Coupon).where(Coupon.title == "Faithful' cake")).first() is None


def test_a_campaign_for_a_group_is_chosen_and_kept_on_edit(
    core_app: Flask, core: Core, regulars: int
) -> None:
    admin = staff(core_app, ADMIN)
    today = utcnow().date()
    form = {
        "name": "Faithful double",
        "starts_at": str(today + timedelta(days=1)),
        "ends_at": str(today + timedelta(days=2)),
        "multiplier": "2",
        "group": str(regulars),
    }
    assert post(admin, "/campaigns/new", form).status_code == 302
    with core.db.read() as session:
        made = session.scalars(select(Campaign).where(Campaign.name == "Faithful double")).one()
    assert made.group_id == regulars
    edit = admin.get(f"/campaigns/{made.id}").text
    assert f'<option selected value="{regulars}">' in edit or f'<option value="{regulars}" selected>' in edit
    refused = post(admin, f"/groups/{regulars}/delete", {}, edit)
    shown = admin.get(refused.headers["Location"]).text
    assert "Coupons or campaigns are for this group" in shown
    bad = post(admin, "/campaigns/new", {**form, "name": "Bad", "group": "99999"})
    assert bad.status_code == 422


def test_the_demos_regulars_are_offered_their_pastry(
    core_app: Flask, app: Flask, demo: dict[str, Any]
) -> None:
    for number, shown in ((ANNA, True), (INGRID, False)):
        customer = app.test_client()
        login(customer, number, "demo-password")
        assert ("A pastry on the house for our regulars" in customer.get("/p/demo/offers").text) is shown
    assert "Regulars" in staff(core_app, ADMIN).get("/groups").text

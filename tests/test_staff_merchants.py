"""Staff addresses belong to one merchant: another merchant may give the same address to one of its
own staff without learning that it is in use, and each account logs in at its own merchant."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from admin_core.context import Core
from admin_core.services.merchants import create_api_key, create_merchant, create_store

from .conftest import deliver_mail
from .smtp import Inbox
from .test_staff import ADMIN, PASSWORD, log_in, post
from .test_staff_reset import link_in

pytestmark = pytest.mark.both_backends  # the unique constraint on (merchant, e-mail)

OTHER_PASSWORD = "other-shop-password"


@pytest.fixture
def other_key(core: Core, demo: dict[str, Any]) -> str:
    other = create_merchant(core.db, "other", "Other shop", portal_enabled=True)
    create_store(core.db, other.id, "OTHER", "Other shop's store")
    return create_api_key(core.db, other.id)


def create_staff(core_app: Flask, key: str, email: str, password: str = OTHER_PASSWORD) -> Any:
    body = {
        "first_name": "Olga",
        "last_name": "Berg",
        "email": email,
        "password": password,
        "level": "ADMIN",
        "store": None,
    }
    headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": f"staff-{email}-{password}"}
    return core_app.test_client().post("/api/v1/staff", json=body, headers=headers)


def test_another_merchant_may_use_an_address_the_demo_uses_without_learning_it(
    core_app: Flask, other_key: str, demo: dict[str, Any]
) -> None:
    created = create_staff(core_app, other_key, ADMIN.upper())
    assert created.status_code == 201, created.json
    assert created.json["email"] == ADMIN
    again = create_staff(core_app, other_key, ADMIN)  # twice at one merchant: that merchant's own staff
    assert again.status_code == 409 and again.json["error"]["code"] == "staff_exists"
    assert create_staff(core_app, demo["api_key"], ADMIN).status_code == 409


@pytest.mark.parametrize("other_password", [OTHER_PASSWORD, PASSWORD])
def test_each_account_logs_in_at_its_own_merchant(
    core_app: Flask, other_key: str, other_password: str
) -> None:
    assert create_staff(core_app, other_key, ADMIN, other_password).status_code == 201
    demo_staff = core_app.test_client()
    assert log_in(demo_staff, ADMIN, PASSWORD, merchant="demo").status_code == 302
    assert "Demo" in demo_staff.get("/").text and "Other shop" not in demo_staff.get("/").text
    other_staff = core_app.test_client()
    assert log_in(other_staff, ADMIN, other_password, merchant=" Other ").status_code == 302
    assert "Other shop" in other_staff.get("/").text
    if other_password != PASSWORD:
        refused = log_in(core_app.test_client(), ADMIN, other_password, merchant="demo")
        assert refused.status_code == 401
    unknown = log_in(core_app.test_client(), ADMIN, PASSWORD, merchant="nowhere")
    assert unknown.status_code == 401
    assert "The merchant, the e-mail address or the password is wrong." in unknown.text


def test_the_login_link_can_name_the_merchant(core_app: Flask, demo: dict[str, Any]) -> None:
    page = core_app.test_client().get("/login?merchant=demo").text
    assert 'name="merchant"' in page and 'value="demo"' in page
    assert 'href="/login/forgot?merchant=demo"' in page
    assert 'value="demo"' in core_app.test_client().get("/login/forgot?merchant=demo").text


def test_a_reset_link_is_sent_for_the_named_merchant_s_account_only(
    core_app: Flask, other_key: str, inbox: Inbox
) -> None:
    assert create_staff(core_app, other_key, ADMIN).status_code == 201
    client = core_app.test_client()
    page = client.get("/login/forgot").text
    answer = post(client, "/login/forgot", {"merchant": "other", "email": ADMIN}, page)
    assert answer.status_code == 302
    deliver_mail(core_app)
    [message] = inbox.messages
    assert message["Subject"] == "A new password for your staff account at Other shop"
    link = link_in(inbox.text(message))
    assert post(client, link, {"new": "a-brand-new-password"}).status_code == 302
    assert log_in(core_app.test_client(), ADMIN, "a-brand-new-password", merchant="other").status_code == 302
    assert log_in(core_app.test_client(), ADMIN, PASSWORD, merchant="demo").status_code == 302

"""Every check of a password counts against its account's failure limit: the current password the
profile asks again (new password, new e-mail address, deleting the account) and the staff's "My
account" count with the wrong logins, and once the limit is reached the right password is refused
too, there and at the login."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

import admin_core
import composition
from admin_core.context import Core
from admin_core.database import Database
from admin_core.services.portal_auth import authenticate

from .conftest import login, make_config, submit
from .smtp import Inbox
from .test_profile import NUMBER, PASSWORD, PROFILE, customer, merchant_id, paola
from .test_staff import PASSWORD as STAFF_PASSWORD
from .test_staff import USER, log_in, post

__all__ = ["merchant_id", "paola"]  # fixtures of test_profile, used here

LIMIT = "3 per hour"
NEW = "brand-new-pass"

# The profile's sections that ask the current password: (field of the password, other fields).
SECTIONS = {
    "password": ("password-current", {"password-password": NEW, "password-confirm": NEW}),
    "email": ("email-password", {"email-email": "paola@new.example"}),
    "delete": ("delete-password", {}),
}


@pytest.fixture
def site(core_app: Flask, inbox: Inbox) -> Flask:
    return composition.create_app(
        make_config(inbox, RATELIMIT_LOGIN_FAILURES_PER_CARD=LIMIT), core_app=core_app
    )


def ask(client: Any, section: str, password: str) -> Any:
    field, others = SECTIONS[section]
    return submit(client, PROFILE, {field: password, **others, f"{section}-submit": "1"})


@pytest.mark.parametrize("section", SECTIONS)
def test_wrong_current_passwords_lock_the_card_even_with_the_right_one(
    site: Flask, core: Core, merchant_id: int, paola: int, section: str
) -> None:
    client = site.test_client()
    assert login(client, NUMBER, PASSWORD).status_code == 302
    for _ in range(3):
        wrong = ask(client, section, "not-my-password")
        assert wrong.status_code == 401 and "This password is not right." in wrong.text
    refused = ask(client, section, PASSWORD)
    assert refused.status_code == 429 and "Too many attempts" in refused.text
    assert customer(core).deleted_at is None and customer(core).email == "paola@example.com"
    assert login(site.test_client(), NUMBER, PASSWORD).status_code == 429  # the login's counter
    assert authenticate(core.db, core.passwords, merchant_id, NUMBER, PASSWORD)  # still the password
    details = {"details-first_name": "Paola", "details-last_name": "Neri", "details-submit": "1"}
    assert submit(client, PROFILE, details).status_code == 302  # asking no password: still saved


def test_failed_logins_and_profile_checks_share_one_counter(site: Flask, paola: int) -> None:
    client = site.test_client()
    assert login(client, NUMBER, PASSWORD).status_code == 302
    for _ in range(2):
        assert login(site.test_client(), NUMBER, "not-my-password").status_code == 401
    assert ask(client, "password", "not-my-password").status_code == 401
    assert ask(client, "password", PASSWORD).status_code == 429


def test_right_current_passwords_do_not_count(site: Flask, paola: int) -> None:
    client = site.test_client()
    assert login(client, NUMBER, PASSWORD).status_code == 302
    for _ in range(3):
        assert ask(client, "email", PASSWORD).status_code == 302
    assert ask(client, "password", PASSWORD).status_code == 302


def test_wrong_current_passwords_at_my_account_pause_the_staff_login(
    db: Database, inbox: Inbox, demo: dict[str, Any]
) -> None:
    core_app = admin_core.create_app(
        make_config(inbox, RATELIMIT_STAFF_FAILURES_PER_ACCOUNT=LIMIT), database=db
    )
    staff = core_app.test_client()
    assert log_in(staff, USER).status_code == 302
    for _ in range(3):
        wrong = post(staff, "/account", {"current": "not-the-password", "new": "a-new-password-1"})
        assert wrong.status_code == 401 and "The password is wrong." in wrong.text
    refused = post(staff, "/account", {"current": STAFF_PASSWORD, "new": "a-new-password-1"})
    assert refused.status_code == 429 and "Too many attempts" in refused.text
    assert log_in(core_app.test_client(), USER).status_code == 429
    assert staff.get("/").status_code == 200  # the session itself goes on


def test_wrong_staff_logins_count_at_my_account_too(db: Database, inbox: Inbox, demo: dict[str, Any]) -> None:
    core_app = admin_core.create_app(
        make_config(inbox, RATELIMIT_STAFF_FAILURES_PER_ACCOUNT=LIMIT), database=db
    )
    staff = core_app.test_client()
    assert log_in(staff, USER).status_code == 302
    for _ in range(3):
        assert log_in(core_app.test_client(), USER, "not-the-password").status_code == 401
    refused = post(staff, "/account", {"current": STAFF_PASSWORD, "new": "a-new-password-1"})
    assert refused.status_code == 429

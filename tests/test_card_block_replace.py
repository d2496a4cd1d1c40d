"""A blocked card logs in nowhere and buys nothing until unblocked; a lost card is replaced by a
new number that takes over the customer, the balances and the history, while the old number is
refused everywhere and the staff's lookup of it leads to the new card. Of two replacements of
one card at once, one wins."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from admin_core.context import Core
from admin_core.database import Database
from admin_core.errors import CoreError
from admin_core.models import Card, Operation
from admin_core.services.card_changes import replace
from admin_core.services.cards import enroll_customer
from admin_core.services.merchants import create_api_key, create_merchant
from admin_core.services.staff import StaffScope

from .conftest import login
from .test_customer_card_edits import ADMIN, ANNA, API, page_token
from .test_customer_search_api import bearer, staff

PASSWORD = "demo-password"


def post_form(client: FlaskClient, path: str, data: dict[str, str] | None = None) -> Any:
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/account").text)
    assert token
    return client.post(path, data={**(data or {}), "csrf_token": token.group(1)})


def till_operation(core_app: Flask, number: str) -> Any:
    till = staff(core_app, "till@demo.example")
    page = till.get(f"/cards/{number}").text
    fields = {
        name: re.search(rf'name="{name}"[^>]*value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        for name in ("csrf_token", "attempt")
    }
    return till.post(
        f"/cards/{number}/operations",
        data={**fields, "kind": "earn_points", "amount": "5", "store": "STATION"},
    )


def test_a_blocked_card_cannot_log_in_nor_be_used_at_a_till(
    core_app: Flask, client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    admin = staff(core_app, ADMIN)
    assert post_form(admin, f"/customers/{ANNA}/block").status_code == 302
    card_page = admin.get(f"/customers/{ANNA}").text
    assert "Blocked since" in card_page and "Unblock the card" in card_page

    refused = login(client, ANNA, PASSWORD)
    assert refused.status_code == 403 and "This card is blocked" in refused.text
    wrong = login(client, ANNA, "not-the-password")
    assert wrong.status_code == 401 and "blocked" not in wrong.text, "only the holder learns it is blocked"

    at_till = till_operation(core_app, ANNA)
    assert at_till.status_code == 409 and "This card is blocked" in at_till.text
    api = core_app.test_client().post(
        f"/api/v1/cards/{ANNA}/operations",
        json={"kind": "earn_points", "amount": 5, "store": "MAIN"},
        headers={**bearer(demo), "Idempotency-Key": "blocked-1"},
    )
    assert api.status_code == 409 and api.json["error"]["code"] == "card_blocked"
    assert core_app.test_client().get(f"{API}/{ANNA}", headers=bearer(demo)).json["blocked"] is True

    assert post_form(admin, f"/customers/{ANNA}/unblock").status_code == 302
    assert login(client, ANNA, PASSWORD).status_code == 302
    assert till_operation(core_app, ANNA).status_code == 302


def test_blocking_ends_the_card_s_portal_sessions(
    core_app: Flask, client: FlaskClient, demo: dict[str, Any]
) -> None:
    assert login(client, ANNA, PASSWORD).status_code == 302
    assert client.get("/p/demo/").status_code == 200
    answer = core_app.test_client().post(f"{API}/{ANNA}/block", headers=bearer(demo))
    assert answer.status_code == 200 and answer.json == {"number": ANNA, "blocked": True}
    assert client.get("/p/demo/").status_code == 302, "logged out"


def test_a_replacement_keeps_the_balances_and_the_history(
    core_app: Flask, client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    api = core_app.test_client()
    before = api.get(f"{API}/{ANNA}", headers=bearer(demo)).json
    admin = staff(core_app, ADMIN)
    post_form(admin, f"/customers/{ANNA}/block")  # reported lost
    form = {"new_number": "7000 1999-99", "replacement_attempt": page_token(admin, "replacement_attempt")}
    answer = post_form(admin, f"/customers/{ANNA}/replacement", form)
    again = post_form(admin, f"/customers/{ANNA}/replacement", form)  # the double submit replays
    assert answer.status_code == again.status_code == 302
    assert answer.headers["Location"].endswith("/customers/7000199999")

    after = api.get(f"{API}/7000199999", headers=bearer(demo)).json
    assert after["earlier_numbers"] == [ANNA] and after["blocked"] is False
    kept = ("first_name", "email", "points", "credit", "discount", "operations", "vouchers", "consents")
    assert {name: after[name] for name in kept} == {name: before[name] for name in kept}
    assert login(client, "7000199999", PASSWORD).status_code == 302, "the password came along"

    old = api.get(f"/api/v1/cards/{ANNA}", headers=bearer(demo))
    assert old.status_code == 410 and old.json["error"]["code"] == "card_replaced"
    assert "7000199999" in old.json["error"]["message"]
    operation = api.post(
        f"/api/v1/cards/{ANNA}/operations",
        json={"kind": "earn_points", "amount": 5, "store": "MAIN"},
        headers={**bearer(demo), "Idempotency-Key": "old-card"},
    )
    assert operation.status_code == 410 and operation.json["error"]["code"] == "card_replaced"
    other = FlaskClient(client.application)
    refused = login(other, ANNA, PASSWORD)
    assert refused.status_code == 403 and "replaced by a new one" in refused.text

    till = staff(core_app, "till@demo.example").get(f"/cards/{ANNA}", follow_redirects=True)
    assert "Card 7000100001 was replaced by card 7000199999." in till.text
    assert "Card 7000199999" in till.text
    looked_up = admin.get(f"/customers/{ANNA}")
    assert looked_up.status_code == 302 and looked_up.headers["Location"].endswith("/customers/7000199999")
    assert "7000199999" in admin.get("/customers?q=anna").text
    assert "No customer matches." in admin.get(f"/customers?q={ANNA}").text, "the old number is no customer"


def test_a_replacement_number_must_be_free_and_valid(
    core_app: Flask, core: Core, demo: dict[str, Any]
) -> None:
    admin = staff(core_app, ADMIN)
    for number, message in [
        ("7000100002", "A card with this number exists already."),
        ("no/way", "Not a card number: 4-32 letters or digits."),
        (ANNA, "The new card needs a number of its own."),
    ]:
        form = {"new_number": number, "replacement_attempt": page_token(admin, "replacement_attempt")}
        answer = post_form(admin, f"/customers/{ANNA}/replacement", form)
        assert answer.status_code in (409, 422), number
        at_field = re.search(r'<p class="error" id="new_number-error">([^<]*)</p>', answer.text)
        assert at_field and message in at_field.group(1), number
    with core.db.read() as session:
        assert (
            session.scalar(select(func.count()).select_from(Card).where(Card.replaced_by_id.is_not(None)))
            == 0
        )
    made = core_app.test_client().post(
        f"{API}/{ANNA}/replacement", json={}, headers={**bearer(demo), "Idempotency-Key": "replace-1"}
    )
    assert made.status_code == 201 and made.json["replaced"] == ANNA and made.json["number"].startswith("9")


def test_another_merchant_s_staff_find_no_such_card(
    core_app: Flask, core: Core, demo: dict[str, Any]
) -> None:
    other = create_merchant(core.db, "elsewhere", "Elsewhere")
    api_key = create_api_key(core.db, other.id)
    headers = {"Authorization": f"Bearer {api_key}", "Idempotency-Key": "x-1"}
    api = core_app.test_client()
    for method, path, body in [
        ("PATCH", f"{API}/{ANNA}/details", {"first_name": "Mine"}),
        ("POST", f"{API}/{ANNA}/adjustments", {"points": 5, "reason": "Mine"}),
        ("POST", f"{API}/{ANNA}/block", None),
        ("POST", f"{API}/{ANNA}/replacement", {"number": "5555555555"}),
    ]:
        answer = api.open(path, method=method, json=body, headers=headers)
        assert answer.status_code == 404 and answer.json["error"]["code"] == "card_not_found", path
    with core.db.read() as session:
        card = session.scalar(select(Card).where(Card.number == ANNA))
        assert card is not None and card.blocked_at is None and card.customer.first_name == "Anna"


@pytest.mark.both_backends  # the card row's lock, and the unique number
def test_of_two_replacements_at_once_one_wins(committed_db: Database) -> None:
    merchant = create_merchant(committed_db, "race", "Race")
    enroll_customer(committed_db, merchant.id, "5000000001", first_name="Lost", points=70)
    scope = StaffScope.merchant(merchant.id)
    start = Barrier(2)

    def attempt(new: str) -> str:
        start.wait(timeout=30)
        try:
            with committed_db.write() as session:
                return str(replace(session, scope, "5000000001", new)["number"])
        except CoreError as error:
            return error.code

    with ThreadPoolExecutor(2) as pool:
        results = sorted(pool.map(attempt, ["5000000002", "5000000003"]))
    winners = [result for result in results if result.startswith("5")]
    assert len(winners) == 1 and results.count("card_replaced") == 1, results
    with committed_db.read() as session:
        cards = {
            card.number: card for card in session.scalars(select(Card).where(Card.merchant_id == merchant.id))
        }
        assert set(cards) == {"5000000001", winners[0]}
        assert cards[winners[0]].points == 70 and cards["5000000001"].replaced_by_id == cards[winners[0]].id
        assert session.scalar(select(func.count()).select_from(Operation)) == 0

"""The dashboard is a hot page: it does a fixed, small number of SQL statements, whatever the card's
history; what the one statement about the program sums up is checked here too."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event

from admin_core.context import Core
from admin_core.models import Campaign, OperationKind, Reward, Tier
from admin_core.services import utcnow
from admin_core.services.cards import enroll_customer, get_card
from admin_core.services.ledger import OperationRequest, record_operation
from admin_core.services.merchants import create_merchant, create_store, get_merchant
from admin_core.services.program import Dashboard, dashboard

from .conftest import login

pytestmark = pytest.mark.both_backends  # statement counts: what each dialect's SQL does per page

# The site keeps its merchant (portal/merchants.py); in the one dashboard call: the scope's
# merchant, the card with its holder as the session's check reads it, the program around it
# (campaign, catalogue, open vouchers, tier progress) in one, and the card's stamp cards.
DASHBOARD_STATEMENTS = 4
TRANSACTION_CONTROL = {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}


@contextmanager
def count_statements(core: Core) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.split(None, 1)[0].upper() not in TRANSACTION_CONTROL:
            seen.append(statement)

    engine = core.db.bind.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_dashboard_statements_are_few_and_fixed(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    login(client, "7000100001", "demo-password")
    with count_statements(core) as statements:
        assert client.get("/p/demo/").status_code == 200
    assert len(statements) == DASHBOARD_STATEMENTS, statements
    for _ in range(30):  # history: the count stays
        with core.db.write() as session:
            merchant = get_merchant(session, "demo")
            record_operation(
                session, merchant.id, "7000100001", OperationRequest(OperationKind.EARN_POINTS, 5, "MAIN")
            )
    with count_statements(core) as statements:
        assert client.get("/p/demo/").status_code == 200
    assert len(statements) == DASHBOARD_STATEMENTS, statements


def _card_at(core: Core, slug: str, number: str) -> Any:
    """A merchant of its own, with one store and one card."""
    merchant = create_merchant(core.db, slug, slug.title(), portal_enabled=True)
    create_store(core.db, merchant.id, "MAIN", "Main")
    enroll_customer(core.db, merchant.id, number, first_name="Ada")
    return merchant


def _summary(core: Core, slug: str, number: str) -> Dashboard:
    with core.db.read() as session:
        merchant = get_merchant(session, slug)
        return dashboard(session, merchant, get_card(session, merchant.id, number), utcnow())


def test_a_program_of_nothing_sums_up_to_nothing(core: Core) -> None:
    _card_at(core, "bare", "4000000001")
    summary = _summary(core, "bare", "4000000001")
    assert (summary.tier, summary.campaign, summary.next_reward) == (None, None, None)
    assert (summary.reward_waiting, summary.open_vouchers, summary.card.number) == (False, 0, "4000000001")


def test_the_one_statement_finds_tiers_campaign_and_rewards_around_the_card(core: Core) -> None:
    merchant = _card_at(core, "full", "4000000002")
    now = utcnow()
    with core.db.write() as session:
        session.add_all(
            [
                Tier(merchant_id=merchant.id, name="Bronze", threshold=0),
                Tier(merchant_id=merchant.id, name="Silver", threshold=100),
                Tier(merchant_id=merchant.id, name="Gold", threshold=500),
                Campaign(
                    merchant_id=merchant.id, name="Over", starts_at=now - timedelta(days=9), ends_at=now
                ),
                Campaign(
                    merchant_id=merchant.id,
                    name="Spring",
                    starts_at=now - timedelta(days=1),
                    ends_at=now + timedelta(days=9),
                ),
                *(
                    Reward(merchant_id=merchant.id, name=name, points=points, created_at=now, active=active)
                    for name, points, active in (
                        ("Coffee", 100, True),
                        ("Cake", 150, True),
                        ("Hidden", 120, False),
                    )
                ),
            ]
        )
    for _ in range(3):
        with core.db.write() as session:
            record_operation(
                session, merchant.id, "4000000002", OperationRequest(OperationKind.EARN_POINTS, 40, "MAIN")
            )
    summary = _summary(core, "full", "4000000002")
    assert summary.tier is not None
    assert (summary.tier.earned, summary.tier.current, summary.tier.next) == (120, "Silver", "Gold")
    assert summary.tier.missing == 380
    assert summary.campaign is not None and summary.campaign.name == "Spring"
    assert summary.reward_waiting  # Coffee: 100 of the card's 120 points
    assert summary.next_reward is not None and summary.next_reward.reward.name == "Cake"
    assert summary.next_reward.missing == 30

"""A purchase's points: the amount times the store's (else the merchant's) rate, the card's tier
multiplier and the highest multiplier of the campaigns running at the store, rounded down."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from admin_core.context import Core
from admin_core.errors import Invalid
from admin_core.models import Card, Customer, Merchant, OperationKind
from admin_core.services import utcnow
from admin_core.services.earning import multiplier_percent, record_purchase
from admin_core.services.ledger import OperationRequest, record_operation
from admin_core.services.merchants import create_merchant, create_store
from admin_core.services.points_rates import set_store_rate
from admin_core.services.program_setup import CampaignDetails, TierDetails, create_campaign, create_tier
from admin_core.services.staff import StaffScope
from admin_core.services.voids import void_operation

NUMBER = "5500000001"
HERE, THERE = "HERE", "THERE"


@dataclass(frozen=True)
class Case:
    amount: int  # minor units
    expected: int | str  # points, or the refusal's code
    currency: str = "EUR"
    rate: int = 1
    store_rate: int | None = None
    earned: int = 0  # points earned before, in the tier period
    campaigns: tuple[tuple[int | None, tuple[str, ...], int], ...] = ()  # multiplier, stores, days from now


TIERS = (("Silver", 500, 125), ("Gold", 1500, 150))

CASES = {
    "rate only": Case(1250, 12),
    "rounded down, never up": Case(1299, 12),
    "tier multiplier": Case(1250, 18, earned=1500),  # 12.5 * 1.5 = 18.75
    "tier and campaign": Case(1250, 37, earned=1500, campaigns=((200, (), 0),)),  # 37.5
    "a quarter more": Case(1000, 12, earned=600),  # 10 * 1.25 = 12.5
    "the store's own rate": Case(1250, 37, rate=1, store_rate=3),
    "a store rate of 0 earns nothing": Case(1250, "no_points", store_rate=0),
    "too small for a point": Case(99, "no_points"),
    "no campaign running: ended and not yet begun": Case(1000, 10, campaigns=((200, (), -10), (300, (), 10))),
    "campaign at another store": Case(1000, 10, campaigns=((200, (THERE,), 0),)),
    "campaign at this store": Case(1000, 20, campaigns=((200, (HERE, THERE), 0),)),
    "overlapping campaigns: the highest, not the product": Case(
        1000, 30, campaigns=((200, (), 0), (300, (HERE,), 0), (150, (), 0))
    ),
    "a campaign without a multiplier": Case(1000, 10, campaigns=((None, (), 0),)),
    "a currency without cents": Case(1250, 1250, currency="JPY"),
    "too many points at once": Case(10_000_000, "too_many_points", rate=1000),
}


def build(core: Core, case: Case) -> int:
    """A merchant with two stores, the case's rates, tiers and campaigns, and a card."""
    merchant = create_merchant(core.db, "earning", "Earning", currency=case.currency)
    create_store(core.db, merchant.id, HERE, "Here")
    create_store(core.db, merchant.id, THERE, "There")
    scope = StaffScope.merchant(merchant.id)
    with core.db.write() as session:
        session.get_one(Merchant, merchant.id).points_per_unit = case.rate
        customer = Customer(merchant_id=merchant.id, first_name="Ada", created_at=utcnow())
        session.add(Card(merchant_id=merchant.id, customer=customer, number=NUMBER, created_at=utcnow()))
    if case.store_rate is not None:
        set_store_rate(core.db, scope, HERE, case.store_rate)
    for name, threshold, percent in TIERS:
        create_tier(core.db, scope, TierDetails(name, threshold, multiplier_percent=percent))
    now = utcnow()
    for index, (percent, stores, days) in enumerate(case.campaigns):
        starts = now + timedelta(days=days) - timedelta(days=1)
        details = CampaignDetails(f"Campaign {index}", starts, starts + timedelta(days=2), percent, stores)
        create_campaign(core.db, scope, details)
    if case.earned:
        with core.db.write() as session:
            record_operation(
                session, merchant.id, NUMBER, OperationRequest(OperationKind.EARN_POINTS, case.earned, HERE)
            )
    return merchant.id


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_purchase_earns_what_the_program_says(core: Core, case: Case) -> None:
    merchant_id = build(core, case)
    with core.db.write() as session:
        if isinstance(case.expected, str):
            with pytest.raises(Invalid) as refused:
                record_purchase(session, merchant_id, NUMBER, case.amount, HERE)
            assert refused.value.code == case.expected
            return
        operation, card, calculation = record_purchase(session, merchant_id, NUMBER, case.amount, HERE)
        assert (operation.kind, operation.points, operation.purchase_amount) == (
            OperationKind.PURCHASE,
            case.expected,
            case.amount,
        )
        assert card.points == case.earned + case.expected
        assert calculation.points == case.expected


def test_the_calculation_names_each_factor(core: Core) -> None:
    merchant_id = build(core, Case(1250, 37, earned=1500, campaigns=((200, (HERE,), 0),)))
    with core.db.write() as session:
        body = record_purchase(session, merchant_id, NUMBER, 1250, HERE)[2].body()
    assert body == {
        "amount": 1250,
        "currency": "EUR",
        "store": HERE,
        "rate": 1,
        "store_rate": False,
        "tier": {"name": "Gold", "multiplier": 1.5},
        "campaign": {"name": "Campaign 0", "multiplier": 2.0},
        "points": 37,
    }


def test_a_voided_purchase_no_longer_counts_towards_the_tier(core: Core) -> None:
    merchant_id = build(core, Case(0, 0))
    with core.db.write() as session:
        big = record_purchase(session, merchant_id, NUMBER, 150_000, HERE)[0]  # 1500 points: Gold
    with core.db.write() as session:
        assert record_purchase(session, merchant_id, NUMBER, 1000, HERE)[2].terms.tier.name == "Gold"  # type: ignore[union-attr]
    with core.db.write() as session:
        void_operation(session, StaffScope.merchant(merchant_id), NUMBER, big.id)
    with core.db.write() as session:
        assert record_purchase(session, merchant_id, NUMBER, 1000, HERE)[2].terms.tier is None


@pytest.mark.parametrize(
    ("typed", "percent"),
    [("1", 100), ("1.5", 150), ("1,25", 125), ("10", 1000), (" 2 ", 200)],
)
def test_multipliers_are_typed_as_decimals(typed: str, percent: int) -> None:
    assert multiplier_percent(typed) == percent


@pytest.mark.parametrize("typed", ["0.5", "10.01", "1.333", "x", "NaN", "Infinity", "", "-2"])
def test_a_multiplier_outside_one_to_ten_is_refused(typed: str) -> None:
    with pytest.raises(Invalid) as refused:
        multiplier_percent(typed)
    assert refused.value.code == "invalid_multiplier"

"""Stamp cards: stamps given at a store fill a card, the last one issues the voucher for the
reward in the same transaction, stamps past a fill carry into the next one; refusals change
nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from admin_core.context import Core
from admin_core.errors import CoreError
from admin_core.models import Card, Operation, OperationKind, Reward, Voucher, VoucherStatus
from admin_core.services.card_changes import set_blocked
from admin_core.services.cards import enroll_customer
from admin_core.services.merchants import create_merchant, create_store, get_merchant
from admin_core.services.staff import StaffScope
from admin_core.services.stamp_cards import (
    InvalidStampCard,
    StampCardDetails,
    create_stamp_card,
    update_stamp_card,
)
from admin_core.services.stamping import give_stamps
from admin_core.services.vouchers import cancel_voucher

CARD = "7000100001"


def reach(core: Core) -> StaffScope:
    with core.db.read() as session:
        return StaffScope.merchant(get_merchant(session, "demo").id)


def a_reward(core: Core, merchant_id: int) -> Reward:
    with core.db.read() as session:
        reward = session.scalars(select(Reward).where(Reward.merchant_id == merchant_id)).first()
        assert reward is not None
        return reward


def coffee_card(core: Core, needed: int = 10, stores: tuple[str, ...] = ()) -> int:
    scope = reach(core)
    reward = a_reward(core, scope.merchant_id)
    details = StampCardDetails("coffee", needed, reward.id, voucher_valid_days=14, stores=stores)
    return create_stamp_card(core.db, scope, details).id


def stamp(core: Core, stamp_card_id: int, count: int, store: str = "MAIN", number: str = CARD) -> Any:
    with core.db.write() as session:
        done = give_stamps(session, reach(core), number, stamp_card_id, count, store)
        return done.progress.stamps, done.progress.filled, [voucher.code for voucher in done.vouchers]


def counts(core: Core) -> tuple[int, int]:
    with core.db.read() as session:
        operations = session.scalar(
            select(func.count()).select_from(Operation).where(Operation.kind == OperationKind.STAMP)
        )
        vouchers = session.scalar(select(func.count()).select_from(Voucher).where(Voucher.points == 0))
        return operations or 0, vouchers or 0


def test_the_last_stamp_issues_the_voucher_and_the_next_fill_begins(core: Core, demo: dict[str, Any]) -> None:
    card = coffee_card(core, needed=3)
    assert stamp(core, card, 1) == (1, 0, [])
    assert stamp(core, card, 1)[:2] == (2, 0)
    stamps, filled, codes = stamp(core, card, 1)
    assert (stamps, filled, len(codes)) == (0, 1, 1)
    with core.db.read() as session:
        voucher = session.scalars(select(Voucher).where(Voucher.code == codes[0])).one()
        assert voucher.points == 0
        assert (voucher.expires_at - voucher.created_at).days == 14
    assert counts(core) == (3, 1)


def test_many_stamps_at_once_fill_it_as_often_as_they_reach(core: Core, demo: dict[str, Any]) -> None:
    card = coffee_card(core, needed=3)
    stamp(core, card, 2)
    stamps, filled, codes = stamp(core, card, 7)  # 2 + 7 = 9: three fills, none left over
    assert (stamps, filled, len(set(codes))) == (0, 3, 3)
    assert stamp(core, card, 4)[:2] == (1, 4)
    assert counts(core) == (3, 4)


def test_a_lower_number_needed_fills_at_the_next_stamp(core: Core, demo: dict[str, Any]) -> None:
    card = coffee_card(core, needed=10)
    stamp(core, card, 7)
    scope = reach(core)
    reward = a_reward(core, scope.merchant_id)
    update_stamp_card(core.db, scope, card, StampCardDetails("coffee", 5, reward.id))
    assert stamp(core, card, 1)[:2] == (3, 1)


@pytest.mark.parametrize(
    ("count", "store", "code"),
    [
        (0, "MAIN", "invalid_count"),
        (101, "MAIN", "invalid_count"),
        (1, "NOWHERE", "unknown_store"),
        (1, "STATION", "wrong_store"),
    ],
)
def test_bad_stamps_are_refused_and_change_nothing(
    core: Core, demo: dict[str, Any], count: int, store: str, code: str
) -> None:
    card = coffee_card(core, stores=("MAIN",))
    stamp(core, card, 9)
    with pytest.raises(CoreError) as refused:
        stamp(core, card, count, store)
    assert refused.value.code == code
    assert counts(core) == (1, 0)
    assert stamp(core, card, 1)[:2] == (0, 1)  # the nine stamps were kept, no more


def test_unknown_switched_off_stamp_cards_and_blocked_cards_are_refused(
    core: Core, demo: dict[str, Any]
) -> None:
    card = coffee_card(core)
    scope = reach(core)
    with pytest.raises(CoreError) as refused:
        stamp(core, card + 1000, 1)
    assert refused.value.code == "stamp_card_not_found"
    set_blocked(core.db, scope, CARD, True)
    with pytest.raises(CoreError) as refused:
        stamp(core, card, 1)
    assert refused.value.code == "card_blocked"
    set_blocked(core.db, scope, CARD, False)
    reward = a_reward(core, scope.merchant_id)
    update_stamp_card(core.db, scope, card, StampCardDetails("coffee", 10, reward.id), active=False)
    with pytest.raises(CoreError) as refused:
        stamp(core, card, 1)
    assert refused.value.code == "stamp_card_inactive"
    assert counts(core) == (0, 0)


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"name": " "}, "name", "invalid_stamp_name"),
        ({"stamps_needed": 1}, "stamps_needed", "invalid_stamps_needed"),
        ({"stamps_needed": 101}, "stamps_needed", "invalid_stamps_needed"),
        ({"voucher_valid_days": 0}, "voucher_valid_days", "invalid_validity"),
        ({"reward_id": 10**6}, "reward_id", "reward_not_found"),
        ({"stores": ("NOWHERE",)}, "stores", "unknown_store"),
    ],
)
def test_a_bad_definition_is_refused_at_its_field(
    core: Core, demo: dict[str, Any], changes: dict[str, Any], field: str, code: str
) -> None:
    scope = reach(core)
    reward = a_reward(core, scope.merchant_id)
    details = {"name": "coffee", "stamps_needed": 10, "reward_id": reward.id, **changes}
    with pytest.raises(CoreError) as refused:
        create_stamp_card(core.db, scope, StampCardDetails(**details))
    assert getattr(refused.value, "codes", {}) == {field: code}


def test_a_cancelled_stamp_voucher_gives_back_neither_points_nor_stock(
    core: Core, demo: dict[str, Any]
) -> None:
    scope = reach(core)
    reward = a_reward(core, scope.merchant_id)
    with core.db.write() as session:
        session.get_one(Reward, reward.id).stock = 4
    card = coffee_card(core, needed=2)
    [code] = stamp(core, card, 2)[2]
    with core.db.read() as session:
        points = session.scalar(select(Card.points).where(Card.number == CARD))
    with core.db.write() as session:
        voucher, _card = cancel_voucher(session, scope.merchant_id, code)
        assert voucher.status is VoucherStatus.CANCELLED
    with core.db.read() as session:
        assert session.get_one(Reward, reward.id).stock == 4
        assert session.scalar(select(Card.points).where(Card.number == CARD)) == points


def test_another_merchant_reaches_neither_the_stamp_card_nor_its_reward(
    core: Core, demo: dict[str, Any]
) -> None:
    demo_card = coffee_card(core)
    demo_reward = a_reward(core, reach(core).merchant_id)
    other = StaffScope.merchant(create_merchant(core.db, "other", "Other shop").id)
    create_store(core.db, other.merchant_id, "OTHER", "Other's store")
    enroll_customer(core.db, other.merchant_id, "8800000001", first_name="Olga")
    with pytest.raises(CoreError) as refused, core.db.write() as session:
        give_stamps(session, other, "8800000001", demo_card, 1, "OTHER")
    assert refused.value.code == "stamp_card_not_found"
    with pytest.raises(InvalidStampCard) as borrowed:
        create_stamp_card(core.db, other, StampCardDetails("coffee", 10, demo_reward.id))
    assert borrowed.value.problems["reward_id"][0] == "reward_not_found"
    assert counts(core) == (0, 0)

"""The customer card ("scheda") for the merchant's admin: details, balances, tier, the latest
operations with who recorded them, vouchers, passes, the consents log, and the numbers the card
had before it replaced lost ones. Its changes are in customer_details and card_changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Card, ConsentRecord, Merchant, Operation, Pass, Staff, StaffLevel, Store, Voucher
from . import utcnow
from .card_changes import earlier_numbers
from .cards import get_card
from .program import TierProgress, tier_progress
from .staff import StaffScope

LATEST = 50  # operations, vouchers and consent records shown; the card's history has them all


@dataclass(frozen=True)
class RecordedOperation:
    operation: Operation
    store_name: str | None
    recorded_by: str | None  # the staff member at the till; None: the portal, an import, expiry


@dataclass(frozen=True)
class CustomerCard:
    card: Card
    home_store: Store | None
    tier: TierProgress | None
    operations: list[RecordedOperation]
    vouchers: list[Voucher]
    passes: list[Pass]
    consents: list[ConsentRecord]
    earlier_numbers: list[str]


def customer_card(
    session: Session, scope: StaffScope, number: str, now: datetime | None = None
) -> CustomerCard:
    """The admin's view of one card (another merchant's: NotFound, as no such card)."""
    scope.require(StaffLevel.ADMIN)
    card = get_card(session, scope.merchant_id, number)
    merchant = session.get_one(Merchant, scope.merchant_id)
    customer = card.customer
    operations = [
        RecordedOperation(operation, store, f"{first} {last}" if first is not None else None)
        for operation, store, first, last in session.execute(
            select(Operation, Store.name, Staff.first_name, Staff.last_name)
            .outerjoin(Store, Store.id == Operation.store_id)
            .outerjoin(Staff, Staff.id == Operation.staff_id)
            .where(Operation.card_id == card.id)
            .order_by(Operation.created_at.desc(), Operation.id.desc())
            .limit(LATEST)
        )
    ]
    vouchers = session.scalars(
        select(Voucher).where(Voucher.card_id == card.id).order_by(Voucher.created_at.desc()).limit(LATEST)
    ).all()
    passes = session.scalars(
        select(Pass).where(Pass.card_id == card.id).order_by(Pass.valid_until.desc())
    ).all()
    consents = session.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.customer_id == customer.id)
        .order_by(ConsentRecord.created_at.desc(), ConsentRecord.id.desc())
        .limit(LATEST)
    ).all()
    return CustomerCard(
        card=card,
        home_store=session.get(Store, customer.store_id) if customer.store_id is not None else None,
        tier=tier_progress(session, merchant, card, now or utcnow()),
        operations=operations,
        vouchers=list(vouchers),
        passes=list(passes),
        consents=list(consents),
        earlier_numbers=earlier_numbers(session, card),
    )

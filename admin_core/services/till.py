"""What staff do at a till, within their scope: look a card up (any card of their merchant: a
customer's card works in every store), record an operation and collect a voucher at their own
store (an admin chooses the store), see a card's latest operations."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.numbers import get_currency_precision
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..database import Database
from ..errors import Invalid, NotFound
from ..models import Card, Merchant, Operation, OperationKind, Store, Voucher, VoucherStatus
from . import utcnow
from .cards import get_card
from .earning import Terms, record_purchase, terms_at
from .idempotency import Outcome, request_fingerprint, run_once
from .ledger import MAX_MONEY, MAX_POINTS, OperationRequest, record_operation
from .staff import StaffScope
from .voids import find_operation, may_void, void_operation, voided_among
from .vouchers import collect_voucher

MONEY_KINDS = (OperationKind.PURCHASE, OperationKind.TOPUP_CREDIT, OperationKind.SPEND_CREDIT)
RECENT = 10


@dataclass(frozen=True)
class CardAtTill:
    card: Card
    recent: list[Operation]
    open_vouchers: list[Voucher]
    voided: set[int]  # ids of the recent operations that have been voided
    terms: list[Terms]  # what a purchase earns this card, per store the staff member works at
    scope: StaffScope

    def may_void(self, operation: Operation) -> bool:
        return may_void(self.scope, operation, self.voided)


def amount_of(kind: OperationKind, typed: str, currency: str) -> int:
    """What the till typed: whole points, or money in the currency's units ("12.50", "12,50")
    turned into minor units."""
    try:
        value = Decimal(typed.strip().replace(",", "."))
        if not value.is_finite():
            raise InvalidOperation
        if kind in MONEY_KINDS:
            value = value.scaleb(get_currency_precision(currency))
        whole = value == value.to_integral_value()
    except InvalidOperation:
        raise Invalid("invalid_amount", "This is not a number.") from None
    limit = MAX_MONEY if kind in MONEY_KINDS else MAX_POINTS
    if not whole or not 0 < value <= limit:
        raise Invalid(
            "invalid_amount", f"Whole points, or money with at most the currency's decimals, up to {limit}."
        )
    return int(value)


def card_at_till(session: Session, scope: StaffScope, number: str) -> CardAtTill:
    card = get_card(session, scope.merchant_id, number)
    recent = session.scalars(
        select(Operation)
        .options(joinedload(Operation.store))
        .where(Operation.card_id == card.id)
        .order_by(Operation.created_at.desc(), Operation.id.desc())
        .limit(RECENT)
    ).all()
    vouchers = session.scalars(
        select(Voucher)
        .where(
            Voucher.card_id == card.id, Voucher.status == VoucherStatus.ISSUED, Voucher.expires_at > utcnow()
        )
        .order_by(Voucher.created_at)
    ).all()
    merchant = session.get_one(Merchant, scope.merchant_id)
    terms = terms_at(session, merchant, card, scope.stores(session), utcnow())
    voided = voided_among(session, (operation.id for operation in recent))
    return CardAtTill(card, list(recent), list(vouchers), voided, terms, scope)


def record_at_till(
    db: Database,
    scope: StaffScope,
    number: str,
    kind: OperationKind,
    amount: int,
    store_code: str | None,
    attempt: str,
) -> Outcome:
    """Once per `attempt` (one per page view: a double tap records once); the ledger refuses the
    kinds that are not posted. A purchase's `amount` is money: its points come from the program,
    and the answer holds the calculation."""
    fingerprint = request_fingerprint("TILL", number, [kind.value, amount, store_code, scope.staff_id])

    def work(session: Session) -> tuple[int, dict[str, object]]:
        store = scope.store_at_till(session, store_code)
        calculation = None
        if kind is OperationKind.PURCHASE:
            operation, card, calculation = record_purchase(
                session, scope.merchant_id, number, amount, store.code, staff_id=scope.staff_id
            )
        else:
            operation, card = record_operation(
                session,
                scope.merchant_id,
                number,
                OperationRequest(kind, amount, store.code),
                staff_id=scope.staff_id,
            )
        return 201, {
            "operation": operation.id,
            "points": card.points,
            "credit": card.credit,
            "calculation": calculation.body() if calculation else None,
        }

    return run_once(db, scope.merchant_id, f"till:{attempt}", fingerprint, work)


def void_at_till(db: Database, scope: StaffScope, number: str, operation_id: int) -> Operation:
    with db.write() as session:
        void, _card = void_operation(session, scope, number, operation_id)
        return void


def operation_at_till(session: Session, scope: StaffScope, number: str, operation_id: int) -> Operation:
    """The operation a void is asked for, as the confirmation shows it."""
    card = get_card(session, scope.merchant_id, number)
    return find_operation(session, scope, card, operation_id)


def collect_at_till(db: Database, scope: StaffScope, code: str, store_code: str | None) -> Voucher:
    with db.write() as session:
        store = scope.store_at_till(session, store_code)
        return collect_voucher(session, scope.merchant_id, code, store.code)


def stores_for_till(session: Session, scope: StaffScope) -> list[Store]:
    stores = scope.stores(session)
    if not stores:
        raise NotFound("unknown_store", "No store to work at.")
    # A switched-off store is not offered. Where every store in reach is off, they are, so that
    # the till opens and says why nothing can be recorded (`store_inactive`).
    return [store for store in stores if store.active] or stores

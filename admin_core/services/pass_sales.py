"""Passes the merchant sells: the admin defines their kinds ("10 entries", valid 90 days, 50.00 EUR;
"Monthly", unlimited entries for 30 days); a till sells one to a card and records its entries.

Both are operations on the card (`pass_sale`, `pass_entry`: no balance changes, the pass's name in
the description, the store and who recorded it), under a till's attempt key as every till write is:
a double tap sells once and takes one entry. An entry locks the pass row (see
`offers.use_pass_entry`): two tills taking the last entry at once cannot both succeed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..database import Database
from ..errors import Conflict, Invalid, NotFound
from ..models import Card, Operation, OperationKind, Pass, PassKind, StaffLevel, Store
from . import utcnow
from .cards import get_card
from .idempotency import Outcome, request_fingerprint, run_once
from .ledger import MAX_MONEY
from .offers import MAX_ENTRIES, take_entry
from .staff import StaffScope

MAX_NAME = 120
MAX_VALIDITY_DAYS = 3660  # ten years


@dataclass(frozen=True)
class KindDetails:
    name: str
    entries: int | None  # None: unlimited within the validity
    validity_days: int
    price: int  # minor units
    active: bool = True


def _checked(details: KindDetails) -> KindDetails:
    name = details.name.strip()
    if not 0 < len(name) <= MAX_NAME:
        raise Invalid("invalid_name", f"A pass needs a name of at most {MAX_NAME} characters.")
    if details.entries is not None and not 0 < details.entries <= MAX_ENTRIES:
        raise Invalid("invalid_entries", f"A pass has between 1 and {MAX_ENTRIES} entries, or no limit.")
    if not 0 < details.validity_days <= MAX_VALIDITY_DAYS:
        raise Invalid("invalid_validity", f"A pass is valid for 1 to {MAX_VALIDITY_DAYS} days.")
    if not 0 < details.price <= MAX_MONEY:
        raise Invalid("invalid_price", f"A price is from 1 to {MAX_MONEY} minor units.")
    return KindDetails(name, details.entries, details.validity_days, details.price, details.active)


def list_kinds(session: Session, merchant_id: int, *, on_sale_only: bool = False) -> list[PassKind]:
    query = select(PassKind).where(PassKind.merchant_id == merchant_id).order_by(PassKind.name, PassKind.id)
    if on_sale_only:
        query = query.where(PassKind.active.is_(True))
    return list(session.scalars(query))


def get_kind(session: Session, merchant_id: int, kind_id: int) -> PassKind:
    kind = session.get(PassKind, kind_id)
    if kind is None or kind.merchant_id != merchant_id:
        raise NotFound("pass_kind_not_found", "No such kind of pass.")
    return kind


def define_kind(
    session: Session, scope: StaffScope, details: KindDetails, now: datetime | None = None
) -> PassKind:
    """In the caller's transaction (the API's runs once per Idempotency-Key)."""
    scope.require(StaffLevel.ADMIN)
    details = _checked(details)
    kind = PassKind(merchant_id=scope.merchant_id, created_at=now or utcnow(), **details.__dict__)
    session.add(kind)
    session.flush()
    return kind


def change_kind(db: Database, scope: StaffScope, kind_id: int, details: KindDetails) -> PassKind:
    """New sales follow the change; passes sold already keep what they were sold with."""
    scope.require(StaffLevel.ADMIN)
    details = _checked(details)
    with db.write() as session:
        kind = get_kind(session, scope.merchant_id, kind_id)
        for name, value in details.__dict__.items():
            setattr(kind, name, value)
    return kind


def _store(session: Session, scope: StaffScope, code: str | None) -> Store:
    store = scope.store(session, code)
    if store is None:
        raise Invalid("store_required", "Choose the store this happens at.")
    return store


def _record(
    session: Session, scope: StaffScope, card: Card, store: Store, kind: OperationKind, name: str
) -> None:
    session.add(
        Operation(
            card_id=card.id,
            store_id=store.id,
            kind=kind,
            points=0,
            credit=0,
            discount=0,
            description=name[:200],
            staff_id=scope.staff_id,
            created_at=utcnow(),
        )
    )


def sell_pass(
    db: Database, scope: StaffScope, number: str, kind_id: int, store_code: str | None, attempt: str
) -> Outcome:
    """The pass on the card from now, for the kind's validity; once per `attempt`. Conflict
    `pass_kind_off_sale` for a kind the admin took off sale."""
    fingerprint = request_fingerprint("PASS_SALE", number, [kind_id, store_code, scope.staff_id])

    def work(session: Session) -> tuple[int, dict[str, object]]:
        kind = get_kind(session, scope.merchant_id, kind_id)
        if not kind.active:
            raise Conflict("pass_kind_off_sale", "This kind of pass is not on sale.")
        store = _store(session, scope, store_code)
        card = get_card(session, scope.merchant_id, number, for_update=True)
        now = utcnow()
        held = Pass(
            card_id=card.id,
            kind_id=kind.id,
            name=kind.name,
            entries_total=kind.entries,
            entries_left=kind.entries,
            valid_from=now,
            valid_until=now + timedelta(days=kind.validity_days),
            created_at=now,
        )
        session.add(held)
        _record(session, scope, card, store, OperationKind.PASS_SALE, kind.name)
        session.flush()
        return 201, {"pass": held.id, "price": kind.price}

    return run_once(db, scope.merchant_id, f"till:{attempt}", fingerprint, work)


def record_entry(
    db: Database, scope: StaffScope, pass_id: int, store_code: str | None, attempt: str
) -> Outcome:
    """One entry of the pass, once per `attempt`; refused with the reason (`pass_used_up`,
    `pass_expired`, `pass_not_started`) and nothing recorded."""
    fingerprint = request_fingerprint("PASS_ENTRY", str(pass_id), [store_code, scope.staff_id])

    def work(session: Session) -> tuple[int, dict[str, object]]:
        store = _store(session, scope, store_code)
        held = take_entry(session, scope.merchant_id, pass_id, utcnow())
        card = session.get_one(Card, held.card_id)
        _record(session, scope, card, store, OperationKind.PASS_ENTRY, held.name)
        return 201, {"pass": held.id, "entries_left": held.entries_left}

    return run_once(db, scope.merchant_id, f"till:{attempt}", fingerprint, work)


def card_passes(session: Session, merchant_id: int, number: str) -> tuple[Card, list[Pass]]:
    """The card and its passes, the latest ending first."""
    card = get_card(session, merchant_id, number)
    passes = session.scalars(
        select(Pass).where(Pass.card_id == card.id).order_by(Pass.valid_until.desc(), Pass.id.desc())
    )
    return card, list(passes)

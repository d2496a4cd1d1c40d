"""Imported customers written in bulk: for a batch of checked rows, the customers, their cards, the
opening balances' operations and the consent records, one executemany statement per table.

No ORM object per row and no RETURNING: the new rows' ids are taken before inserting, so that each
table's rows are plain parameter sets. (RETURNING in parameter order, which linking a card to its
customer would need, cost about 17 s per 100,000 rows and table on PostgreSQL and went row by row on
SQLite.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..database import Base
from ..models import Card, ConsentKind, ConsentRecord, Customer, CustomerSource, Operation, OperationKind
from ..models.search_keys import customer_keys
from .consents import CUSTOMER_FLAG
from .customer_rows import NewCard

LOOKUP = 2_000  # card numbers per query
SOURCE = "import"
# A new customer's choices where the file gives none: as a sign-up without the box ticked.
UNASKED = {"marketing_consent": False, "notify_email": True, "notify_sms": False}


# What an import writes: their planner statistics are brought up to date once it is applied.
TABLES = tuple(model.__tablename__ for model in (Customer, Card, Operation, ConsentRecord))


def _table(model: type[Base]) -> Table:
    """The model's table: inserting into it skips the ORM's per-row work."""
    return Base.metadata.tables[model.__tablename__]


def existing_numbers(session: Session, merchant_id: int, numbers: Sequence[str]) -> set[str]:
    """Which of these card numbers the merchant has already."""
    found: set[str] = set()
    for start in range(0, len(numbers), LOOKUP):
        chunk = numbers[start : start + LOOKUP]
        found.update(
            session.scalars(
                select(Card.number).where(Card.merchant_id == merchant_id, Card.number.in_(chunk))
            )
        )
    return found


def _new_ids(session: Session, table: Table, count: int) -> list[int]:
    """Primary keys for `count` new rows of `table`, taken in the caller's write transaction."""
    if session.get_bind().dialect.name == "postgresql":
        sequence = func.pg_get_serial_sequence(table.name, "id")
        return list(
            session.scalars(select(func.nextval(sequence)).select_from(func.generate_series(1, count)))
        )
    # SQLite: the write transaction holds the database's one write lock (BEGIN IMMEDIATE), so no
    # one else takes an id before it ends; SQLite itself would give max + 1.
    last = session.scalar(select(func.max(table.c.id))) or 0
    return list(range(last + 1, last + 1 + count))


@dataclass(frozen=True)
class NewCards:
    """What every new card of one apply shares."""

    merchant_id: int
    versions: dict[ConsentKind, str]  # of the consent wordings, as the merchant has them now
    note: str  # on the opening balances' operations: which import they came from
    now: datetime
    welcome_points: int = 0  # the merchant's welcome bonus for imported customers (services/bonuses.py)

    def insert(self, session: Session, rows: Sequence[NewCard]) -> None:
        """Customers, then their cards, opening balances and consents, in the caller's transaction.
        A card number taken meanwhile raises IntegrityError, and nothing of the batch is kept."""
        customers, cards = _table(Customer), _table(Card)
        customer_ids = _new_ids(session, customers, len(rows))
        card_ids = _new_ids(session, cards, len(rows))
        session.execute(
            insert(customers), [self._customer(row, id) for row, id in zip(rows, customer_ids, strict=True)]
        )
        session.execute(
            insert(cards),
            [self._card(row, id, owner) for row, id, owner in zip(rows, card_ids, customer_ids, strict=True)],
        )
        operations = [
            self._operation(row, card_id, kind, points, credit)
            for row, card_id in zip(rows, card_ids, strict=True)
            for kind, points, credit in (
                (OperationKind.ADJUSTMENT, row.points, 0),
                (OperationKind.ADJUSTMENT, 0, row.credit),
                (OperationKind.WELCOME_BONUS, self.welcome_points, 0),
            )
            if points or credit
        ]
        consents = [
            self._consent(row, customer_id, kind, granted)
            for row, customer_id in zip(rows, customer_ids, strict=True)
            for kind, granted in row.consents.items()
        ]
        if operations:
            session.execute(insert(_table(Operation)), operations)
        if consents:
            session.execute(insert(_table(ConsentRecord)), consents)

    def one_by_one(self, session: Session, rows: Sequence[NewCard]) -> int:
        """After a batch met a card created meanwhile: each row in a savepoint of its own, so that
        a number taken since is left as it is and the other rows are still created. How many were."""
        created = 0
        for row in rows:
            try:
                with session.begin_nested():
                    self.insert(session, [row])
                created += 1
            except IntegrityError:
                if not existing_numbers(session, self.merchant_id, [row.number]):
                    raise  # not a number taken since: a real fault
        return created

    def _customer(self, row: NewCard, id: int) -> dict[str, Any]:
        return {
            "id": id,
            "merchant_id": self.merchant_id,
            "first_name": row.first_name,
            "last_name": row.last_name,
            "email": row.email,
            "phone": row.phone,
            "locale": row.locale,
            "gender": row.gender,
            "birth_date": row.birth_date,
            "store_id": row.store_id,
            "source": CustomerSource.IMPORT,
            **customer_keys(row.first_name, row.last_name, row.email, row.phone),
            **UNASKED,
            **{CUSTOMER_FLAG[kind]: granted for kind, granted in row.consents.items()},
            "created_at": self.now,
            "deleted_at": None,
        }

    def _card(self, row: NewCard, id: int, customer_id: int) -> dict[str, Any]:
        return {
            "id": id,
            "merchant_id": self.merchant_id,
            "customer_id": customer_id,
            "number": row.number,
            "password_hash": None,
            "credentials_version": 0,
            "activated_at": None,
            "points": row.points + self.welcome_points,
            "credit": row.credit,
            "discount": 0,
            "created_at": self.now,
            # An opening balance is activity, as any operation is: points validity counts from it.
            "last_activity_at": self.now if row.points or row.credit or self.welcome_points else None,
        }

    def _operation(
        self, row: NewCard, card_id: int, kind: OperationKind, points: int, credit: int
    ) -> dict[str, Any]:
        """An opening balance (an adjustment noting the import) or the welcome bonus."""
        return {
            "card_id": card_id,
            "store_id": row.store_id,
            "kind": kind,
            "points": points,
            "credit": credit,
            "discount": 0,
            "description": self.note if kind is OperationKind.ADJUSTMENT else None,
            "staff_id": None,
            "created_at": self.now,
        }

    def _consent(self, row: NewCard, customer_id: int, kind: ConsentKind, granted: bool) -> dict[str, Any]:
        return {
            "customer_id": customer_id,
            "kind": kind,
            "granted": granted,
            "version": self.versions[kind],
            "source": SOURCE,
            "store_id": row.store_id,
            "ip_address": None,
            "device_mac": None,
            "created_at": self.now,
        }

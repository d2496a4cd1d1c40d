"""Points lapse when a card has had no activity for the merchant's `points_validity_months`: the
balance goes to zero through an `expiry` operation, so history and balances still agree."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..database import Database
from ..models import Card, Merchant, Operation, OperationKind
from . import utcnow
from .program import add_months

BATCH = 500


def _lapsed(card: Card, merchant: Merchant, now: datetime) -> bool:
    months = merchant.points_validity_months
    return bool(
        months
        and card.points > 0
        and card.last_activity_at
        and add_months(card.last_activity_at, months) <= now
    )


def expire_points(db: Database, now: datetime | None = None) -> int:
    """Expire what has lapsed at every merchant that expires points; returns the cards touched.
    Each card is re-checked under its row lock, so a purchase racing the job keeps its points."""
    now = now or utcnow()
    expired = 0
    after_id = 0
    while True:
        with db.read() as session:
            candidates = session.execute(
                select(Card.id, Merchant)
                .join(Merchant, Merchant.id == Card.merchant_id)
                .where(Merchant.points_validity_months.is_not(None), Card.points > 0, Card.id > after_id)
                .order_by(Card.id)
                .limit(BATCH)
            ).all()
        if not candidates:
            return expired
        for card_id, merchant in candidates:
            after_id = card_id
            with db.write() as session:
                card = session.get_one(Card, card_id, with_for_update=True)
                if not _lapsed(card, merchant, now):
                    continue
                session.add(
                    Operation(card_id=card.id, kind=OperationKind.EXPIRY, points=-card.points, created_at=now)
                )
                card.points = 0
                expired += 1

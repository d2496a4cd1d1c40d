"""What `core send-pushes` writes to Google, read when it is sent (so a patch carries the card as it
is then, however many changes queued it): the merchant's class, written again only when it
changed, and a card's object, with a notification asked for only while the pass has had fewer
than Google allows in the last 24 hours."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update

from ..database import Database
from ..models import GoogleWalletObject, GoogleWalletSettings, Merchant
from .wallet_google import Labels, loyalty_class, loyalty_object

NOTIFICATIONS_PER_DAY = 3  # Google's limit of update notifications per pass in 24 hours
DAY = timedelta(hours=24)


@dataclass(frozen=True)
class ClassToWrite:
    body: dict[str, object]
    digest: str
    written: bool  # Google has this very class already


@dataclass(frozen=True)
class ObjectToSend:
    body: dict[str, object]
    notify: bool


def _digest(body: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def class_to_write(db: Database, merchant_id: int, site_root: str, labels: Labels) -> ClassToWrite | None:
    """None: the merchant has no Google credentials (any more)."""
    with db.read() as session:
        settings = session.get(GoogleWalletSettings, merchant_id)
        if settings is None:
            return None
        body = loyalty_class(session.get_one(Merchant, merchant_id), settings.issuer_id, site_root, labels)
        digest = _digest(body)
        return ClassToWrite(body, digest, settings.class_digest == digest)


def class_written(db: Database, merchant_id: int, digest: str) -> None:
    with db.write() as session:
        session.execute(
            update(GoogleWalletSettings)
            .where(GoogleWalletSettings.merchant_id == merchant_id)
            .values(class_digest=digest)
        )


def recent(notified_at: list[str], now: datetime) -> list[str]:
    return [each for each in notified_at if datetime.fromisoformat(each) > now - DAY]


def object_to_send(db: Database, object_id: int, labels: Labels, now: datetime) -> ObjectToSend | None:
    """None: the merchant has no Google credentials (any more)."""
    with db.read() as session:
        google_object = session.get_one(GoogleWalletObject, object_id)
        merchant = session.get_one(Merchant, google_object.card.merchant_id)
        settings = session.get(GoogleWalletSettings, merchant.id)
        if settings is None:
            return None
        body = loyalty_object(session, merchant, settings.issuer_id, google_object, labels, now)
        notify = len(recent(google_object.notified_at, now)) < NOTIFICATIONS_PER_DAY
        return ObjectToSend(body, notify)


def notified(db: Database, object_id: int, now: datetime) -> None:
    """Google was asked to notify the holder: one of the day's few."""
    with db.write() as session:
        google_object = session.get_one(GoogleWalletObject, object_id, with_for_update=True)
        google_object.notified_at = [*recent(google_object.notified_at, now), now.isoformat()]

"""The durable queue of pushes to the devices that registered a pass, and of patches to the cards'
Google Wallet objects. Workers (`core send-pushes`) claim due pushes with a lease (SKIP LOCKED on
PostgreSQL), hand each to a sender, and settle the batch in one transaction: sent, retried with
back-off, given up, or, when APNs says the device is gone, removed with its registration."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select

from ..database import Database
from ..models import Card, GoogleWalletObject, WalletPass, WalletPush, WalletRegistration
from . import utcnow
from .mail_queue import backoff

LEASE = timedelta(minutes=5)
BATCH = 200
MAX_ATTEMPTS = 12  # about six hours of back-off: a pass update older than that is news to no one


class DeviceGone(Exception):
    """APNs answered that the token no longer reaches the device (410, or a bad token)."""


class PushRefused(Exception):
    """APNs refused this push for good: trying it again would not help."""


@dataclass(frozen=True)
class DuePush:
    """An Apple push (a registration and its device's token) or a Google patch (the object)."""

    id: int
    merchant_id: int
    registration_id: int | None = None
    push_token: str = ""
    google_object_id: int | None = None


@dataclass
class PushReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    gone: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed + self.gone


@dataclass
class _Outcomes:
    sent: list[int] = field(default_factory=list)
    retry: dict[int, str] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)
    gone: list[int] = field(default_factory=list)  # registration ids


def claim_due(db: Database, now: datetime, limit: int = BATCH) -> list[DuePush]:
    with db.write() as session:
        pushes = session.scalars(
            select(WalletPush)
            .where(
                WalletPush.sent_at.is_(None),
                WalletPush.failed_at.is_(None),
                WalletPush.next_attempt_at <= now,
                or_(WalletPush.locked_until.is_(None), WalletPush.locked_until <= now),
            )
            .order_by(WalletPush.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        if not pushes:
            return []
        for push in pushes:
            push.locked_until = now + LEASE
        apple = {
            row.id: (row.push_token, row.merchant_id)
            for row in session.execute(
                select(WalletRegistration.id, WalletRegistration.push_token, Card.merchant_id)
                .join(WalletPass, WalletPass.id == WalletRegistration.pass_id)
                .join(Card, Card.id == WalletPass.card_id)
                .where(WalletRegistration.id.in_({push.registration_id for push in pushes}))
            )
        }
        google_ids = {push.google_object_id for push in pushes if push.google_object_id is not None}
        google = (
            {
                row.id: row.merchant_id
                for row in session.execute(
                    select(GoogleWalletObject.id, Card.merchant_id)
                    .join(Card, Card.id == GoogleWalletObject.card_id)
                    .where(GoogleWalletObject.id.in_(google_ids))
                )
            }
            if google_ids
            else {}
        )
        due = []
        for push in pushes:
            if push.registration_id in apple:
                token, merchant_id = apple[push.registration_id]
                due.append(DuePush(push.id, merchant_id, push.registration_id, token))
            elif push.google_object_id in google:
                due.append(
                    DuePush(push.id, google[push.google_object_id], google_object_id=push.google_object_id)
                )
        return due


def _settle(db: Database, outcomes: _Outcomes, now: datetime) -> None:
    with db.write() as session:
        ids = [*outcomes.sent, *outcomes.retry, *outcomes.failed]
        pushes = {push.id: push for push in session.scalars(select(WalletPush).where(WalletPush.id.in_(ids)))}
        for push_id, push in pushes.items():
            push.locked_until = None
            push.attempts += 1
            if push_id in outcomes.sent:
                push.sent_at, push.last_error = now, None
            elif push_id in outcomes.failed or push.attempts >= MAX_ATTEMPTS:
                push.failed_at = now
                push.last_error = outcomes.failed.get(push_id) or outcomes.retry.get(push_id)
            else:
                push.next_attempt_at = now + backoff(push.attempts)
                push.last_error = outcomes.retry[push_id]
        if outcomes.gone:
            session.execute(delete(WalletPush).where(WalletPush.registration_id.in_(outcomes.gone)))
            session.execute(delete(WalletRegistration).where(WalletRegistration.id.in_(outcomes.gone)))


def _attempt(send: Callable[[DuePush], None], push: DuePush) -> Exception | None:
    try:
        send(push)
    except Exception as error:  # sorted out by deliver_due
        return error
    return None


def deliver_due(
    db: Database, send: Callable[[DuePush], None], now: datetime | None = None, limit: int = BATCH
) -> PushReport:
    """One batch of what is due now through `send`, one push after the other (httpx's HTTP/2
    connection is not safe to share between threads: run more workers for more pushes a second);
    DeviceGone removes the registration, PushRefused gives the push up, any other exception
    retries it later. A full batch (`handled == limit`) means more may be due."""
    now = now or utcnow()
    outcomes, report = _Outcomes(), PushReport()
    due = claim_due(db, now, limit)
    errors = [_attempt(send, push) for push in due]
    for push, error in zip(due, errors, strict=True):
        if error is None:
            outcomes.sent.append(push.id)
            report.sent += 1
        elif isinstance(error, DeviceGone) and push.registration_id is not None:
            outcomes.gone.append(push.registration_id)
            report.gone += 1
        elif isinstance(error, PushRefused):
            outcomes.failed[push.id] = str(error)[:2000]
            report.failed += 1
        else:  # any transport trouble: keep the push, try again later
            outcomes.retry[push.id] = f"{type(error).__name__}: {error}"[:2000]
            report.retrying += 1
    if report.handled:
        _settle(db, outcomes, now)
    return report

"""Durable outbound e-mail. A message is stored before anyone is told it was sent; workers claim
due messages with a lease (SKIP LOCKED on PostgreSQL), deliver, and retry with back-off. Its bodies
are stored sealed (mail_seal) and erased once it is delivered or given up: the row then keeps who
it went to, its subject and what became of it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..database import Database
from ..errors import Invalid
from ..models import OutboundMail
from . import utcnow
from .mail_seal import MailSeal, UnreadableMail

LEASE = timedelta(minutes=5)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
BATCH = 20


class PermanentFailure(Exception):
    """The server refused the message for good (e.g. 5xx for the recipient): do not retry."""


@dataclass(frozen=True)
class Letter:
    """A queued message opened for sending."""

    recipient: str
    subject: str
    text: str
    html: str | None
    reference: str  # the queue row's, the same at every attempt: the Message-ID is built on it


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed


def enqueue(
    db: Database,
    seal: MailSeal,
    recipient: str,
    subject: str,
    body_text: str,
    body_html: str | None = None,
    now: datetime | None = None,
) -> int:
    with db.write() as session:
        return enqueue_in(session, seal, recipient, subject, body_text, body_html, now)


def enqueue_in(
    session: Session,
    seal: MailSeal,
    recipient: str,
    subject: str,
    body_text: str,
    body_html: str | None = None,
    now: datetime | None = None,
) -> int:
    """Queued in the caller's transaction: the message goes if, and only if, what it tells of does."""
    if not recipient or "@" not in recipient or not subject.strip() or not body_text.strip():
        raise Invalid("invalid_mail", "A message needs a recipient address, a subject and a body.")
    now = now or utcnow()
    message = OutboundMail(
        recipient=recipient,
        subject=subject,
        body_text=seal.seal(body_text),
        body_html=None if body_html is None else seal.seal(body_html),
        created_at=now,
        next_attempt_at=now,
    )
    session.add(message)
    session.flush()
    return message.id


def backoff(attempts: int) -> timedelta:
    doublings = min(max(attempts - 1, 0), 20)  # beyond ~20 it is the cap anyway; keeps the number small
    return min(FIRST_RETRY * 2**doublings, LONGEST_RETRY)


def claim_due(db: Database, now: datetime, limit: int = BATCH) -> list[OutboundMail]:
    with db.write() as session:
        due = session.scalars(
            select(OutboundMail)
            .where(
                OutboundMail.sent_at.is_(None),
                OutboundMail.failed_at.is_(None),
                OutboundMail.next_attempt_at <= now,
                or_(
                    OutboundMail.locked_until.is_(None),
                    OutboundMail.locked_until <= now,
                ),
            )
            .order_by(OutboundMail.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for message in due:
            message.locked_until = now + LEASE
        return list(due)


def _settle(db: Database, message_id: int, now: datetime, error: Exception | None) -> None:
    with db.write() as session:
        message = session.get_one(OutboundMail, message_id)
        message.locked_until = None
        message.attempts += 1
        if error is None or isinstance(error, PermanentFailure):
            message.body_text, message.body_html = "", None  # its links are no one's business now
        if error is None:
            message.sent_at = now
            message.last_error = None
        elif isinstance(error, PermanentFailure):
            message.failed_at = now
            message.last_error = str(error)[:2000]
        else:
            message.next_attempt_at = now + backoff(message.attempts)
            message.last_error = f"{type(error).__name__}: {error}"[:2000]


def _opened(seal: MailSeal, message: OutboundMail) -> Letter:
    try:
        text = seal.open(message.body_text)
        html = None if message.body_html is None else seal.open(message.body_html)
    except UnreadableMail as error:
        raise PermanentFailure(f"The bodies cannot be opened with this key: {error}") from error
    reference = f"{message.id}.{message.created_at:%Y%m%d%H%M%S%f}"
    return Letter(message.recipient, message.subject, text, html, reference)


def deliver_due(
    db: Database,
    seal: MailSeal,
    send: Callable[[Letter], None],
    now: datetime | None = None,
    limit: int = BATCH,
) -> DeliveryReport:
    """Deliver one batch of what is due now through `send`; an exception from it schedules a
    retry. A full batch (`handled == limit`) means more may be due."""
    now = now or utcnow()
    report = DeliveryReport()
    for message in claim_due(db, now, limit):
        try:
            send(_opened(seal, message))
        except PermanentFailure as error:
            _settle(db, message.id, now, error)
            report.failed += 1
        except Exception as error:  # any transport trouble: keep the message, try again later
            _settle(db, message.id, now, error)
            report.retrying += 1
        else:
            _settle(db, message.id, now, None)
            report.sent += 1
    return report

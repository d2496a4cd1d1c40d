"""Staff invited by e-mail: the admin names the person, their level and store, and never chooses
or sees a password; the account has none until its owner chooses one through the mailed link. The
link is a staff link (services/staff_reset) of its own kind: resending moves the account's
credentials version on, so only the latest link works; joining moves it again, so it works once.
The admin also sends an active member a reset link. Each message is queued in the transaction that
makes it true (an invitation with its account), built by the caller's `Compose` (the e-mail's
words and link are the web layer's)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from passlib.context import CryptContext
from sqlalchemy.orm import Session

from ..database import Database
from ..errors import Conflict
from ..models import Staff, StaffLevel
from .mail_queue import enqueue_in
from .mail_seal import MailSeal
from .staff import NewStaff, StaffScope, add_account, get_staff
from .staff_reset import RESET, LinkKind, account_for_token, reset_password, reset_token

SALT = "staff-invitation"


@dataclass(frozen=True)
class Letter:
    subject: str
    text: str
    html: str


Compose = Callable[[Staff, str], Letter]  # the account and its link's token → the message


@dataclass(frozen=True)
class Mailer:
    """What sending a staff link needs: the key links are signed with, the queue's seal, the
    invitation's lifetime, and the messages' builders."""

    secret_key: str | bytes
    seal: MailSeal
    invitation_lifetime: timedelta
    invitation: Compose
    reset: Compose

    def send(self, session: Session, staff: Staff, compose: Compose, kind: LinkKind) -> None:
        letter = compose(staff, reset_token(self.secret_key, staff, kind))
        enqueue_in(session, self.seal, staff.email, letter.subject, letter.text, letter.html)


def invite_staff(session: Session, mailer: Mailer, scope: StaffScope, new: NewStaff) -> Staff:
    """The account, without a password, and its invitation queued."""
    staff = add_account(session, scope, new, None)
    mailer.send(session, staff, mailer.invitation, invitation_kind(mailer.invitation_lifetime))
    return staff


def _member(session: Session, scope: StaffScope, staff_id: int) -> Staff:
    scope.require(StaffLevel.ADMIN)
    staff = get_staff(session, scope, staff_id)
    session.refresh(staff, with_for_update={"of": Staff})  # one resend or join at a time
    if staff.disabled_at is not None:
        raise Conflict("member_switched_off", "This account is switched off: switch it on first.")
    return staff


def resend_invitation(session: Session, mailer: Mailer, scope: StaffScope, staff_id: int) -> Staff:
    """A new invitation; the earlier links stop working."""
    staff = _member(session, scope, staff_id)
    if not staff.invited:
        raise Conflict("already_joined", "This person has joined already: send a reset link instead.")
    staff.credentials_version += 1
    session.flush()
    mailer.send(session, staff, mailer.invitation, invitation_kind(mailer.invitation_lifetime))
    return staff


def send_reset_link(session: Session, mailer: Mailer, scope: StaffScope, staff_id: int) -> Staff:
    """The reset e-mail "forgot your password" sends; the password works until the link is used."""
    staff = _member(session, scope, staff_id)
    if staff.invited:
        raise Conflict("not_joined", "This person has not joined yet: send the invitation again instead.")
    mailer.send(session, staff, mailer.reset, RESET)
    return staff


def invitation_kind(lifetime: timedelta) -> LinkKind:
    return LinkKind(SALT, int(lifetime.total_seconds()))


def invited_account(db: Database, secret_key: str | bytes, token: str, lifetime: timedelta) -> Staff:
    """The account an invitation was sent for, while the link works."""
    return account_for_token(db, secret_key, token, invitation_kind(lifetime))


def join(
    db: Database,
    hasher: CryptContext,
    secret_key: str | bytes,
    token: str,
    password: str,
    lifetime: timedelta,
) -> Staff:
    """The invited person's own password. The link is spent: the version moves on under the
    account's lock, so of two joins with one link only the first sets a password."""
    return reset_password(db, hasher, secret_key, token, password, invitation_kind(lifetime))

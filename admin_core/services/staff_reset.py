"""Links mailed to staff: a new password for one who forgot theirs, and the first one for one who
was invited (services/staff_invitations). A link is signed with the core's secret key, with a salt
per kind, over the account and its credentials version, so nothing is stored: it works for its
kind's lifetime, and once, since choosing the password moves the version on (as switching the
account off or resetting its two-factor does)."""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from passlib.context import CryptContext

from ..database import Database
from ..errors import Gone
from ..models import Staff
from .portal_auth import check_password_rules
from .staff import find_staff_by_login

SALT = "staff-password-reset"
LINK_LIFETIME = 60 * 60  # seconds


@dataclass(frozen=True)
class LinkKind:
    salt: str
    lifetime: int  # seconds


RESET = LinkKind(SALT, LINK_LIFETIME)


def _serializer(secret_key: str | bytes, kind: LinkKind) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=kind.salt)


def account_to_reset(db: Database, merchant: str, email: str) -> Staff | None:
    """The account that logs in at `merchant` with `email`, unless there is none or it is switched
    off. Only that merchant's: another merchant's account at the same address gets no link."""
    with db.read() as session:
        staff = find_staff_by_login(session, merchant, email)
    return staff if staff is not None and staff.disabled_at is None else None


def reset_token(secret_key: str | bytes, staff: Staff, kind: LinkKind = RESET) -> str:
    return _serializer(secret_key, kind).dumps([staff.id, staff.credentials_version])


def _ticket(secret_key: str | bytes, token: str, kind: LinkKind) -> tuple[int, int]:
    try:
        staff_id, version = _serializer(secret_key, kind).loads(token, max_age=kind.lifetime)
    except SignatureExpired:
        raise Gone("token_expired", "This link has expired.") from None
    except (BadSignature, TypeError, ValueError):
        raise Gone("token_invalid", "This link is not valid.") from None
    return int(staff_id), int(version)


def _check(staff: Staff | None, version: int) -> Staff:
    if staff is None:
        raise Gone("token_invalid", "This link is not valid.")
    if staff.disabled_at is not None:
        raise Gone("account_switched_off", "This account is switched off.")
    if staff.credentials_version != version:
        raise Gone("token_used", "This link was used already.")
    return staff


def account_for_token(db: Database, secret_key: str | bytes, token: str, kind: LinkKind = RESET) -> Staff:
    """The account a link was sent for, while the link still works."""
    staff_id, version = _ticket(secret_key, token, kind)
    with db.read() as session:
        return _check(session.get(Staff, staff_id), version)


def reset_password(
    db: Database,
    hasher: CryptContext,
    secret_key: str | bytes,
    token: str,
    new: str,
    kind: LinkKind = RESET,
) -> Staff:
    """Set the password a link's holder chose. Every session of the account ends, and the link with
    them; two-factor, where it is on, is still asked at the next login. Two holders of one link at
    once: the account's row lock makes the second find the version moved on (`token_used`)."""
    staff_id, version = _ticket(secret_key, token, kind)
    check_password_rules(new)
    password_hash = hasher.hash(new)  # before the row is locked: hashing is the slow part
    with db.write() as session:
        staff = _check(session.get(Staff, staff_id, with_for_update={"of": Staff}), version)
        staff.password_hash = password_hash
        staff.credentials_version += 1
    return staff

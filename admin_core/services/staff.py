"""Staff accounts: who may do what at which store. A merchant's admin sees every store; a manager or
a user sees one. Services that act for staff take their `StaffScope` and refuse what lies outside
it, so the web UI and the API cannot differ on it."""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import datetime

import pyotp
from passlib.context import CryptContext
from sqlalchemy import select
from sqlalchemy.orm import Session

from loyalty_common.error_codes import Code

from ..database import Database
from ..errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from ..models import Merchant, Staff, StaffLevel, Store
from . import unique_or, utcnow
from .merchants import find_store, require_active
from .portal_auth import check_password_rules, email_address
from .signup import customer_name, phone_number

TOTP_ISSUER = "loyalty-portal"
TOTP_WINDOW = 1  # one 30-second step either side: phones' clocks drift
CODE = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class StaffScope:
    """What one staff member (or a merchant's API key: `staff_id` None, every store) may reach."""

    merchant_id: int
    staff_id: int | None
    level: StaffLevel
    store_id: int | None  # None: every store of the merchant

    @classmethod
    def of(cls, staff: Staff) -> StaffScope:
        return cls(staff.merchant_id, staff.id, staff.level, staff.store_id)

    @classmethod
    def merchant(cls, merchant_id: int) -> StaffScope:
        return cls(merchant_id, None, StaffLevel.ADMIN, None)

    @property
    def every_store(self) -> bool:
        return self.store_id is None

    def require(self, *levels: StaffLevel) -> None:
        if self.level not in levels:
            raise Forbidden("not_allowed", "Your level does not allow this.")

    def store(self, session: Session, code: str | None) -> Store | None:
        """The store `code` names, when it is within reach; without a code, one's own store (None
        for an admin: every store). Another store, or another merchant's: NotFound, the same
        answer as no such store, so that nothing is learnt about it."""
        if code is None:
            return session.get(Store, self.store_id) if self.store_id is not None else None
        found = find_store(session, self.merchant_id, code)
        if found is None or (self.store_id is not None and found.id != self.store_id):
            raise NotFound("unknown_store", "No such store.")
        return found

    def store_at_till(self, session: Session, code: str | None) -> Store:
        """The store something is recorded at (`code`'s, within reach; without one, one's own):
        Invalid `store_required` for an admin who names none, Conflict `store_inactive` for a
        switched-off store."""
        store = self.store(session, code)
        if store is None:
            raise Invalid("store_required", "Choose the store this happens at.")
        return require_active(store)

    def stores(self, session: Session) -> list[Store]:
        query = select(Store).where(Store.merchant_id == self.merchant_id).order_by(Store.code)
        if self.store_id is not None:
            query = query.where(Store.id == self.store_id)
        return list(session.scalars(query))


@dataclass(frozen=True)
class NewStaff:
    first_name: str
    last_name: str
    email: str
    password: str | None  # None: invited, to choose their own (services/staff_invitations)
    level: StaffLevel
    store: str | None  # a store code; None only for an admin
    phone: str | None = None


def add_account(session: Session, scope: StaffScope, new: NewStaff, password_hash: str | None) -> Staff:
    """The account `new` describes, checked and added in the caller's transaction. Only a
    merchant's admin creates accounts: a manager or user for one store, or another admin."""
    scope.require(StaffLevel.ADMIN)
    first = customer_name(new.first_name, "invalid_first_name", "first name")
    last = customer_name(new.last_name, "invalid_last_name", "last name")
    email = email_address(new.email)
    phone = phone_number(new.phone)
    if (new.level is StaffLevel.ADMIN) != (new.store is None):
        raise Invalid("store_required", "A manager or user works at one store; an admin at none.")
    store = scope.store(session, new.store) if new.store is not None else None
    staff = Staff(
        merchant_id=scope.merchant_id,
        store_id=store.id if store else None,
        level=new.level,
        first_name=first,
        last_name=last,
        phone=phone,
        email=email,
        password_hash=password_hash,
        created_at=utcnow(),
    )
    # Unique per merchant only: another merchant's staff with this address stay unknown here.
    with unique_or(session, Conflict("staff_exists", "An account with this e-mail address exists already.")):
        session.add(staff)
    return staff


def password_hash_of(hasher: CryptContext, new: NewStaff) -> str:
    """The hash of the password the account's creator chose (the API's, when it sends one)."""
    check_password_rules(new.password or "")
    return hasher.hash(new.password or "")


def create_staff(db: Database, hasher: CryptContext, scope: StaffScope, new: NewStaff) -> Staff:
    scope.require(StaffLevel.ADMIN)
    password_hash = password_hash_of(hasher, new)
    with db.write() as session:
        staff_id = add_account(session, scope, new, password_hash).id
    with db.read() as session:
        return get_staff(session, scope, staff_id)


@dataclass(frozen=True)
class StaffDetails:
    """What the admin may change of an account: the e-mail (the login) and the password are its
    owner's."""

    first_name: str
    last_name: str
    level: StaffLevel
    store: str | None  # a store code; None only for an admin
    phone: str | None = None

    @classmethod
    def of(cls, staff: Staff) -> StaffDetails:
        return cls(
            staff.first_name,
            staff.last_name,
            staff.level,
            staff.store.code if staff.store else None,
            staff.phone,
        )


def change_staff(db: Database, scope: StaffScope, staff_id: int, details: StaffDetails) -> Staff:
    """The admin moves someone to another store or level, or corrects their name or phone. Their
    open sessions see the new level and store at their next page. One's own level and store stay:
    a merchant is never left without an admin by a slip."""
    scope.require(StaffLevel.ADMIN)
    first = customer_name(details.first_name, "invalid_first_name", "first name")
    last = customer_name(details.last_name, "invalid_last_name", "last name")
    phone = phone_number(details.phone)
    if (details.level is StaffLevel.ADMIN) != (details.store is None):
        raise Invalid("store_required", "A manager or user works at one store; an admin at none.")
    with db.write() as session:
        staff = get_staff(session, scope, staff_id)
        store = scope.store(session, details.store) if details.store is not None else None
        if staff.id == scope.staff_id and (details.level, store) != (staff.level, staff.store):
            raise Invalid("own_level", "You cannot change your own level or store.")
        staff.first_name, staff.last_name, staff.phone = first, last, phone
        staff.level, staff.store_id, staff.store = details.level, store.id if store else None, store
    with db.read() as session:
        return get_staff(session, scope, staff_id)


def list_staff(session: Session, scope: StaffScope) -> list[Staff]:
    scope.require(StaffLevel.ADMIN, StaffLevel.MANAGER)
    query = select(Staff).where(Staff.merchant_id == scope.merchant_id).order_by(Staff.last_name, Staff.id)
    if scope.store_id is not None:
        query = query.where(Staff.store_id == scope.store_id)
    return list(session.scalars(query))


def get_staff(session: Session, scope: StaffScope, staff_id: int) -> Staff:
    staff = session.get(Staff, staff_id)
    if staff is None or staff.merchant_id != scope.merchant_id:
        raise NotFound("staff_not_found", "No such staff member.")
    if scope.store_id is not None and staff.store_id != scope.store_id and staff.id != scope.staff_id:
        raise NotFound("staff_not_found", "No such staff member.")
    return staff


def set_staff_disabled(db: Database, scope: StaffScope, staff_id: int, disabled: bool) -> Staff:
    scope.require(StaffLevel.ADMIN)
    if staff_id == scope.staff_id:
        raise Invalid("not_yourself", "You cannot switch off your own account.")
    with db.write() as session:
        staff = get_staff(session, scope, staff_id)
        staff.disabled_at = (staff.disabled_at or utcnow()) if disabled else None
        staff.credentials_version += 1  # their sessions end
    return staff


def reset_two_factor(db: Database, scope: StaffScope, staff_id: int) -> Staff:
    """A lost phone: the admin switches the account's two-factor off; it is set up again at login."""
    scope.require(StaffLevel.ADMIN)
    with db.write() as session:
        staff = get_staff(session, scope, staff_id)
        staff.totp_secret, staff.totp_enabled_at = None, None
        staff.credentials_version += 1
    return staff


def find_staff_by_login(session: Session, merchant: str, email: str) -> Staff | None:
    """The account that logs in at `merchant` (its slug) with `email`, however they are typed. An
    address names one account per merchant only: other merchants' staff may use it too."""
    return session.scalar(
        select(Staff)
        .join(Staff.merchant)
        .where(Merchant.slug == merchant.strip().lower(), Staff.email == email.strip().lower())
    )


def _refuse_switched_off(staff: Staff) -> None:
    if staff.disabled_at is not None:
        raise Forbidden("account_switched_off", "This account is switched off.")


def authenticate_staff(db: Database, hasher: CryptContext, merchant: str, email: str, password: str) -> Staff:
    """The account, when the password is right; Unauthorized otherwise, the same for an unknown
    merchant or address (after the same hashing work). Forbidden when it is switched off: said only
    to whoever knows its password, so that a guess learns nothing of the account."""
    with db.read() as session:
        staff = find_staff_by_login(session, merchant, email)
    if staff is None or staff.password_hash is None:
        hasher.dummy_verify()  # an unknown (or not yet joined) address costs what a known one does
    if staff is None or staff.password_hash is None or not hasher.verify(password, staff.password_hash):
        raise Unauthorized("wrong_credentials", "The merchant, the e-mail address or the password is wrong.")
    _refuse_switched_off(staff)
    return staff


def record_login(db: Database, staff_id: int, now: datetime | None = None) -> None:
    with db.write() as session:
        staff = session.get_one(Staff, staff_id)
        staff.last_login_at = now or utcnow()


def change_staff_password(db: Database, hasher: CryptContext, staff_id: int, current: str, new: str) -> Staff:
    check_password_rules(new)
    with db.write() as session:
        staff = session.get_one(Staff, staff_id, with_for_update={"of": Staff})
        if staff.password_hash is None or not hasher.verify(current, staff.password_hash):
            raise Unauthorized(Code.WRONG_PASSWORD, "The password is wrong.")
        staff.password_hash = hasher.hash(new)
        staff.credentials_version += 1
    return staff


def totp_uri(staff: Staff, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(
        name=staff.email, issuer_name=f"{TOTP_ISSUER} {staff.merchant.name}"
    )


def new_totp_secret() -> str:
    return pyotp.random_base32()


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The 30-second step whose code this is (one step either side is allowed), or None."""
    code = "".join(code.split())
    if not CODE.match(code):
        return None
    totp = pyotp.TOTP(secret)
    step = totp.timecode(now)
    for candidate in range(step - TOTP_WINDOW, step + TOTP_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def _use_code(staff: Staff, secret: str, code: str, now: datetime) -> str | None:
    """Uses `code` up when it is right and newer than the last one used (the caller holds the staff
    row's lock and commits); else why not: `wrong_code`, or `code_used` (the app still shows the
    code of a login a moment ago)."""
    step = _matching_step(secret, code, now)
    if step is None:
        return "wrong_code"
    if staff.totp_last_step is not None and step <= staff.totp_last_step:
        return "code_used"
    staff.totp_last_step = step
    return None


CODE_REFUSALS = {
    "wrong_code": "This code is not the one your app shows.",
    "code_used": "This code was just used; wait for the next one.",
}


def enable_two_factor(
    db: Database, staff_id: int, secret: str, code: str, now: datetime | None = None
) -> Staff:
    """Switch two-factor on with the secret the staff member's app was shown, once it gives a
    right code (so a mistyped set-up cannot lock them out)."""
    with db.write() as session:
        staff = session.get_one(Staff, staff_id, with_for_update={"of": Staff})
        staff.totp_last_step = None
        refused = _use_code(staff, secret, code, now or utcnow())
        if refused:
            raise Invalid(refused, CODE_REFUSALS[refused])
        staff.totp_secret, staff.totp_enabled_at = secret, now or utcnow()
    return staff


def check_second_factor(
    db: Database, staff_id: int, version: int, code: str, now: datetime | None = None
) -> Staff:
    """The staff member who passed the password at `version` of their credentials, when `code` is
    their app's current one and was not used before (a code seen over someone's shoulder is
    spent). Switched off meanwhile: Forbidden; their password or two-factor changed: log in again."""
    with db.write() as session:
        staff = session.get(Staff, staff_id, with_for_update={"of": Staff})
        if staff is None:
            raise Unauthorized("login_again", "Log in again.")
        _refuse_switched_off(staff)
        if staff.credentials_version != version:
            raise Unauthorized("login_again", "Log in again.")
        if staff.totp_secret is None:
            raise Unauthorized("wrong_code", CODE_REFUSALS["wrong_code"])
        refused = _use_code(staff, staff.totp_secret, code, now or utcnow())
        if refused:
            raise Unauthorized(refused, CODE_REFUSALS[refused])
    return staff

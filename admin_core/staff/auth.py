"""Who is using the staff UI, and what their level lets them open."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any, TypeVar

from flask import abort, redirect, session, url_for
from flask_login import UserMixin, current_user, login_required
from sqlalchemy import select

from ..context import current_core
from ..models import Staff, StaffLevel
from ..services.sessions import end_session, is_ended, new_session_id
from ..services.staff import StaffScope

View = TypeVar("View", bound=Callable[..., Any])
SESSION_VERSION = "staff_version"  # the credentials version the session began with
SESSION_ID = "staff_session"  # random: logging out ends this session, wherever its cookie is
STARTED = "staff_started"  # seconds since the epoch: the session ends STAFF_SESSION_LIFETIME later
VERIFIED = "staff_verified"  # past two-factor, or not asked for it


class StaffUser(UserMixin):
    def __init__(self, staff: Staff) -> None:
        self.staff = staff
        self.id = staff.id

    def get_id(self) -> str:
        return str(self.staff.id)


def begin_session(staff: Staff) -> None:
    session[SESSION_VERSION] = staff.credentials_version
    session[SESSION_ID] = new_session_id()
    session[STARTED] = int(time.time())


def _expires_at() -> float:
    return int(session.get(STARTED, 0)) + current_core().settings.staff_session_lifetime.total_seconds()


def load_staff(staff_id: str) -> StaffUser | None:
    """The session's staff member, while the account is on, its password and two-factor set-up
    are the ones the session began with, the session was not logged out and is younger than its
    lifetime. Remember-me cookies are never set, and one would bring no session with it."""
    session_id = session.get(SESSION_ID)
    if not (staff_id.isdigit() and isinstance(session_id, str) and time.time() < _expires_at()):
        return None
    with current_core().db.read() as db_session:
        found = db_session.execute(
            select(Staff, is_ended(session_id)).where(Staff.id == int(staff_id))
        ).first()
    if found is None:
        return None
    staff, ended = found
    if ended or staff.disabled_at is not None or session.get(SESSION_VERSION) != staff.credentials_version:
        return None
    return StaffUser(staff)


def end_staff_session() -> None:
    """Logging out: this session is refused from now on, wherever its cookie was copied."""
    session_id = session.get(SESSION_ID)
    if isinstance(session_id, str):
        end_session(current_core().db, session_id, datetime.fromtimestamp(_expires_at(), UTC))


def current_staff() -> Staff:
    staff: Staff = current_user.staff
    return staff


def current_scope() -> StaffScope:
    return StaffScope.of(current_staff())


def staff_required(*levels: StaffLevel) -> Callable[[View], View]:
    """Logged in (with two-factor where the account or the merchant asks for it), and of one of
    `levels` (any level when none is given): else the login page, or 403."""

    def decorate(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            staff = current_staff()
            if not session.get(VERIFIED) or (
                staff.merchant.staff_2fa_required and staff.totp_enabled_at is None
            ):
                # The merchant asks for two-factor (perhaps since this session began): set it up.
                session[VERIFIED] = False
                return redirect(url_for("staff.two_factor"))
            if levels and current_staff().level not in levels:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate

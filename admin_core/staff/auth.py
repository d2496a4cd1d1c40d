"""Who is using the staff UI, and what their level lets them open."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, redirect, session, url_for
from flask_login import UserMixin, current_user, login_required

from ..context import current_core
from ..models import Staff, StaffLevel
from ..services.staff import StaffScope

View = TypeVar("View", bound=Callable[..., Any])
SESSION_VERSION = "staff_version"  # the credentials version the session began with
VERIFIED = "staff_verified"  # past two-factor, or not asked for it


class StaffUser(UserMixin):
    def __init__(self, staff: Staff) -> None:
        self.staff = staff
        self.id = staff.id

    def get_id(self) -> str:
        return str(self.staff.id)


def load_staff(staff_id: str) -> StaffUser | None:
    """The session's staff member, while the account is on and its password and two-factor set-up
    are the ones the session began with."""
    with current_core().db.read() as db_session:
        staff = db_session.get(Staff, int(staff_id)) if staff_id.isdigit() else None
    if staff is None or staff.disabled_at is not None:
        return None
    if session.get(SESSION_VERSION) != staff.credentials_version:
        return None
    return StaffUser(staff)


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

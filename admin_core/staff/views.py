"""Logging in (password, then the authenticator's code where two-factor is on or required), out,
and one's own account."""

from __future__ import annotations

import logging

import segno
from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from markupsafe import escape
from werkzeug.wrappers import Response

from loyalty_common.rules import LOCALES

from ..context import current_core
from ..errors import Forbidden, Invalid, Unauthorized
from ..models import Staff
from ..services import staff as staff_service
from .auth import (
    SESSION_VERSION,
    VERIFIED,
    StaffUser,
    begin_session,
    current_staff,
    end_staff_session,
    staff_required,
)
from .blueprint import bp
from .forms import CodeForm, LoginForm, PasswordChangeForm
from .messages import refusal

PENDING = "staff_pending"  # passed the password, waiting for the code
SETUP_SECRET = "staff_totp_setup"


def start_session(staff: Staff, verified: bool) -> Response:
    session.clear()
    begin_session(staff)
    session[VERIFIED] = verified
    login_user(StaffUser(staff))
    staff_service.record_login(current_core().db, staff.id)
    return redirect(url_for(".home") if verified else url_for(".two_factor"))


# Refused logins, codes and reset links, for whoever watches the server's log (no addresses, no
# passwords, no codes: the merchant, the account's id, the reason; the request id names the rest).
security_log = logging.getLogger("admin_core.security")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    form = LoginForm(merchant=request.args.get("merchant"))
    if form.validate_on_submit():
        core = current_core()
        try:
            staff = staff_service.authenticate_staff(
                core.db,
                core.passwords,
                form.merchant.data or "",
                form.email.data or "",
                form.password.data or "",
            )
        except Unauthorized:
            security_log.warning("Staff login refused at merchant %r: wrong credentials", form.merchant.data)
            form.form_errors.append(_("The merchant, the e-mail address or the password is wrong."))
            return render_template("staff/login.html", form=form), 401
        except Forbidden as error:  # switched off: said once the password is right
            security_log.warning("Staff login refused at merchant %r: %s", form.merchant.data, error.code)
            form.form_errors.append(refusal(error))
            return render_template("staff/login.html", form=form), 403
        if staff.totp_enabled_at is not None:
            session.clear()
            session[PENDING] = (staff.id, staff.credentials_version)
            return redirect(url_for(".login_code"))
        return start_session(staff, verified=not staff.merchant.staff_2fa_required)
    return render_template("staff/login.html", form=form)


@bp.route("/login/code", methods=["GET", "POST"])
def login_code() -> Response | str | tuple[str, int]:
    pending = session.get(PENDING)
    if not pending:
        return redirect(url_for(".login"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            staff = staff_service.check_second_factor(
                current_core().db, pending[0], pending[1], form.code.data or ""
            )
        except Unauthorized as error:
            security_log.warning("Two-factor login refused for staff %s: %s", pending[0], error.code)
            form.code.errors.append(refusal(error))
            return render_template("staff/code.html", form=form), 401
        except Forbidden as error:
            security_log.warning("Two-factor login refused for staff %s: %s", pending[0], error.code)
            form.form_errors.append(refusal(error))
            return render_template("staff/code.html", form=form), 403
        return start_session(staff, verified=True)
    return render_template("staff/code.html", form=form)


@bp.route("/two-factor", methods=["GET", "POST"])
@login_required
def two_factor() -> Response | str | tuple[str, int]:
    """Set up the authenticator app: scan the code, type what it shows."""
    staff = current_staff()
    secret = session.get(SETUP_SECRET) or staff_service.new_totp_secret()
    session[SETUP_SECRET] = secret
    form = CodeForm()
    if form.validate_on_submit():
        try:
            staff = staff_service.enable_two_factor(current_core().db, staff.id, secret, form.code.data or "")
        except Invalid as error:
            security_log.warning("Two-factor set-up refused for staff %s: %s", staff.id, error.code)
            form.code.errors.append(refusal(error))
        else:
            session.pop(SETUP_SECRET)
            session[VERIFIED] = True
            flash(_("Two-factor login is on."), "success")
            return redirect(url_for(".home"))
    label = escape(_("QR code for your authenticator app"))
    qr = segno.make(staff_service.totp_uri(staff, secret), micro=False)
    # A viewBox and no fixed size (omitsize): the CSS's width scales the whole code, quiet zone
    # included, instead of cropping a drawing of fixed pixels.
    picture = qr.svg_inline(omitsize=True, svgclass="qr").replace(
        "<svg ", f'<svg role="img" aria-label="{label}" ', 1
    )
    status = 422 if form.errors else 200
    return render_template("staff/two_factor.html", form=form, qr=picture, secret=secret), status


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    end_staff_session()
    logout_user()
    session.clear()
    return redirect(url_for(".login"))


@bp.route("/account", methods=["GET", "POST"])
@staff_required()
def account() -> Response | str | tuple[str, int]:
    form = PasswordChangeForm()
    if form.validate_on_submit():
        core = current_core()
        try:
            staff = staff_service.change_staff_password(
                core.db, core.passwords, current_staff().id, form.current.data or "", form.new.data or ""
            )
        except Unauthorized:
            form.current.errors.append(_("The password is wrong."))
            # 401: counts with the account's failed logins (limits.ACCOUNT)
            return render_template("staff/account.html", form=form), 401
        except Invalid:
            form.new.errors.append(_("This password cannot be used. Choose another one."))
        else:
            session[SESSION_VERSION] = staff.credentials_version  # this session goes on; others end
            flash(_("Your password is changed."), "success")
            return redirect(url_for(".account"))
    return render_template("staff/account.html", form=form), 422 if form.errors else 200


@bp.route("/language", methods=["POST"])
def language() -> Response:
    chosen = request.form.get("lang")
    if chosen in LOCALES:
        session["staff_locale"] = chosen
    return redirect(url_for(".home") if current_user.is_authenticated else url_for(".login"))

"""Forgot your password? A link by e-mail, then a new password. The answer to the request is the
same whether an account uses the address or not, so the form tells nobody who works where."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ..context import current_core
from ..errors import Gone, Invalid
from ..models import Staff
from ..services import mail_queue, staff_reset
from .blueprint import bp
from .forms import ForgotPasswordForm, NewPasswordForm
from .mails import reset_letter
from .views import security_log


def _send_link(staff: Staff) -> None:
    letter = reset_letter(staff, staff_reset.reset_token(current_app.secret_key or "", staff))
    core = current_core()
    mail_queue.enqueue(core.db, core.mail_seal, staff.email, letter.subject, letter.text, letter.html)


@bp.route("/login/forgot", methods=["GET", "POST"])
def forgot_password() -> Response | str:
    form = ForgotPasswordForm(merchant=request.args.get("merchant"))
    if form.validate_on_submit():
        merchant = form.merchant.data or ""
        staff = staff_reset.account_to_reset(current_core().db, merchant, form.email.data or "")
        if staff is not None:
            _send_link(staff)
        flash(
            _(
                "If an account logs in with %(email)s, a link to choose a new password is on its way"
                " there. It works for one hour.",
                email=form.email.data,
            ),
            "success",
        )
        return redirect(url_for(".login", merchant=merchant))
    return render_template("staff/forgot.html", form=form)


@bp.route("/login/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Response | str | tuple[str, int]:
    core = current_core()
    secret = current_app.secret_key or ""
    form = NewPasswordForm()
    try:
        staff_reset.account_for_token(core.db, secret, token)
        if form.validate_on_submit():
            staff = staff_reset.reset_password(core.db, core.passwords, secret, token, form.new.data or "")
            flash(_("Your password is changed. Log in with it."), "success")
            return redirect(url_for(".login", merchant=staff.merchant.slug))
    except Gone as error:
        security_log.warning("Staff password reset link refused: %s", error.code)
        return render_template("staff/reset_gone.html", code=error.code), 410
    except Invalid:
        form.new.errors.append(_("This password cannot be used. Choose another one."))
    return render_template("staff/reset.html", form=form), 422 if form.errors else 200

"""Forgotten password: the customer types their e-mail address and gets, for each card with that
address, a one-time link to choose a new password.

The page answers the same whether the address is known or not; only its owner learns, by e-mail.
A card that has no password yet gets a pointer to activation in that e-mail instead of a link."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from admin_api_client import Gone, Invalid
from loyalty_common.error_codes import PASSWORD_REFUSED

from ..core import merchant_core
from ..limits import limit_by_email_and_ip
from .blueprint import bp
from .emails import send_reset_email
from .reset_forms import NewPasswordForm, ResetForm
from .session import start_session


def _link_invalid() -> tuple[str, int]:
    return render_template("customer/link_invalid.html", again=url_for(".reset")), 410


@bp.route("/reset", methods=["GET", "POST"])
@limit_by_email_and_ip
def reset() -> str:
    form = ResetForm()
    if form.validate_on_submit():
        ticket = merchant_core().account.start_reset(form.email.data or "")
        if ticket is not None:
            send_reset_email(ticket)
        return render_template("customer/reset_sent.html", email=form.email.data)
    return render_template("customer/reset.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_complete(token: str) -> str | Response | tuple[str, int]:
    """Opening the link shows the form (or says at once that the link no longer works); sending
    it sets the password, which ends every other session, and logs this one in."""
    form = NewPasswordForm()
    client = merchant_core()
    if form.validate_on_submit():
        try:
            card = client.account.complete_reset(token, form.password.data or "")
        except Gone:
            return _link_invalid()
        except Invalid as error:
            if error.code not in PASSWORD_REFUSED:
                return _link_invalid()
            form.password.errors.append(_("This password cannot be used. Choose another one."))
            return render_template("customer/reset_password.html", form=form), 422
        start_session(card)
        flash(_("Your new password is set. Welcome back!"), "success")
        return redirect(url_for(".dashboard"))
    if request.method == "GET":
        try:
            client.account.check_link(token, "reset")
        except (Gone, Invalid):
            return _link_invalid()
        return render_template("customer/reset_password.html", form=form)
    return render_template("customer/reset_password.html", form=form), 422

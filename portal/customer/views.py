"""Customer portal pages: thin views over the core client."""

from __future__ import annotations

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from admin_api_client import ActiveCardNotice, Conflict, Gone, Invalid, Unauthorized

from ..core import merchant_core
from ..limits import limit_by_card_and_ip, limit_login
from .blueprint import bp
from .emails import send_activation_email, send_activation_refused_email
from .forms import ActivationForm, ConfirmForm, LoginForm
from .session import customer_required, end_session, is_customer, safe_next, start_session


@bp.route("/")
@customer_required
def dashboard() -> str:
    summary = merchant_core().card_dashboard(current_user.number)
    return render_template("customer/dashboard.html", summary=summary, card=summary.card)


@bp.route("/login", methods=["GET", "POST"])
@limit_login
def login() -> str | Response | tuple[str, int]:
    if is_customer():
        return redirect(url_for(".dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            card = merchant_core().portal_login(form.card.data or "", form.password.data or "")
        except (Unauthorized, Invalid):
            form.password.errors.append(_("The card number or the password is wrong."))
            return render_template("customer/login.html", form=form), 401
        except (Conflict, Gone) as refused:  # the right password, on a blocked or a lost card
            form.card.errors.append(
                _("This card was replaced by a new one: log in with the new card's number.")
                if refused.code == "card_replaced"
                else _("This card is blocked. Ask at the shop.")
            )
            return render_template("customer/login.html", form=form), 403
        start_session(card)
        return redirect(safe_next(request.args.get("next")) or url_for(".dashboard"))
    return render_template("customer/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    end_session()
    flash(_("You have logged out."), "info")
    return redirect(url_for(".login"))


@bp.route("/activate", methods=["GET", "POST"])
@limit_by_card_and_ip
def activate() -> str:
    # The welcome e-mail links here with the new card's number filled in.
    form = ActivationForm(card=request.args.get("card"))
    if form.validate_on_submit():
        try:
            ticket = merchant_core().start_activation(
                form.card.data or "", form.email.data or "", form.password.data or ""
            )
        except Invalid:
            form.password.errors.append(_("This password cannot be used. Choose another one."))
            return render_template("customer/activate.html", form=form)
        if isinstance(ticket, ActiveCardNotice):
            send_activation_refused_email(ticket)
        elif ticket is not None:
            send_activation_email(ticket)
        return render_template("customer/activation_sent.html", email=form.email.data)
    return render_template("customer/activate.html", form=form)


@bp.route("/activate/<token>", methods=["GET", "POST"])
def activate_complete(token: str) -> str | Response | tuple[str, int]:
    """Opening the e-mailed link asks (mail scanners and previews open links too); the button
    activates the card and logs the customer in."""
    form = ConfirmForm()
    client = merchant_core()
    try:
        if not form.validate_on_submit():
            client.account.check_link(token, "activation")
            status = 200 if request.method == "GET" else 400
            return render_template("customer/activate_confirm.html", form=form), status
        card = client.complete_activation(token)
    except (Gone, Invalid):
        return render_template("customer/link_invalid.html"), 410
    start_session(card)
    flash(_("Your card is active. Welcome!"), "success")
    return redirect(url_for(".dashboard"))

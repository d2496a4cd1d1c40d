"""Customer portal pages: thin views over the core client."""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from admin_api_client import Gone, Invalid, NotFound, Unauthorized

from ..core import core_client, merchant_core
from .emails import send_activation_email
from .forms import ActivationForm, LoginForm
from .session import customer_required, is_customer, safe_next, start_session

bp = Blueprint("customer", __name__, url_prefix="/p/<m>", template_folder="templates")
SLUG = re.compile(r"^[a-z0-9-]{1,64}$")


@bp.url_value_preprocessor
def load_merchant(_endpoint: str | None, values: dict[str, str] | None) -> None:
    slug = (values or {}).pop("m", "")
    if not SLUG.match(slug):
        abort(404)
    try:
        merchant = core_client().for_merchant(slug).get_merchant()
    except NotFound:
        abort(404)
    if not merchant.portal_enabled:
        abort(404)
    g.merchant = merchant


@bp.url_defaults
def add_merchant(_endpoint: str, values: dict[str, str]) -> None:
    if "m" not in values and "merchant" in g:
        values["m"] = g.merchant.slug


@bp.route("/")
@customer_required
def dashboard() -> str | Response:
    card = merchant_core().get_card(current_user.number)
    if card.credentials_version != current_user.credentials_version:
        logout_user()
        flash(_("Your password has changed. Please log in again."), "info")
        return redirect(url_for(".login"))
    return render_template("customer/dashboard.html", card=card)


@bp.route("/login", methods=["GET", "POST"])
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
        start_session(card)
        return redirect(safe_next(request.args.get("next")) or url_for(".dashboard"))
    return render_template("customer/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for(".login"))


@bp.route("/activate", methods=["GET", "POST"])
def activate() -> str:
    form = ActivationForm()
    if form.validate_on_submit():
        try:
            ticket = merchant_core().start_activation(
                form.card.data or "", form.email.data or "", form.password.data or ""
            )
        except Invalid:
            form.password.errors.append(_("This password cannot be used. Choose another one."))
            return render_template("customer/activate.html", form=form)
        if ticket is not None:
            send_activation_email(ticket)
        return render_template("customer/activation_sent.html", email=form.email.data)
    return render_template("customer/activate.html", form=form)


@bp.route("/activate/<token>", methods=["GET", "POST"])
def activate_complete(token: str) -> Response | tuple[str, int]:
    """Following the e-mailed link activates the card and logs the customer in."""
    try:
        card = merchant_core().complete_activation(token)
    except (Gone, Invalid):
        return render_template("customer/link_invalid.html"), 410
    start_session(card)
    flash(_("Your card is active. Welcome!"), "success")
    return redirect(url_for(".dashboard"))

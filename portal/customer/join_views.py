"""Web sign-up: a new customer gets a new card, then an e-mail with its number and activation link.

An address that has a card here already gets the same page, and an e-mail naming that card instead
of a second card: the page tells nobody whether an address is known."""

from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l

from admin_api_client import Conflict, Invalid

from ..core import merchant_core
from ..i18n import current_locale
from ..limits import client_ip, limit_by_email_and_ip
from .blueprint import bp
from .emails import send_card_exists_email, send_welcome_email
from .join_forms import JoinForm, show_core_error


@bp.route("/join", methods=["GET", "POST"])
@limit_by_email_and_ip
def join() -> str:
    form = JoinForm()
    if not form.validate_on_submit():
        return render_template("customer/join.html", form=form)
    try:
        signup = merchant_core().join(
            first_name=form.first_name.data,
            last_name=form.last_name.data,
            email=form.email.data,
            phone=form.phone.data or None,
            gender=form.gender.data or None,
            birth_date=form.birth_date.data,
            password=form.password.data,
            terms=form.terms.data,
            privacy=form.privacy.data,
            marketing=form.marketing.data,
            locale=current_locale(),
            ip_address=client_ip() or None,
        )
    except Invalid as error:
        show_core_error(form, error.code)
        return render_template("customer/join.html", form=form)
    except Conflict:
        form.form_errors.append(_l("Your card could not be created just now. Please try again."))
        return render_template("customer/join.html", form=form)
    if signup.created:
        send_welcome_email(
            signup.email, signup.first_name, signup.card_number, signup.locale, signup.activation
        )
    else:
        send_card_exists_email(signup)
    return render_template("customer/join_sent.html", email=signup.email)

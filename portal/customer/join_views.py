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
from .join_forms import MIN_AGE, JoinForm

# The core's codes for rules the form also checks (its answer wins if they ever disagree).
FIELD_ERRORS = {
    "invalid_first_name": ("first_name", _l("Enter your first name.")),
    "invalid_last_name": ("last_name", _l("Enter your last name.")),
    "invalid_email": ("email", _l("This is not a valid e-mail address.")),
    "invalid_phone": ("phone", _l("Enter a phone number of 6 to 20 digits; spaces, + and - are fine.")),
    "invalid_birth_date": ("birth_date", _l("This date of birth is not possible.")),
    "too_young": ("birth_date", _l("You need to be at least %(age)d to get a card online.", age=MIN_AGE)),
    "password_too_short": ("password", _l("This password cannot be used. Choose another one.")),
    "password_too_long": ("password", _l("This password cannot be used. Choose another one.")),
    "terms_required": ("terms", _l("Accept the rules to get a card.")),
    "privacy_required": ("privacy", _l("Confirm you have read how your details are used.")),
}


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
        name, message = FIELD_ERRORS.get(error.code, ("", None))
        field = getattr(form, name, None) if name else None
        if field is not None and message is not None:
            field.errors.append(message)
        else:
            form.form_errors.append(_l("Some of these details cannot be used. Check them and try again."))
        return render_template("customer/join.html", form=form)
    except Conflict:
        form.form_errors.append(_l("Your card could not be created just now. Please try again."))
        return render_template("customer/join.html", form=form)
    if signup.created:
        send_welcome_email(signup)
    else:
        send_card_exists_email(signup)
    return render_template("customer/join_sent.html", email=signup.email)

"""The profile: contact details, language, notification and marketing choices, password, e-mail
address, a copy of the customer's data, and deleting the account.

One page, one small form per section. A POST carries one section's button: only that form is read,
the others show what is on file."""

from __future__ import annotations

import json
from collections.abc import Callable

from flask import Response, flash, g, redirect, render_template, request, session, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from admin_api_client import Gone, Invalid, Profile, Unauthorized
from loyalty_common.error_codes import Code
from loyalty_common.rules import LOCALES

from ..core import merchant_core
from ..i18n import current_locale
from ..limits import client_ip, limit_password_check
from .blueprint import bp
from .emails import send_email_change_emails
from .forms import ConfirmForm
from .profile_forms import (
    SECTIONS,
    ChoicesForm,
    DeleteForm,
    DetailsForm,
    EmailForm,
    LanguageForm,
    PasswordForm,
    SectionForm,
)
from .session import customer_required, start_session

Outcome = BaseResponse | None  # None: the form got an error message
ASKING_PASSWORD = ("password", "email", "delete")  # the sections that ask the current password


class PasswordRefused(Exception):
    """The current password was wrong: the page says so, answered 401 (a failed password check)."""


def _asks_password() -> bool:
    return any(f"{section}-submit" in request.form for section in ASKING_PASSWORD)


def _wrong_password(error: Unauthorized, form: EmailForm | DeleteForm | PasswordForm) -> None:
    """A wrong password is the form's business; any other refusal ends the stale session."""
    if error.code != Code.WRONG_PASSWORD:
        raise error
    field = form.current if isinstance(form, PasswordForm) else form.password
    field.errors.append(_("This password is not right."))
    raise PasswordRefused from error


def _saved(message: str, section: str) -> BaseResponse:
    flash(message, "success")
    return redirect(url_for(".profile", _anchor=section))


def save_details(form: DetailsForm) -> Outcome:
    try:
        merchant_core().account.update_profile(
            current_user.number,
            first_name=form.first_name.data,
            last_name=form.last_name.data or "",
            phone=form.phone.data or "",
        )
    except Invalid as error:
        field = {"invalid_first_name": form.first_name, "invalid_last_name": form.last_name}.get(
            error.code, form.phone
        )
        field.errors.append(_("This cannot be saved. Check it and try again."))
        return None
    return _saved(_("Your details are saved."), "details")


def save_language(form: LanguageForm) -> Outcome:
    locale = form.locale.data
    merchant_core().account.update_profile(current_user.number, locale=locale)
    session["locale"] = locale
    with force_locale(locale):
        return _saved(_("Your language is saved."), "language")


def save_choices(form: ChoicesForm) -> Outcome:
    merchant_core().account.update_profile(
        current_user.number,
        notify_email=form.notify_email.data,
        notify_sms=form.notify_sms.data,
        marketing_consent=form.marketing.data,
        ip_address=client_ip() or None,
    )
    return _saved(_("Your choices are saved."), "choices")


def change_password(form: PasswordForm) -> Outcome:
    try:
        card = merchant_core().account.change_password(
            current_user.number, form.current.data or "", form.password.data or ""
        )
    except Unauthorized as error:
        _wrong_password(error, form)
        return None
    except Invalid:
        form.password.errors.append(_("This password cannot be used. Choose another one."))
        return None
    start_session(card)  # this device carries on with the new password; the others are logged out
    return _saved(_("Your password is changed. Other devices have been logged out."), "password")


def change_email(form: EmailForm) -> Outcome:
    try:
        ticket = merchant_core().account.start_email_change(
            current_user.number, form.password.data or "", form.email.data or ""
        )
    except Unauthorized as error:
        _wrong_password(error, form)
        return None
    except Invalid as error:
        form.email.errors.append(
            _("This is your e-mail address already.")
            if error.code == Code.SAME_EMAIL
            else _("This is not a valid e-mail address.")
        )
        return None
    send_email_change_emails(ticket)
    message = _(
        "We sent a link to %(email)s. Your e-mail address changes when you open it.",
        email=ticket.new_email,
    )
    return _saved(message, "email")


def delete_account(form: DeleteForm) -> Outcome:
    try:
        merchant_core().account.delete_account(
            current_user.number, form.password.data or "", client_ip() or None
        )
    except Unauthorized as error:
        _wrong_password(error, form)
        return None
    logout_user()
    return redirect(url_for(".account_deleted"))


ACTIONS: dict[str, Callable[..., Outcome]] = {
    "details": save_details,
    "language": save_language,
    "choices": save_choices,
    "password": change_password,
    "email": change_email,
    "delete": delete_account,
}


def _on_file(profile: Profile) -> dict[str, dict[str, object]]:
    return {
        "details": {"first_name": profile.first_name, "last_name": profile.last_name, "phone": profile.phone},
        "language": {"locale": profile.locale if profile.locale in LOCALES else current_locale()},
        "choices": {
            "notify_email": profile.notify_email,
            "notify_sms": profile.notify_sms,
            "marketing": profile.marketing_consent,
        },
    }


def _page(submitted: SectionForm | None = None, section: str | None = None) -> str:
    profile = merchant_core().account.get_profile(current_user.number)
    on_file = _on_file(profile)
    forms = {
        name: submitted
        if name == section and submitted is not None
        else form_class(formdata=None, prefix=name, data=on_file.get(name, {}))
        for name, form_class in SECTIONS.items()
    }
    return render_template("customer/profile.html", profile=profile, forms=forms)


@bp.route("/profile", methods=["GET", "POST"])
@limit_password_check(_asks_password)
@customer_required
def profile() -> str | BaseResponse | tuple[str, int]:
    if request.method == "GET":
        return _page()
    section = next((name for name in SECTIONS if f"{name}-submit" in request.form), None)
    if section is None:
        return redirect(url_for(".profile"))
    form = SECTIONS[section](prefix=section)
    if form.validate():
        try:
            outcome = ACTIONS[section](form)
        except PasswordRefused:
            return _page(form, section), 401  # counts with the card's failed logins
        if outcome is not None:
            return outcome
    return _page(form, section), 422


@bp.route("/profile/export")
@customer_required
def export_data() -> Response:
    """The customer's data as a JSON file to keep (right of access and portability)."""
    data = merchant_core().account.export_customer_data(current_user.number)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{g.merchant.slug}-{current_user.number}.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/profile/email/<token>", methods=["GET", "POST"])
def confirm_email(token: str) -> str | tuple[str, int]:
    """The link sent to the new address. It needs no session: it may be opened on another device.
    Opening it asks; the button puts the address on file."""
    form = ConfirmForm()
    account = merchant_core().account
    try:
        if not form.validate_on_submit():
            email = account.check_link(token, "email_change")
            status = 200 if request.method == "GET" else 400
            return render_template("customer/email_confirm.html", form=form, email=email), status
        card = account.complete_email_change(token)
    except (Gone, Invalid):
        return render_template("customer/link_invalid.html", again=url_for(".profile")), 410
    return render_template("customer/email_changed.html", email=card.email)


@bp.route("/profile/deleted")
def account_deleted() -> str:
    return render_template("customer/account_deleted.html")

"""The staff links' e-mails: an invitation (in the merchant's language: the admin's browser says
nothing of the invited person's) and a password reset (in the language of whoever asked: the
staff member at "forgot your password", the merchant's when their admin sends it). The staff UI
and the API send them alike."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from loyalty_common.deployment import external_url

from ..context import current_core
from ..models import Staff
from ..services import staff_reset
from ..services.staff_invitations import Letter, Mailer


def _link(endpoint: str, token: str) -> str:
    return external_url(current_core().settings.staff_url, endpoint, token=token)


def reset_letter(staff: Staff, token: str) -> Letter:
    context = {
        "staff": staff,
        "link": _link("staff.reset_password", token),
        "hours": staff_reset.LINK_LIFETIME // 3600,
    }
    return Letter(
        _("A new password for your staff account at %(merchant)s", merchant=staff.merchant.name),
        render_template("staff/email/reset.txt", **context),
        render_template("staff/email/reset.html", **context),
    )


def invitation_letter(staff: Staff, token: str) -> Letter:
    with force_locale(staff.merchant.default_locale):
        context = {
            "staff": staff,
            "link": _link("staff.join", token),
            "days": max(1, round(current_core().settings.staff_invitation_max_age / timedelta(days=1))),
        }
        return Letter(
            _("You are invited to %(merchant)s's staff", merchant=staff.merchant.name),
            render_template("staff/email/invitation.txt", **context),
            render_template("staff/email/invitation.html", **context),
        )


def _reset_in_merchant_language(staff: Staff, token: str) -> Letter:
    with force_locale(staff.merchant.default_locale):
        return reset_letter(staff, token)


def staff_mailer() -> Mailer:
    """For the admin's sending: the invitation, and a reset link in the merchant's language."""
    core = current_core()
    return Mailer(
        secret_key=current_app.secret_key or "",
        seal=core.mail_seal,
        invitation_lifetime=core.settings.staff_invitation_max_age,
        invitation=invitation_letter,
        reset=_reset_in_merchant_language,
    )

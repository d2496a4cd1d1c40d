"""E-mails to customers: rendered here in the customer's language, delivered by the core's queue."""

from __future__ import annotations

from flask import g, render_template, url_for
from flask_babel import force_locale

from admin_api_client import ActivationTicket

from ..core import merchant_core
from ..i18n import current_locale


def _render(name: str, locale: str, **context: object) -> tuple[str, str, str]:
    with force_locale(locale):
        return (
            " ".join(render_template(f"customer/email/{name}/subject.txt", **context).split()),
            render_template(f"customer/email/{name}/body.txt", **context),
            render_template(f"customer/email/{name}/body.html", **context),
        )


def send_activation_email(ticket: ActivationTicket) -> None:
    locale = ticket.locale or current_locale()
    subject, text, html = _render(
        "activation",
        locale,
        first_name=ticket.first_name,
        merchant=g.merchant,
        link=url_for("customer.activate_complete", token=ticket.token, _external=True),
        expires_at=ticket.expires_at,
    )
    merchant_core().queue_mail(ticket.email, subject, text, html)

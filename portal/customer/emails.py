"""E-mails to customers: rendered here in the customer's language, delivered by the core's queue."""

from __future__ import annotations

from datetime import datetime

from flask import g, render_template
from flask_babel import force_locale

from admin_api_client import ActivationTicket, ActiveCardNotice, EmailChangeTicket, ResetTicket, Signup

from ..core import merchant_core
from ..i18n import current_locale
from ..links import site_url


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
        link=site_url("customer.activate_complete", token=ticket.token),
        expires_at=ticket.expires_at,
    )
    merchant_core().queue_mail(ticket.email, subject, text, html)


def send_activation_refused_email(notice: ActiveCardNotice) -> None:
    """To the owner of an active card someone asked to activate: no link, a pointer to reset."""
    subject, text, html = _render(
        "activation_refused",
        notice.locale or current_locale(),
        first_name=notice.first_name,
        merchant=g.merchant,
        reset=site_url("customer.reset"),
    )
    merchant_core().queue_mail(notice.email, subject, text, html)


def send_welcome_email(
    email: str, first_name: str, number: str, locale: str | None, ticket: ActivationTicket | None = None
) -> None:
    """A new card's number and, when its holder chose a password, the link that activates it;
    else, where the merchant's portal is on, the page to choose one."""
    portal = g.merchant.portal_enabled
    subject, text, html = _render(
        "welcome",
        locale or current_locale(),
        first_name=first_name,
        merchant=g.merchant,
        number=number,
        link=site_url("customer.activate_complete", token=ticket.token) if ticket else None,
        expires_at=ticket.expires_at if ticket else None,
        activate=site_url("customer.activate", card=number) if portal else None,
    )
    merchant_core().queue_mail(email, subject, text, html)


def send_wifi_confirmation_email(
    email: str, venue: str, link: str, expires_at: datetime, locale: str | None = None
) -> None:
    """To the address a Wi-Fi guest typed, which proves nothing yet: a fixed text and the link
    that confirms it. Nothing the guest typed (not even the name) and no card number. In the
    language of the page they signed up on (`locale`, when that page is not this request's)."""
    subject, text, html = _render(
        "wifi_confirmation",
        locale or current_locale(),
        merchant=g.merchant,
        venue=venue,
        link=link,
        expires_at=expires_at,
    )
    merchant_core().queue_mail(email, subject, text, html)


def send_card_exists_email(signup: Signup) -> None:
    """To an address that asked for a card and has one: which card, and how to get in."""
    subject, text, html = _render(
        "card_exists",
        signup.locale or current_locale(),
        first_name=signup.first_name,
        merchant=g.merchant,
        number=signup.card_number,
        login=site_url("customer.login"),
        activate=site_url("customer.activate"),
    )
    merchant_core().queue_mail(signup.email, subject, text, html)


def send_reset_email(ticket: ResetTicket) -> None:
    """One message to the address, with a link per card that has it (an activation hint for a
    card without a password yet)."""
    subject, text, html = _render(
        "reset",
        ticket.locale or current_locale(),
        merchant=g.merchant,
        cards=[
            {
                "number": card.number,
                "first_name": card.first_name,
                "link": site_url("customer.reset_complete", token=card.token) if card.token else None,
            }
            for card in ticket.cards
        ],
        activate=site_url("customer.activate"),
        expires_at=ticket.expires_at,
    )
    merchant_core().queue_mail(ticket.email, subject, text, html)


def send_email_change_emails(ticket: EmailChangeTicket) -> None:
    """The confirmation link to the new address; a notice to the old one, which stays on file
    until the link is followed, so that its owner hears of a change they did not ask for."""
    locale = ticket.locale or current_locale()
    context = {"first_name": ticket.first_name, "merchant": g.merchant, "new_email": ticket.new_email}
    subject, text, html = _render(
        "email_change",
        locale,
        link=site_url("customer.confirm_email", token=ticket.token),
        expires_at=ticket.expires_at,
        **context,
    )
    merchant_core().queue_mail(ticket.new_email, subject, text, html)
    if ticket.old_email:
        subject, text, html = _render(
            "email_change_notice", locale, reset=site_url("customer.reset"), **context
        )
        merchant_core().queue_mail(ticket.old_email, subject, text, html)

"""The link in a new Wi-Fi guest's confirmation e-mail: opening it shows a button (mail scanners
open links too); pressing it confirms the address, and the card is e-mailed to it then."""

from __future__ import annotations

from flask import abort, render_template
from flask_wtf import FlaskForm

from admin_api_client import Gone
from portal.core import core_client
from portal.customer.emails import send_welcome_email

from .blueprint import bp, load_splash


@bp.route("/wifi/<hotspot>/confirm/<token>", methods=["GET", "POST"])
def confirm(hotspot: str, token: str) -> str | tuple[str, int]:
    splash = load_splash(hotspot)
    if splash is None:
        abort(404)
    form = FlaskForm()
    if not form.validate_on_submit():
        return render_template("captive/confirm.html", splash=splash, form=form)
    try:
        card = core_client().wifi.confirm_address(splash.id, token)
    except Gone:
        return render_template("captive/confirm_gone.html", splash=splash), 410
    send_welcome_email(card.email, card.first_name, card.number, card.locale)
    return render_template("captive/confirmed.html", splash=splash, number=card.number)

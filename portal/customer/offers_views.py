"""Coupons the merchant offers this customer, and the passes on the card."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from ..core import merchant_core
from .blueprint import bp
from .session import customer_required


@bp.route("/offers")
@customer_required
def offers() -> str:
    offers = merchant_core().card_offers(current_user.number)
    return render_template("customer/offers.html", offers=offers)

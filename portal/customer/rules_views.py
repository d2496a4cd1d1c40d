"""How the program works, as the merchant set it: points per currency unit, levels, expiry."""

from __future__ import annotations

from babel.numbers import get_currency_precision
from flask import render_template
from flask_babel import format_decimal

from ..core import merchant_core
from ..i18n import money
from .blueprint import bp


@bp.route("/rules")
def rules() -> str:
    program = merchant_core().settings.program()
    # "1 point for every €1.00": one whole unit of the currency, in minor units.
    unit = money(10 ** get_currency_precision(program.currency), program.currency)
    return render_template("customer/rules.html", program=program, unit=unit, decimal=format_decimal)

"""The card to show at the till: barcode and QR code inline, so the page is one request and can be
kept by the service worker for use without a connection."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from markupsafe import Markup

from .barcodes import code128_svg, qr_svg
from .blueprint import bp
from .session import current_card, customer_required


@bp.route("/card")
@customer_required
def card() -> str:
    card = current_card()
    return render_template(
        "customer/card.html",
        card=card,
        barcode=Markup(code128_svg(card.number, _("Barcode of card %(number)s", number=card.number))),
        qr=Markup(qr_svg(card.number, _("QR code of card %(number)s", number=card.number))),
    )

"""At the till: the coupons a card's holder may use now, how often they used each, and a button to
record a use."""

from __future__ import annotations

import secrets

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from ..context import current_core
from ..errors import CoreError, NotFound
from ..services import till, utcnow
from ..services.cards import get_card
from ..services.coupon_uses import use_coupon, uses_left
from ..services.offers import coupons_with_uses
from .auth import current_scope, staff_required
from .blueprint import bp
from .messages import refusal
from .pass_forms import AttemptForm


def _form() -> AttemptForm:
    form = AttemptForm()
    with current_core().db.read() as session:
        stores = till.stores_for_till(session, current_scope())
    form.store.choices = [SelectChoice(store.code, store.name) for store in stores]
    return form


@bp.route("/cards/<number>/coupons", methods=["GET"])
@staff_required()
def card_coupons(number: str) -> str:
    form = _form()
    with current_core().db.read() as session:
        try:
            card = get_card(session, current_scope().merchant_id, number)
        except NotFound:
            abort(404)
        found = coupons_with_uses(session, card, utcnow())
    form.attempt.data = secrets.token_urlsafe(16)
    listed = [(coupon, uses, uses_left(coupon, uses)) for coupon, uses in found]
    return render_template("staff/card_coupons.html", card=card, coupons=listed, form=form)


@bp.route("/cards/<number>/coupons/<int:coupon_id>/uses", methods=["POST"])
@staff_required()
def record_coupon_use(number: str, coupon_id: int) -> Response:
    form = _form()
    if not form.validate():
        flash(_("Choose the store this happens at."), "error")
        return redirect(url_for(".card_coupons", number=number))
    try:
        use_coupon(
            current_core().db, current_scope(), number, coupon_id, form.store.data, form.attempt.data or ""
        )
    except NotFound as error:
        if error.code == "card_not_found":
            abort(404)
        flash(refusal(error), "error")
    except CoreError as error:
        flash(refusal(error), "error")
    else:
        flash(_("Coupon use recorded."), "success")
    return redirect(url_for(".card_coupons", number=number))

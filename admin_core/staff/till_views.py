"""The till: find a card by its number (typed, or scanned: a scanner types it), record an
operation, collect a voucher."""

from __future__ import annotations

import secrets

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from loyalty_common.rules import normalize_card_number

from ..context import current_core
from ..errors import Conflict, CoreError, Gone, Invalid, NotFound
from ..models import OperationKind, StaffLevel
from ..services import till
from ..services.cards import CARD_NUMBER, CardReplaced
from ..services.stamping import stamps_at_till
from .auth import current_scope, current_staff, staff_required
from .blueprint import bp
from .forms import CardLookupForm, OperationForm, VoucherForm
from .messages import reason, refusal
from .operation_words import calculation_text, operation_name


def _store_choices(form: OperationForm | VoucherForm) -> None:
    with current_core().db.read() as session:
        stores = till.stores_for_till(session, current_scope())
    form.store.choices = [SelectChoice(store.code, store.name) for store in stores]
    g.store_off = not any(store.active for store in stores)  # the till says so at once


def _till(lookup: CardLookupForm, status: int = 200) -> tuple[str, int]:
    voucher = VoucherForm()
    try:
        _store_choices(voucher)
    except NotFound:  # a new merchant, no store yet: the till says so (an admin gets the way there)
        return render_template("staff/home.html", lookup=lookup, voucher=None), status
    return render_template("staff/home.html", lookup=lookup, voucher=voucher), status


def _no_such_card(typed: str) -> tuple[str, int]:
    """The till again, saying so at the number, still typed there to be corrected."""
    lookup = CardLookupForm(formdata=None, number=typed)
    lookup.number.errors = [reason("card_not_found", "No such card.")]
    return _till(lookup, 404)


@bp.route("/", methods=["GET", "POST"])
@staff_required()
def home() -> Response | tuple[str, int]:
    lookup = CardLookupForm()
    if lookup.validate_on_submit():
        typed = lookup.number.data or ""
        number = normalize_card_number(typed)
        # What cannot be a card number (a "/" in it) never becomes an address with no page.
        if not CARD_NUMBER.match(number):
            return _no_such_card(typed)
        return redirect(url_for(".card", number=number))
    return _till(lookup)


def _card_page(number: str, operation: OperationForm, status: int = 200) -> Response | tuple[str, int]:
    try:
        with current_core().db.read() as session:
            found = till.card_at_till(session, current_scope(), number)
            stamps = stamps_at_till(session, current_scope(), found.card.id)
    except CardReplaced as replaced:  # a lost card's old number: the card that took over
        flash(_("Card %(old)s was replaced by card %(new)s.", old=number, new=replaced.number), "info")
        return redirect(url_for(".card", number=replaced.number))
    except NotFound:
        return _no_such_card(number)
    operation.attempt.data = secrets.token_urlsafe(16)
    merchant = current_staff().merchant
    terms = [
        {**each.body(), "currency": merchant.currency, "store_name": each.store.name} for each in found.terms
    ]
    return (
        render_template(
            "staff/card.html", found=found, form=operation, merchant=merchant, terms=terms, stamps=stamps
        ),
        status,
    )


@bp.route("/cards/<number>", methods=["GET"])
@staff_required()
def card(number: str) -> Response | tuple[str, int]:
    form = OperationForm()
    _store_choices(form)
    return _card_page(number, form)


@bp.route("/cards/<number>/operations", methods=["POST"])
@staff_required()
def record(number: str) -> Response | tuple[str, int]:
    form = OperationForm()
    _store_choices(form)
    if not form.validate():
        return _card_page(number, form, 422)
    kind = OperationKind(form.kind.data)
    try:
        amount = till.amount_of(kind, form.amount.data or "", current_staff().merchant.currency)
        outcome = till.record_at_till(
            current_core().db, current_scope(), number, kind, amount, form.store.data, form.attempt.data or ""
        )
    except (Invalid, Conflict, Gone) as error:
        form.amount.errors.append(refusal(error))
        return _card_page(number, form, 422 if isinstance(error, Invalid) else 409)
    except NotFound:
        return _no_such_card(number)
    calculation = outcome.body.get("calculation")
    if calculation:
        flash(_("Purchase recorded: %(calculation)s.", calculation=calculation_text(calculation)), "success")
    else:
        flash(_("Done: the card is updated."), "success")
    return redirect(url_for(".card", number=number))


@bp.route("/cards/<number>/operations/<int:operation_id>/void", methods=["GET", "POST"])
@staff_required(StaffLevel.ADMIN, StaffLevel.MANAGER)
def void(number: str, operation_id: int) -> Response | str:
    """GET asks to confirm; POST (its CSRF checked by the blueprint) adds the reversing operation,
    once: a second is refused."""
    db, scope = current_core().db, current_scope()
    try:
        with db.read() as session:
            operation = till.operation_at_till(session, scope, number, operation_id)
        if request.method == "GET":
            return render_template("staff/void.html", operation=operation, number=number)
        till.void_at_till(db, scope, number, operation_id)
    except NotFound:
        abort(404)
    except Conflict as error:
        flash(refusal(error), "error")
    else:
        flash(
            _(
                "Voided: %(operation)s. The card is as if it had not been recorded.",
                operation=operation_name(operation),
            ),
            "success",
        )
    return redirect(url_for(".card", number=number))


@bp.route("/vouchers", methods=["POST"])
@staff_required()
def collect() -> Response | tuple[str, int]:
    form = VoucherForm()
    _store_choices(form)
    back = request.form.get("back") or ""
    if form.validate():
        try:
            voucher = till.collect_at_till(
                current_core().db, current_scope(), form.code.data or "", form.store.data
            )
        except CoreError as error:
            flash(refusal(error), "error")
        else:
            flash(
                _(
                    "Voucher %(code)s collected: hand over “%(reward)s”.",
                    code=voucher.code,
                    reward=voucher.reward.name,
                ),
                "success",
            )
    else:
        flash(_("Type the code on the customer's voucher."), "error")
    number = back if back and back.replace("-", "").isalnum() else None
    return redirect(url_for(".card", number=number) if number else url_for(".home"))

"""Passes: the admin defines the kinds on sale; at the till, a card's passes with a button for an
entry each, and the sale of a new one."""

from __future__ import annotations

import secrets
from decimal import Decimal

from babel.numbers import get_currency_precision
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from ..context import current_core
from ..errors import CoreError, NotFound
from ..models import OperationKind, PassKind, StaffLevel
from ..services import pass_sales, till, utcnow
from ..services.offers import pass_status
from ..services.pass_sales import KindDetails
from . import money
from .auth import current_scope, current_staff, staff_required
from .blueprint import bp
from .messages import refusal
from .pass_forms import AttemptForm, PassKindForm, PassSaleForm


def _details(form: PassKindForm) -> KindDetails:
    currency = current_staff().merchant.currency
    return KindDetails(
        name=form.name.data or "",
        entries=form.entries.data,
        validity_days=form.validity_days.data or 0,
        price=till.amount_of(OperationKind.TOPUP_CREDIT, form.price.data or "", currency),
        active=form.active.data,
    )


def _price_text(kind: PassKind) -> str:
    return money(kind.price, current_staff().merchant.currency).replace("\xa0", " ")


@bp.route("/passes", methods=["GET", "POST"])
@staff_required(StaffLevel.ADMIN)
def pass_kinds() -> Response | str | tuple[str, int]:
    form = PassKindForm()
    status = 200
    if form.validate_on_submit():
        try:
            details = _details(form)
            with current_core().db.write() as session:
                made = pass_sales.define_kind(session, current_scope(), details)
        except CoreError as error:
            (form.price.errors if error.code == "invalid_amount" else form.form_errors).append(refusal(error))
            status = 422
        else:
            flash(_("Pass “%(name)s” is on sale.", name=made.name), "success")
            return redirect(url_for(".pass_kinds"))
    elif form.errors:
        status = 422
    with current_core().db.read() as session:
        kinds = pass_sales.list_kinds(session, current_scope().merchant_id)
    return render_template("staff/pass_kinds.html", kinds=kinds, form=form), status


@bp.route("/passes/<int:kind_id>", methods=["GET", "POST"])
@staff_required(StaffLevel.ADMIN)
def pass_kind(kind_id: int) -> Response | str | tuple[str, int]:
    with current_core().db.read() as session:
        try:
            kind = pass_sales.get_kind(session, current_scope().merchant_id, kind_id)
        except NotFound:
            abort(404)
    form = PassKindForm(
        data={
            "name": kind.name,
            "entries": kind.entries,
            "validity_days": kind.validity_days,
            "price": str(
                Decimal(kind.price).scaleb(-get_currency_precision(current_staff().merchant.currency))
            ),
            "active": kind.active,
        }
    )
    if form.validate_on_submit():
        try:
            pass_sales.change_kind(current_core().db, current_scope(), kind_id, _details(form))
        except CoreError as error:
            (form.price.errors if error.code == "invalid_amount" else form.form_errors).append(refusal(error))
        else:
            flash(_("Saved: %(name)s.", name=form.name.data), "success")
            return redirect(url_for(".pass_kinds"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("staff/pass_kind.html", kind=kind, form=form), status


def _stores(*forms: PassSaleForm | AttemptForm) -> None:
    with current_core().db.read() as session:
        stores = till.stores_for_till(session, current_scope())
    for form in forms:
        form.store.choices = [SelectChoice(store.code, store.name) for store in stores]


def _passes_page(number: str, sale: PassSaleForm, entry: AttemptForm, status: int = 200) -> tuple[str, int]:
    scope = current_scope()
    with current_core().db.read() as session:
        try:
            card, passes = pass_sales.card_passes(session, scope.merchant_id, number)
        except NotFound:
            abort(404)
        kinds = pass_sales.list_kinds(session, scope.merchant_id, on_sale_only=True)
    sale.kind.choices = [SelectChoice(kind.id, f"{kind.name} · {_price_text(kind)}") for kind in kinds]
    sale.attempt.data = entry.attempt.data = secrets.token_urlsafe(16)
    page = render_template(
        "staff/card_passes.html",
        card=card,
        passes=[(held, pass_status(held, utcnow())) for held in passes],
        sale=sale,
        entry=entry,
        on_sale=kinds,
    )
    return page, status


@bp.route("/cards/<number>/passes", methods=["GET"])
@staff_required()
def card_passes(number: str) -> tuple[str, int]:
    sale, entry = PassSaleForm(), AttemptForm()
    _stores(sale, entry)
    return _passes_page(number, sale, entry)


@bp.route("/cards/<number>/passes", methods=["POST"])
@staff_required()
def sell_pass(number: str) -> Response | tuple[str, int]:
    sale, entry = PassSaleForm(), AttemptForm()
    _stores(sale, entry)
    if not sale.validate() or sale.kind.data is None:
        return _passes_page(number, sale, entry, 422)
    try:
        pass_sales.sell_pass(
            current_core().db,
            current_scope(),
            number,
            sale.kind.data,
            sale.store.data,
            sale.attempt.data or "",
        )
    except NotFound:
        abort(404)
    except CoreError as error:
        sale.kind.errors = [refusal(error)]
        return _passes_page(number, sale, entry, 409)
    flash(_("Pass sold: it is on the card."), "success")
    return redirect(url_for(".card_passes", number=number))


@bp.route("/cards/<number>/passes/<int:pass_id>/entries", methods=["POST"])
@staff_required()
def pass_entry(number: str, pass_id: int) -> Response | tuple[str, int]:
    sale, entry = PassSaleForm(), AttemptForm()
    _stores(sale, entry)
    if not entry.validate():
        return _passes_page(number, sale, entry, 422)
    try:
        done = pass_sales.record_entry(
            current_core().db, current_scope(), pass_id, entry.store.data, entry.attempt.data or ""
        )
    except NotFound:
        abort(404)
    except CoreError as error:
        flash(refusal(error), "error")
        return redirect(url_for(".card_passes", number=number))
    left = done.body.get("entries_left")
    flash(
        _("Entry recorded.")
        + " "
        + (_("Unlimited entries.") if left is None else _("Entries left: %(num)s", num=left)),
        "success",
    )
    return redirect(url_for(".card_passes", number=number))

"""Stamp cards in the staff UI: the admin defines them (the same services as the API's), and the
till gives a stamp in one tap, once per page view."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from ..context import current_core
from ..errors import CoreError, NotFound
from ..models import Reward, StaffLevel, StampCard
from ..services import stamp_cards, till
from ..services.stamping import stamp_once
from .auth import current_scope, staff_required
from .blueprint import bp
from .messages import at_fields, refusal
from .pass_forms import AttemptForm
from .stamp_forms import StampCardForm
from .store_views import store_choices


def _form(stamp_card: StampCard | None = None) -> StampCardForm:
    form = StampCardForm() if stamp_card is None else StampCardForm(obj=stamp_card)
    if stamp_card is not None and not form.is_submitted():
        form.stores.data = [store.code for store in stamp_card.stores]
    scope = current_scope()
    with current_core().db.read() as session:
        form.stores.choices = store_choices(session, scope)
        rewards = session.scalars(
            select(Reward).where(Reward.merchant_id == scope.merchant_id).order_by(Reward.name)
        )
        form.reward_id.choices = [SelectChoice(reward.id, reward.name) for reward in rewards]
    return form


def _details(form: StampCardForm) -> stamp_cards.StampCardDetails:
    return stamp_cards.StampCardDetails(
        name=form.name.data or "",
        stamps_needed=form.stamps_needed.data or 0,
        reward_id=form.reward_id.data or 0,
        voucher_valid_days=form.voucher_valid_days.data or 0,
        stores=tuple(form.stores.data or ()),
    )


def _stamp_card(stamp_card_id: int) -> StampCard:
    with current_core().db.read() as session:
        try:
            return stamp_cards.get_stamp_card(session, current_scope(), stamp_card_id)
        except NotFound:
            abort(404)


@bp.route("/stamp-cards")
@staff_required(StaffLevel.ADMIN)
def stamp_card_list() -> str:
    with current_core().db.read() as session:
        try:
            page = stamp_cards.list_stamp_cards(session, current_scope(), request.args.get("cursor"))
        except CoreError:
            abort(404)
    return render_template("staff/stamp_cards.html", page=page)


@bp.route("/stamp-cards/new", methods=["GET", "POST"])
@staff_required(StaffLevel.ADMIN)
def new_stamp_card() -> Response | tuple[str, int]:
    form = _form()
    if form.validate_on_submit():
        try:
            made = stamp_cards.create_stamp_card(current_core().db, current_scope(), _details(form))
        except CoreError as error:
            at_fields(form, error)
        else:
            flash(_("Stamp card created: %(name)s.", name=made.name), "success")
            return redirect(url_for(".stamp_card_list"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("staff/stamp_card.html", form=form, stamp_card=None), status


@bp.route("/stamp-cards/<int:stamp_card_id>", methods=["GET", "POST"])
@staff_required(StaffLevel.ADMIN)
def edit_stamp_card(stamp_card_id: int) -> Response | tuple[str, int]:
    found = _stamp_card(stamp_card_id)
    form = _form(found)
    if form.validate_on_submit():
        try:
            stamp_cards.update_stamp_card(current_core().db, current_scope(), stamp_card_id, _details(form))
        except CoreError as error:
            at_fields(form, error)
        else:
            flash(_("Saved: %(name)s.", name=form.name.data), "success")
            return redirect(url_for(".stamp_card_list"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("staff/stamp_card.html", form=form, stamp_card=found), status


@bp.route("/stamp-cards/<int:stamp_card_id>/<action>", methods=["POST"])
@staff_required(StaffLevel.ADMIN)
def stamp_card_action(stamp_card_id: int, action: str) -> Response:
    if action not in ("switch-off", "switch-on"):
        abort(404)
    stamp_cards.set_stamp_card_active(
        current_core().db, current_scope(), stamp_card_id, action == "switch-on"
    )
    flash(_("Done."), "success")
    return redirect(url_for(".stamp_card_list"))


@bp.route("/cards/<number>/stamps/<int:stamp_card_id>", methods=["POST"])
@staff_required()
def give_stamp(number: str, stamp_card_id: int) -> Response:
    """One stamp, once per page view (the card page's attempt key): a double tap gives one."""
    form = AttemptForm()
    with current_core().db.read() as session:
        stores = till.stores_for_till(session, current_scope())
    form.store.choices = [SelectChoice(store.code, store.name) for store in stores]
    if not form.validate():
        flash(_("Choose the store this happens at."), "error")
        return redirect(url_for(".card", number=number))
    try:
        outcome = stamp_once(
            current_core().db,
            current_scope(),
            number,
            stamp_card_id,
            1,
            form.store.data,
            f"{form.attempt.data or ''}:stamp:{stamp_card_id}",
        )
    except NotFound as error:
        if error.code == "card_not_found":
            abort(404)
        flash(refusal(error), "error")
    except CoreError as error:
        flash(refusal(error), "error")
    else:
        body = outcome.body
        for code in body["vouchers"]:
            flash(_("The card is full: voucher %(code)s is issued.", code=code), "success")
        flash(
            _("Stamp given: %(stamps)s of %(needed)s.", stamps=body["stamps"], needed=body["stamps_needed"]),
            "success",
        )
    return redirect(url_for(".card", number=number))

"""The merchant's admin sets up the program's tiers and the stores' own points rates: the same
services as the API's, with the admin's scope."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import Field

from ..context import current_core
from ..errors import CoreError, Invalid, NotFound
from ..models import StaffLevel, Tier
from ..services import points_rates, program_setup
from ..services.earning import multiplier_percent
from .auth import current_scope, current_staff, staff_required
from .blueprint import bp
from .forms import say_refusal
from .messages import reason, refusal
from .program_forms import RateForm, TierForm

# The services' field names, where the form's differ.
FORM_FIELDS = {"multiplier_percent": "multiplier"}


def refused(form: FlaskForm, error: CoreError) -> None:
    """The service's refusal at the field it is about, or above the form."""
    if isinstance(error, program_setup.InvalidDetails):
        for name, code in error.codes.items():
            field = form._fields.get(FORM_FIELDS.get(name, name))
            say_refusal(form, field, reason(code, error.fields[name][0]))  # type: ignore[index]
    else:
        say_refusal(form, None, refusal(error))


def parsed_multiplier(field: Field) -> int | None:
    """The multiplier typed, in hundredths; None when left empty or not one (then said at the field)."""
    if not field.data:
        return None
    try:
        return multiplier_percent(field.data)
    except Invalid as error:
        field.errors = [*field.errors, refusal(error)]
        return None


def _tier(tier_id: int) -> Tier:
    with current_core().db.read() as session:
        try:
            return program_setup.get_tier(session, current_scope(), tier_id)
        except NotFound:
            abort(404)


@bp.route("/tiers")
@staff_required(StaffLevel.ADMIN)
def tiers() -> str:
    with current_core().db.read() as session:
        ladder = program_setup.list_tiers(session, current_scope())
    months = current_staff().merchant.tier_period_months
    return render_template("staff/tiers.html", tiers=ladder, months=months)


def _save_tier(form: TierForm, tier_id: int | None) -> Tier | None:
    percent = parsed_multiplier(form.multiplier)
    if percent is None:
        return None
    details = program_setup.TierDetails(
        form.name.data or "", form.threshold.data or 0, form.benefits.data or "", percent
    )
    db, scope = current_core().db, current_scope()
    try:
        if tier_id is None:
            return program_setup.create_tier(db, scope, details)
        return program_setup.update_tier(db, scope, tier_id, details)
    except CoreError as error:
        refused(form, error)
        return None


@bp.route("/tiers/new", methods=["GET", "POST"])
@bp.route("/tiers/<int:tier_id>", methods=["GET", "POST"])
@staff_required(StaffLevel.ADMIN)
def tier(tier_id: int | None = None) -> Response | tuple[str, int]:
    found = _tier(tier_id) if tier_id is not None else None
    if found is None:
        form = TierForm()
    else:
        data = {"name": found.name, "threshold": found.threshold, "benefits": found.benefits}
        form = TierForm(data={**data, "multiplier": f"{found.multiplier_percent / 100:g}"})
    if form.validate_on_submit():
        saved = _save_tier(form, tier_id)
        if saved is not None:
            flash(_("Saved: %(name)s.", name=saved.name), "success")
            return redirect(url_for(".tiers"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("staff/tier.html", form=form, tier=found), status


@bp.route("/tiers/<int:tier_id>/delete", methods=["GET", "POST"])
@staff_required(StaffLevel.ADMIN)
def delete_tier(tier_id: int) -> Response | str:
    found = _tier(tier_id)
    form = FlaskForm()
    if form.validate_on_submit():
        program_setup.delete_tier(current_core().db, current_scope(), tier_id)
        flash(_("Tier %(name)s deleted.", name=found.name), "success")
        return redirect(url_for(".tiers"))
    with current_core().db.read() as session:
        below = [
            each
            for each in program_setup.list_tiers(session, current_scope())
            if each.threshold < found.threshold
        ]
    return render_template(
        "staff/tier_delete.html", tier=found, below=below[-1] if below else None, form=form
    )


@bp.route("/rates", methods=["GET"])
@bp.route("/rates/<code>", methods=["POST"])
@staff_required(StaffLevel.ADMIN)
def rates(code: str | None = None) -> Response | tuple[str, int]:
    """A form per store (the merchant's own rate is in the portal settings); each posts to its own
    address, so one store's empty field never clears another's."""
    scope = current_scope()
    with current_core().db.read() as session:
        stores = points_rates.store_rates(session, scope)
        merchant_rate = points_rates.merchant_rate(session, scope)
    if code is not None and code not in {store.code for store in stores}:
        abort(404)
    forms = {
        store.code: RateForm(formdata=None, data={"rate": store.points_per_unit})
        for store in stores
        if store.code != code
    }
    status = 200
    if code is not None:
        form = forms[code] = RateForm()
        if form.validate_on_submit():
            try:
                points_rates.set_store_rate(current_core().db, scope, code, form.rate.data)
            except CoreError as error:
                form.rate.errors = [refusal(error)]
            else:
                flash(_("Saved."), "success")
                return redirect(url_for(".rates"))
        status = 422
    rows = [(store, forms[store.code]) for store in stores]
    return render_template("staff/rates.html", rows=rows, merchant_rate=merchant_rate), status

"""The merchant's admin runs points campaigns: when, at which stores, with what multiplier ("double
points" weeks). The same services as the API's, with the admin's scope."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from ..context import current_core
from ..errors import CoreError, NotFound
from ..models import Campaign, StaffLevel
from ..services import program_setup, utcnow
from .auth import current_scope, staff_required
from .blueprint import bp
from .customer_group_views import audience_choices
from .messages import refusal
from .program_forms import CampaignForm
from .program_views import parsed_multiplier, refused
from .reward_views import _start as day_start
from .reward_views import _zone as merchant_zone


def _campaign(campaign_id: int) -> Campaign:
    with current_core().db.read() as session:
        try:
            return program_setup.get_campaign(session, current_scope(), campaign_id)
        except NotFound:
            abort(404)


def _form(found: Campaign | None) -> CampaignForm:
    if found is None:
        form = CampaignForm()
    else:
        zone = merchant_zone()
        form = CampaignForm(
            data={
                "name": found.name,
                "starts_at": found.starts_at.astimezone(zone).date(),
                # The end is the midnight after the last day, in the merchant's time zone.
                "ends_at": (found.ends_at.astimezone(zone) - timedelta(days=1)).date(),
                "multiplier": f"{found.multiplier_percent / 100:g}" if found.multiplier_percent else "",
                "stores": [store.code for store in found.stores],
                "group": str(found.group_id) if found.group_id else "",
            }
        )
    form.group.choices = audience_choices(True)
    with current_core().db.read() as session:
        form.stores.choices = [
            SelectChoice(store.code, store.name) for store in current_scope().stores(session)
        ]
    return form


def _save(form: CampaignForm, campaign_id: int | None) -> Campaign | None:
    percent = parsed_multiplier(form.multiplier)
    if form.multiplier.errors or form.starts_at.data is None or form.ends_at.data is None:
        return None
    starts, ends = day_start(form.starts_at.data), day_start(form.ends_at.data + timedelta(days=1))
    assert starts is not None and ends is not None
    group = int(form.group.data) if form.group.data else None
    details = program_setup.CampaignDetails(
        form.name.data or "", starts, ends, percent, tuple(form.stores.data or ()), group
    )
    db, scope = current_core().db, current_scope()
    try:
        if campaign_id is None:
            return program_setup.create_campaign(db, scope, details)
        return program_setup.update_campaign(db, scope, campaign_id, details)
    except CoreError as error:
        refused(form, error)
        return None


@bp.route("/campaigns")
@staff_required(StaffLevel.ADMIN)
def campaigns() -> str:
    with current_core().db.read() as session:
        try:
            page = program_setup.list_campaigns(session, current_scope(), request.args.get("cursor"))
        except CoreError:
            abort(404)
    return render_template("staff/campaigns.html", page=page, now=utcnow())


@bp.route("/campaigns/new", methods=["GET", "POST"])
@bp.route("/campaigns/<int:campaign_id>", methods=["GET", "POST"])
@staff_required(StaffLevel.ADMIN)
def campaign(campaign_id: int | None = None) -> Response | tuple[str, int]:
    found = _campaign(campaign_id) if campaign_id is not None else None
    form = _form(found)
    if form.validate_on_submit():
        saved = _save(form, campaign_id)
        if saved is not None:
            flash(_("Saved: %(name)s.", name=saved.name), "success")
            return redirect(url_for(".campaigns"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("staff/campaign.html", form=form, campaign=found), status


@bp.route("/campaigns/<int:campaign_id>/delete", methods=["POST"])
@staff_required(StaffLevel.ADMIN)
def delete_campaign(campaign_id: int) -> Response:
    found = _campaign(campaign_id)
    try:
        program_setup.delete_campaign(current_core().db, current_scope(), campaign_id)
    except CoreError as error:
        flash(refusal(error), "error")
        return redirect(url_for(".campaign", campaign_id=campaign_id))
    flash(_("Campaign %(name)s deleted.", name=found.name), "success")
    return redirect(url_for(".campaigns"))

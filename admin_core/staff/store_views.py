"""The merchant's admin runs the stores and the store groups: the same services as the API's,
with the admin's scope."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from ..context import current_core
from ..errors import CoreError, NotFound
from ..models import StaffLevel, Store, StoreGroup
from ..services import store_groups, stores
from ..services.staff import StaffScope
from ..services.store_hours import DAYS, day_text, parse_day
from .auth import current_scope, staff_required
from .blueprint import bp
from .forms import StoreForm, StoreGroupForm
from .messages import at_fields

# The service's names of the fields this form calls otherwise.
HOURS_FIELDS = {f"opening_hours.{day}": f"hours_{day}" for day in DAYS}


def store_choices(session: Session, scope: StaffScope) -> list[SelectChoice] | dict[str, list[SelectChoice]]:
    """Wherever a store is chosen: the stores, and the groups (each standing for its stores) when
    there are any."""
    shops = [SelectChoice(store.code, store.name) for store in scope.stores(session)]
    groups = [
        SelectChoice(store_groups.group_choice(group), group.name)
        for group in store_groups.all_groups(session, scope.merchant_id)
    ]
    return {_("Store groups"): groups, _("Stores"): shops} if groups else shops


def _coordinate(text: str | None) -> float | None:
    """What was typed ("45,46" too); what is no number goes on as one the service refuses."""
    if not text:
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return float("nan")


def _details(form: StoreForm) -> stores.StoreDetails:
    days = {day: parse_day(form[f"hours_{day}"].data or "") for day in DAYS}
    return stores.StoreDetails(
        name=form.name.data or "",
        address=form.address.data or "",
        opening_hours=days if any(days.values()) else None,
        latitude=_coordinate(form.latitude.data),
        longitude=_coordinate(form.longitude.data),
    )


def _store_form(store: Store | None) -> StoreForm:
    if store is None:
        return StoreForm()
    data = {
        "code": store.code,
        "name": store.name,
        "address": store.address,
        "latitude": "" if store.latitude is None else str(store.latitude),
        "longitude": "" if store.longitude is None else str(store.longitude),
    }
    for day in DAYS:
        data[f"hours_{day}"] = day_text((store.opening_hours or {}).get(day, []))
    return StoreForm(data=data)


def _store(code: str) -> Store:
    with current_core().db.read() as session:
        try:
            return stores.get_store(session, current_scope(), code)
        except NotFound:
            abort(404)


@bp.route("/stores")
@staff_required(StaffLevel.ADMIN)
def stores_page() -> str:
    with current_core().db.read() as session:
        try:
            page = stores.list_stores(session, current_scope(), request.args.get("cursor"))
        except CoreError:
            abort(404)
    return render_template("staff/stores.html", page=page)


@bp.route("/stores/new", methods=["GET", "POST"])
@staff_required(StaffLevel.ADMIN)
def new_store() -> Response | str | tuple[str, int]:
    form = _store_form(None)
    if form.validate_on_submit():
        try:
            made = stores.new_store(current_core().db, current_scope(), form.code.data or "", _details(form))
        except CoreError as error:
            at_fields(form, error, HOURS_FIELDS)
        else:
            flash(_("Store created: %(name)s.", name=made.name), "success")
            return redirect(url_for(".stores_page"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("staff/store.html", form=form, store=None, days=DAYS), status


@bp.route("/stores/<code>/edit", methods=["GET", "POST"])
@staff_required(StaffLevel.ADMIN)
def store(code: str) -> Response | str | tuple[str, int]:
    found = _store(code)
    form = _store_form(found)
    form.code.data = found.code  # it never changes
    if form.validate_on_submit():
        try:
            changed = stores.update_store(current_core().db, current_scope(), code, _details(form))
        except CoreError as error:
            at_fields(form, error, HOURS_FIELDS)
        else:
            flash(_("Saved: %(name)s.", name=changed.name), "success")
            return redirect(url_for(".stores_page"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("staff/store.html", form=form, store=found, days=DAYS), status


@bp.route("/stores/<code>/<action>", methods=["POST"])
@staff_required(StaffLevel.ADMIN)
def store_action(code: str, action: str) -> Response:
    if action not in ("switch-off", "switch-on"):
        abort(404)
    try:
        changed = stores.set_store_active(current_core().db, current_scope(), code, action == "switch-on")
    except NotFound:
        abort(404)
    if changed.active:
        flash(_("%(name)s is on again.", name=changed.name), "success")
    else:
        flash(
            _("%(name)s is switched off: it is no longer offered at the till.", name=changed.name), "success"
        )
    return redirect(url_for(".stores_page"))


def _group_form(group: StoreGroup | None) -> StoreGroupForm:
    if group is None:
        form = StoreGroupForm()
    else:
        form = StoreGroupForm(data={"name": group.name, "stores": [store.code for store in group.stores]})
    with current_core().db.read() as session:
        form.stores.choices = [SelectChoice(each.code, each.name) for each in current_scope().stores(session)]
    return form


def _group_details(form: StoreGroupForm) -> store_groups.GroupDetails:
    return store_groups.GroupDetails(form.name.data or "", tuple(form.stores.data or ()))


def _group(group_id: int) -> StoreGroup:
    with current_core().db.read() as session:
        try:
            return store_groups.get_group(session, current_scope(), group_id)
        except NotFound:
            abort(404)


@bp.route("/store-groups", methods=["GET", "POST"])
@staff_required(StaffLevel.ADMIN)
def store_groups_page() -> Response | str | tuple[str, int]:
    form = _group_form(None)
    if form.validate_on_submit():
        try:
            made = store_groups.new_group(current_core().db, current_scope(), _group_details(form))
        except CoreError as error:
            at_fields(form, error)
        else:
            flash(_("Group created: %(name)s.", name=made.name), "success")
            return redirect(url_for(".store_groups_page"))
    with current_core().db.read() as session:
        try:
            page = store_groups.list_groups(session, current_scope(), request.args.get("cursor"))
        except CoreError:
            abort(404)
    status = 422 if form.errors or form.form_errors else 200
    return render_template("staff/store_groups.html", page=page, form=form), status


@bp.route("/store-groups/<int:group_id>", methods=["GET", "POST"])
@staff_required(StaffLevel.ADMIN)
def store_group(group_id: int) -> Response | str | tuple[str, int]:
    found = _group(group_id)
    form = _group_form(found)
    if form.validate_on_submit():
        try:
            changed = store_groups.update_group(
                current_core().db, current_scope(), group_id, _group_details(form)
            )
        except CoreError as error:
            at_fields(form, error)
        else:
            flash(_("Saved: %(name)s.", name=changed.name), "success")
            return redirect(url_for(".store_groups_page"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("staff/store_group.html", form=form, group=found), status


@bp.route("/store-groups/<int:group_id>/delete", methods=["POST"])
@staff_required(StaffLevel.ADMIN)
def delete_store_group(group_id: int) -> Response:
    found = _group(group_id)
    store_groups.delete_group(current_core().db, current_scope(), group_id)
    flash(_("Group deleted: %(name)s. Its stores stay.", name=found.name), "success")
    return redirect(url_for(".store_groups_page"))

"""The merchant's admin sets up the hotspots: the same services as the API's, and the settings
checked by the same schema. The hotspot's page gives the splash address to paste into the
controller."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from ..context import current_core
from ..errors import CoreError, InvalidAtFields, InvalidFields, NotFound
from ..models import ContactRequired, Hotspot, HotspotKind, StaffLevel
from ..services import hotspots
from ..services.hotspots import CLEARABLE, HotspotOptions
from .auth import current_scope, staff_required
from .blueprint import bp
from .hotspot_forms import (
    KIND_NAMES,
    PREFIX,
    HotspotForm,
    form_class,
    form_data,
    hint,
    setting_names,
    settings_of,
)
from .messages import at_fields


def _merchant_id() -> int:
    return current_scope().merchant_id


def splash_address(hotspot: Hotspot) -> str:
    """Where the controller sends guests, on the site's public root (as the embed page shows it)."""
    root = str(current_app.config.get("SITE_URL") or request.host_url).rstrip("/")
    if hotspot.kind is HotspotKind.UNIFI:
        return f"{root}/guest/s/{hotspot.public_id}/"
    return f"{root}/wifi/{hotspot.public_id}"


def _form(kind: HotspotKind, hotspot: Hotspot | None) -> HotspotForm:
    form = form_class(kind)(data=form_data(hotspot) if hotspot else None)
    with current_core().db.read() as session:
        form.store.choices = [
            SelectChoice(store.code, store.name) for store in current_scope().stores(session)
        ]
    return form


def _options(form: HotspotForm) -> HotspotOptions:
    return HotspotOptions(
        session_minutes=form.session_minutes.data,
        up_kbps=form.up_kbps.data,
        down_kbps=form.down_kbps.data,
        quota_mb=form.quota_mb.data,
        landing_url=(form.landing_url.data or "").strip() or None,
        contact=ContactRequired(form.contact.data),
        terms_version=form.terms_version.data,
        privacy_version=form.privacy_version.data,
        terms_text=form.terms_text.data or "",
        privacy_text=form.privacy_text.data or "",
        guest_retention_days=form.guest_retention_days.data,
    )


def _refused(form: HotspotForm, kind: HotspotKind, error: CoreError) -> None:
    """The schema's refusals at their settings, in the staff member's words; the rest as the
    other forms say them."""
    if isinstance(error, InvalidFields) and not isinstance(error, InvalidAtFields):
        for name in error.fields:
            target = PREFIX + name
            if target in form and name in setting_names(kind):
                form[target].errors = [*form[target].errors, hint(name, not form[target].data)]
            elif not form.form_errors:
                form.form_errors.append(_("These settings do not fit this controller: check each of them."))
        return
    at_fields(form, error)


def _hotspot(public_id: str) -> Hotspot:
    with current_core().db.read() as session:
        try:
            return hotspots.get_hotspot(session, _merchant_id(), public_id)
        except NotFound:
            abort(404)


@bp.route("/hotspots")
@staff_required(StaffLevel.ADMIN)
def hotspots_page() -> str:
    with current_core().db.read() as session:
        try:
            rows, next_cursor = hotspots.list_hotspots_page(
                session, _merchant_id(), request.args.get("cursor")
            )
        except CoreError:
            abort(404)
    return render_template("staff/hotspots.html", hotspots=rows, next_cursor=next_cursor, kinds=KIND_NAMES)


@bp.route("/hotspots/new", methods=["GET", "POST"])
@staff_required(StaffLevel.ADMIN)
def new_hotspot() -> Response | str | tuple[str, int]:
    try:
        kind = HotspotKind(request.args.get("kind", ""))
    except ValueError:
        return render_template("staff/hotspot_kinds.html", kinds=KIND_NAMES)
    form = _form(kind, None)
    if form.validate_on_submit():
        core = current_core()
        try:
            made = hotspots.create_hotspot(
                core.db,
                _merchant_id(),
                form.store.data or "",
                kind,
                settings_of(form, kind),
                _options(form),
                (form.public_id.data or "").strip() or None,
                networks=core.settings.controller_networks,
            )
        except CoreError as error:
            _refused(form, kind, error)
        else:
            flash(_("Hotspot created: now paste its splash address into the controller."), "success")
            return redirect(url_for(".hotspot", public_id=made.public_id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "staff/hotspot.html",
        form=form,
        hotspot=None,
        kind=kind,
        kinds=KIND_NAMES,
        settings=setting_names(kind),
    ), status


@bp.route("/hotspots/<public_id>/edit", methods=["GET", "POST"])
@staff_required(StaffLevel.ADMIN)
def hotspot(public_id: str) -> Response | str | tuple[str, int]:
    found = _hotspot(public_id)
    form = _form(found.kind, found)
    if form.validate_on_submit():
        core = current_core()
        try:
            hotspots.update_hotspot(
                core.db,
                _merchant_id(),
                public_id,
                store_code=form.store.data,
                settings=settings_of(form, found.kind, found.settings),
                options=_options(form),
                cleared=frozenset(name for name in CLEARABLE if form[name].data in (None, "")),
                networks=core.settings.controller_networks,
            )
        except CoreError as error:
            _refused(form, found.kind, error)
        else:
            flash(_("Saved: %(name)s.", name=public_id), "success")
            return redirect(url_for(".hotspot", public_id=public_id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "staff/hotspot.html",
        form=form,
        hotspot=found,
        kind=found.kind,
        kinds=KIND_NAMES,
        settings=setting_names(found.kind),
        splash=splash_address(found),
    ), status


@bp.route("/hotspots/<public_id>/<action>", methods=["POST"])
@staff_required(StaffLevel.ADMIN)
def hotspot_action(public_id: str, action: str) -> Response:
    if action not in ("switch-off", "switch-on"):
        abort(404)
    try:
        hotspots.update_hotspot(
            current_core().db,
            _merchant_id(),
            public_id,
            options=HotspotOptions(enabled=action == "switch-on"),
        )
    except NotFound:
        abort(404)
    flash(_("Done."), "success")
    return redirect(url_for(".hotspots_page"))

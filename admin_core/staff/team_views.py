"""The merchant's admin manages staff accounts; managers see their store's. Managers (their store)
and the admin (every store) publish coupons."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from ..context import current_core
from ..errors import CoreError, NotFound
from ..models import Staff, StaffLevel
from ..services import staff as staff_service
from ..services.staff import StaffScope
from ..services.staff_invitations import Mailer, invite_staff, resend_invitation, send_reset_link
from ..services.store_coupons import MANAGING, coupons_in_scope, create_coupon, set_coupon_published
from .auth import current_scope, current_staff, staff_required
from .blueprint import bp
from .customer_group_views import audience_choices
from .forms import CouponForm, StaffDetailsForm, StaffForm, say_refusal
from .mails import staff_mailer
from .messages import refusal

STORE_REFUSALS = ("store_required", "unknown_store")


def _refuse(form: StaffDetailsForm, error: CoreError) -> None:
    """A refusal about the store at the store field (a store switched off meanwhile), the address
    taken at the e-mail field, others above."""
    field = form.store if error.code in STORE_REFUSALS else None
    if error.code == "staff_exists" and isinstance(form, StaffForm):
        field = form.email
    say_refusal(form, field, refusal(error))


def _stores(every: str | None) -> list[SelectChoice]:
    """The stores one may pick, with `every` first (its label) when "every store" is a choice."""
    with current_core().db.read() as session:
        stores = current_scope().stores(session)
    first = [SelectChoice("", every)] if every else []
    return first + [SelectChoice(store.code, store.name) for store in stores]


@bp.route("/team", methods=["GET", "POST"])
@staff_required(*MANAGING)
def team() -> Response | str | tuple[str, int]:
    scope = current_scope()
    stores = _stores(_("— (admins work at every store)"))
    # A new account is a till user (the form's first level) at the first store: a valid default.
    form = StaffForm(store=next((store.value for store in stores if store.value), ""))
    form.store.choices = stores
    status = 200
    if scope.level is StaffLevel.ADMIN and form.validate_on_submit():
        core = current_core()
        level = StaffLevel(form.level.data)
        new = staff_service.NewStaff(
            first_name=form.first_name.data or "",
            last_name=form.last_name.data or "",
            email=form.email.data or "",
            password=None,
            level=level,
            store=form.store.data or None,
            phone=form.phone.data or None,
        )
        try:
            with core.db.write() as session:
                made = invite_staff(session, staff_mailer(), scope, new)
        except CoreError as error:
            _refuse(form, error)
            status = 422
        else:
            flash(
                _(
                    "%(name)s is invited: a link to choose their password is on its way to %(email)s.",
                    name=f"{made.first_name} {made.last_name}",
                    email=made.email,
                ),
                "success",
            )
            return redirect(url_for(".team"))
    elif form.errors:
        status = 422
    with current_core().db.read() as session:
        members = staff_service.list_staff(session, scope)
    return render_template("staff/team.html", members=members, form=form), status


@bp.route("/team/<int:staff_id>", methods=["GET", "POST"])
@staff_required(StaffLevel.ADMIN)
def team_member(staff_id: int) -> Response | str | tuple[str, int]:
    core, scope = current_core(), current_scope()
    with core.db.read() as session:
        try:
            member = staff_service.get_staff(session, scope, staff_id)
        except NotFound:
            abort(404)
    form = StaffDetailsForm(
        data=asdict(staff_service.StaffDetails.of(member)) | {"level": member.level.value}
    )
    form.store.choices = _stores(_("— (admins work at every store)"))
    if form.validate_on_submit():
        details = staff_service.StaffDetails(
            first_name=form.first_name.data or "",
            last_name=form.last_name.data or "",
            level=StaffLevel(form.level.data),
            store=form.store.data or None,
            phone=form.phone.data or None,
        )
        try:
            changed = staff_service.change_staff(core.db, scope, staff_id, details)
        except CoreError as error:
            _refuse(form, error)
        else:
            flash(_("Saved: %(name)s.", name=f"{changed.first_name} {changed.last_name}"), "success")
            return redirect(url_for(".team"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("staff/team_member.html", member=member, form=form), status


def _send(send: Callable[[Session, Mailer, StaffScope, int], Staff], staff_id: int) -> str:
    """Sends a member a link; their address."""
    with current_core().db.write() as session:
        return send(session, staff_mailer(), current_scope(), staff_id).email


@bp.route("/team/<int:staff_id>/<action>", methods=["POST"])
@staff_required(StaffLevel.ADMIN)
def team_action(staff_id: int, action: str) -> Response:
    core, scope = current_core(), current_scope()
    done = _("Done.")
    try:
        if action in ("disable", "enable"):
            staff_service.set_staff_disabled(core.db, scope, staff_id, action == "disable")
        elif action == "reset-two-factor":
            staff_service.reset_two_factor(core.db, scope, staff_id)
        elif action == "resend-invitation":
            email = _send(resend_invitation, staff_id)
            done = _(
                "A new invitation is on its way to %(email)s; the earlier link no longer works.", email=email
            )
        elif action == "send-reset-link":
            email = _send(send_reset_link, staff_id)
            done = _("A link to choose a new password is on its way to %(email)s.", email=email)
        else:
            abort(404)
    except NotFound:
        abort(404)
    except CoreError as error:
        flash(refusal(error), "error")
    else:
        flash(done, "success")
    return redirect(url_for(".team"))


@bp.route("/coupons", methods=["GET", "POST"])
@staff_required(*MANAGING)
def coupons() -> Response | str | tuple[str, int]:
    scope = current_scope()
    form = CouponForm()
    form.store.choices = _stores(_("Every store") if scope.every_store else None)
    form.group.choices = audience_choices(scope.level is StaffLevel.ADMIN)
    status = 200
    if form.validate_on_submit():
        zone = ZoneInfo(current_staff().merchant.timezone)
        assert form.valid_from.data is not None and form.valid_until.data is not None
        try:
            create_coupon(
                current_core().db,
                scope,
                title=form.title.data or "",
                description=form.description.data or "",
                code=form.code.data or None,
                valid_from=datetime.combine(form.valid_from.data, time(0), zone),
                # Valid until the end of the last day, in the merchant's time zone.
                valid_until=datetime.combine(form.valid_until.data + timedelta(days=1), time(0), zone),
                store_code=form.store.data or None,
                uses_per_card=form.uses_per_card.data,
                group_id=int(form.group.data) if form.group.data else None,
            )
        except CoreError as error:
            form.form_errors.append(refusal(error))
            status = 422
        else:
            flash(_("Coupon published."), "success")
            return redirect(url_for(".coupons"))
    elif form.errors:
        status = 422
    with current_core().db.read() as session:
        listed = coupons_in_scope(session, scope)
    return render_template("staff/coupons.html", coupons=listed, form=form), status


@bp.route("/coupons/<int:coupon_id>/<action>", methods=["POST"])
@staff_required(*MANAGING)
def coupon_action(coupon_id: int, action: str) -> Response:
    if action not in ("withdraw", "publish"):
        abort(404)
    try:
        set_coupon_published(current_core().db, current_scope(), coupon_id, action == "publish")
    except NotFound:
        abort(404)
    flash(_("Done."), "success")
    return redirect(url_for(".coupons"))

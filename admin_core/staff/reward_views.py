"""The merchant's admin defines the rewards: the same services as the API's, with the admin's scope."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ..context import current_core
from ..errors import CoreError, NotFound
from ..models import Reward, StaffLevel
from ..services import logos, reward_admin
from .auth import current_scope, current_staff, staff_required
from .blueprint import bp
from .forms import RewardForm
from .messages import at_fields, reason
from .store_views import store_choices

# A picture opened on its own runs nothing and fetches nothing (an SVG, above all).
PICTURE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def _zone() -> ZoneInfo:
    return ZoneInfo(current_staff().merchant.timezone)


def _start(day: date | None) -> datetime | None:
    return datetime.combine(day, time(0), _zone()) if day else None


def _form(reward: Reward | None = None) -> RewardForm:
    if reward is None:
        form = RewardForm()
    else:
        zone = _zone()
        until = reward.active_until.astimezone(zone) - timedelta(days=1) if reward.active_until else None
        form = RewardForm(
            data={
                "name": reward.name,
                "description": reward.description,
                "points": reward.points,
                "stock": reward.stock,
                "per_customer_limit": reward.per_customer_limit,
                "active_from": reward.active_from.astimezone(zone).date() if reward.active_from else None,
                "active_until": until.date() if until else None,
                "stores": [store.code for store in reward.stores],
                "voucher_valid_days": reward.voucher_valid_days,
            }
        )
    with current_core().db.read() as session:
        form.stores.choices = store_choices(session, current_scope())
    return form


def _details(form: RewardForm) -> reward_admin.RewardDetails:
    until = form.active_until.data
    return reward_admin.RewardDetails(
        name=form.name.data or "",
        description=form.description.data or "",
        points=form.points.data or 0,
        stock=form.stock.data,
        per_customer_limit=form.per_customer_limit.data,
        active_from=_start(form.active_from.data),
        # Until the end of the last day, in the merchant's time zone.
        active_until=_start(until + timedelta(days=1)) if until else None,
        stores=tuple(form.stores.data or ()),
        voucher_valid_days=form.voucher_valid_days.data or 0,
    )


def _reward(reward_id: int) -> Reward:
    with current_core().db.read() as session:
        try:
            return reward_admin.get_reward(session, current_scope(), reward_id)
        except NotFound:
            abort(404)


@bp.route("/rewards")
@staff_required(StaffLevel.ADMIN)
def rewards() -> str:
    with current_core().db.read() as session:
        try:
            page = reward_admin.list_rewards(session, current_scope(), request.args.get("cursor"))
        except CoreError:
            abort(404)
    return render_template("staff/rewards.html", page=page)


@bp.route("/rewards/new", methods=["GET", "POST"])
@staff_required(StaffLevel.ADMIN)
def new_reward() -> Response | str | tuple[str, int]:
    form = _form()
    if form.validate_on_submit():
        try:
            made = reward_admin.create_reward(current_core().db, current_scope(), _details(form))
        except CoreError as error:
            at_fields(form, error)
        else:
            flash(_("Reward created: %(name)s. You can add a picture now.", name=made.name), "success")
            return redirect(url_for(".reward", reward_id=made.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("staff/reward.html", form=form, reward=None), status


@bp.route("/rewards/<int:reward_id>", methods=["GET", "POST"])
@staff_required(StaffLevel.ADMIN)
def reward(reward_id: int) -> Response | str | tuple[str, int]:
    found = _reward(reward_id)
    form = _form(found)
    if form.validate_on_submit():
        try:
            changed = reward_admin.update_reward(
                current_core().db, current_scope(), reward_id, _details(form)
            )
        except CoreError as error:
            at_fields(form, error)
        else:
            flash(_("Saved: %(name)s.", name=changed.name), "success")
            return redirect(url_for(".rewards"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("staff/reward.html", form=form, reward=found), status


@bp.route("/rewards/<int:reward_id>/<action>", methods=["POST"])
@staff_required(StaffLevel.ADMIN)
def reward_action(reward_id: int, action: str) -> Response:
    if action not in ("switch-off", "switch-on"):
        abort(404)
    try:
        reward_admin.set_reward_active(current_core().db, current_scope(), reward_id, action == "switch-on")
    except NotFound:
        abort(404)
    flash(_("Done."), "success")
    return redirect(url_for(".rewards"))


@bp.route("/rewards/<int:reward_id>/picture", methods=["POST"])
@staff_required(StaffLevel.ADMIN)
def reward_picture_upload(reward_id: int) -> Response:
    db, scope = current_core().db, current_scope()
    try:
        if request.form.get("remove"):
            reward_admin.remove_picture(db, scope, reward_id)
        else:
            upload = request.files.get("picture")
            reward_admin.set_picture(
                db, scope, reward_id, upload.read(logos.MAX_BYTES + 1) if upload else b""
            )
    except NotFound:
        abort(404)
    except reward_admin.InvalidReward as error:
        flash(reason(error.codes["picture"], error.fields["picture"][0]), "error")  # type: ignore[index]
    else:
        flash(_("Picture saved."), "success")
    return redirect(url_for(".reward", reward_id=reward_id))


@bp.route("/rewards/<int:reward_id>/picture", methods=["GET"])
@staff_required(StaffLevel.ADMIN)
def reward_picture(reward_id: int) -> Response:
    _reward(reward_id)  # the scope: another merchant's reward is no such thing
    with current_core().db.read() as session:
        picture = reward_admin.find_picture(session, current_scope().merchant_id, reward_id)
    if picture is None:
        abort(404)
    response = Response(picture.data, mimetype=picture.content_type)
    response.headers["Content-Security-Policy"] = PICTURE_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response

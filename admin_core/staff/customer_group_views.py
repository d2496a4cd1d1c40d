"""The merchant's admin keeps the customer groups: a list, a new manual group, the customers
list's search saved as a group, a group's page (rename, delete); and, on the customer card, the
manual groups the customer is in. The same services as the API's, with the admin's scope."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from ..context import current_core
from ..errors import CoreError, InvalidAtFields, NotFound
from ..models import CustomerGroup, GroupKind, StaffLevel
from ..services import customer_groups
from ..services.customer_filters import saved_search
from .auth import current_scope, staff_required
from .blueprint import bp
from .customer_forms import CustomerGroupForm, MembershipForm
from .messages import at_fields, reason, refusal

# The customers list's arguments that make its search, as a filter group keeps them.
SEARCH_ARGS = ("q", "marketing", "source", "store")
CONSENT = {"": None, "yes": True, "no": False}


def _group(group_id: int) -> CustomerGroup:
    with current_core().db.read() as session:
        try:
            return customer_groups.get_group(session, current_scope(), group_id)
        except NotFound:
            abort(404)


def _members(group: CustomerGroup) -> int:
    with current_core().db.read() as session:
        return customer_groups.count_members(session, group)


@bp.route("/groups", methods=["GET", "POST"])
@staff_required(StaffLevel.ADMIN)
def groups_page() -> Response | str | tuple[str, int]:
    form = CustomerGroupForm()
    if form.validate_on_submit():
        details = customer_groups.GroupDetails(form.name.data or "")
        try:
            made = customer_groups.new_group(current_core().db, current_scope(), details)
        except CoreError as error:
            at_fields(form, error)
        else:
            flash(
                _("Group created: %(name)s. Add customers from their customer card.", name=made.name),
                "success",
            )
            return redirect(url_for(".group_page", group_id=made.id))
    with current_core().db.read() as session:
        try:
            page = customer_groups.list_groups(session, current_scope(), request.args.get("cursor"))
        except CoreError:
            abort(404)
    status = 422 if form.errors or form.form_errors else 200
    return render_template("staff/groups.html", page=page, form=form), status


@bp.route("/groups/from-search", methods=["POST"])
@staff_required(StaffLevel.ADMIN)
def group_from_search() -> Response:
    """The customers list's search (its fields sent with the name) kept as a filter group."""
    form = CustomerGroupForm()
    kept: dict[str, str] = {key: request.form[key] for key in SEARCH_ARGS if request.form.get(key)}
    back = f"{url_for('.customers')}?{urlencode(kept)}"
    if not form.validate_on_submit():
        flash(" ".join(str(error) for errors in form.errors.values() for error in errors), "error")
        return redirect(back)
    marketing = request.form.get("marketing", "")
    search = {
        "q": request.form.get("q", ""),
        "marketing": CONSENT.get(marketing, marketing),
        "source": request.form.get("source") or None,
        "store": request.form.get("store") or None,
    }
    details = customer_groups.GroupDetails(form.name.data or "", GroupKind.FILTER, search)
    try:
        made = customer_groups.new_group(current_core().db, current_scope(), details)
    except InvalidAtFields as wrong:
        flash(" ".join(reason(code, message) for code, message in wrong.problems.values()), "error")
        return redirect(back)
    except CoreError as error:
        flash(refusal(error), "error")
        return redirect(back)
    flash(_("Group created: %(name)s. It holds whoever this search finds.", name=made.name), "success")
    return redirect(url_for(".group_page", group_id=made.id))


@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
@staff_required(StaffLevel.ADMIN)
def group_page(group_id: int) -> Response | str | tuple[str, int]:
    found = _group(group_id)
    form = CustomerGroupForm(data={"name": found.name})
    if form.validate_on_submit():
        details = customer_groups.GroupDetails(form.name.data or "", found.kind, found.search)
        try:
            with current_core().db.write() as session:
                changed = customer_groups.change_group(session, current_scope(), group_id, details)
        except CoreError as error:
            at_fields(form, error)
        else:
            flash(_("Saved: %(name)s.", name=changed.name), "success")
            return redirect(url_for(".group_page", group_id=group_id))
    search = saved_search(found.search) if found.search is not None else None
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "staff/group.html", group=found, form=form, search=search, members=_members(found)
    ), status


@bp.route("/groups/<int:group_id>/delete", methods=["POST"])
@staff_required(StaffLevel.ADMIN)
def delete_group(group_id: int) -> Response:
    found = _group(group_id)
    try:
        with current_core().db.write() as session:
            customer_groups.remove_group(session, current_scope(), group_id)
    except CoreError as error:
        flash(refusal(error), "error")
        return redirect(url_for(".group_page", group_id=group_id))
    flash(_("Group deleted: %(name)s. Its customers stay.", name=found.name), "success")
    return redirect(url_for(".groups_page"))


def audience_choices(scope_is_admin: bool) -> list[SelectChoice]:
    """A coupon's or a campaign's choice of customers: everyone, or (the admin's) one group."""
    everyone = [SelectChoice("", _("Every customer"))]
    if not scope_is_admin:
        return everyone
    with current_core().db.read() as session:
        groups = customer_groups.all_groups(session, current_scope().merchant_id)
    return [*everyone, *(SelectChoice(str(group.id), group.name) for group in groups)]


def group_choices(groups: list[CustomerGroup]) -> list[SelectChoice]:
    """The manual groups (a filter group's members are whoever its search finds)."""
    return [SelectChoice(str(group.id), group.name) for group in groups if group.kind is GroupKind.MANUAL]


def membership_form(groups: list[CustomerGroup]) -> MembershipForm:
    form = MembershipForm(formdata=None)
    form.group.choices = group_choices(groups)
    return form


@bp.route("/customers/<number>/groups", methods=["POST"])
@staff_required(StaffLevel.ADMIN)
def customer_group_add(number: str) -> Response:
    form = MembershipForm()
    with current_core().db.read() as session:
        form.group.choices = group_choices(customer_groups.all_groups(session, current_scope().merchant_id))
    if not form.validate_on_submit():
        flash(_("Choose a group from the list."), "error")
        return redirect(url_for(".customer", number=number))
    return _membership(number, int(form.group.data or 0), add=True)


@bp.route("/customers/<number>/groups/<int:group_id>/remove", methods=["POST"])
@staff_required(StaffLevel.ADMIN)
def customer_group_remove(number: str, group_id: int) -> Response:
    return _membership(number, group_id, add=False)


def _membership(number: str, group_id: int, *, add: bool) -> Response:
    change = customer_groups.add_member if add else customer_groups.remove_member
    try:
        with current_core().db.write() as session:
            change(session, current_scope(), group_id, number)
            name = customer_groups.get_group(session, current_scope(), group_id).name
    except NotFound:
        abort(404)
    except CoreError as error:
        flash(refusal(error), "error")
        return redirect(url_for(".customer", number=number))
    said = _("Added to %(name)s.", name=name) if add else _("Removed from %(name)s.", name=name)
    flash(said, "success")
    return redirect(url_for(".customer", number=number, _anchor="groups"))

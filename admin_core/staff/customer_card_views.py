"""The admin's customer card: the page with its forms, and the changes they send (details and
language, a manual adjustment, blocking, a lost card's replacement), each the API's service with
the admin's scope. A refused change is said at its field, and nothing changes."""

from __future__ import annotations

import secrets
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from ..context import current_core
from ..errors import CoreError, NotFound
from ..models import OperationKind, StaffLevel
from ..services import card_changes
from ..services.cards import CardReplaced
from ..services.customer_card import CustomerCard, customer_card
from ..services.customer_details import CustomerChanges, change_customer
from ..services.customer_groups import all_groups, manual_groups_of
from .auth import current_scope, current_staff, staff_required
from .blueprint import bp
from .customer_forms import AdjustmentForm, CustomerDetailsForm, ReplacementForm, language_choices
from .customer_group_views import membership_form
from .forms import page_view_key
from .messages import refusal

# Which field a service's refusal is about; the others are said above the form.
FIELD_OF = {
    "invalid_first_name": "first_name",
    "invalid_last_name": "last_name",
    "invalid_email": "email",
    "email_taken": "email",
    "invalid_phone": "phone",
    "invalid_birth_date": "birth_date",
    "too_young": "birth_date",
    "invalid_gender": "gender",
    "invalid_language": "locale",
    "invalid_points_change": "points",
    "insufficient_points": "points",
    "empty_adjustment": "points",
    "invalid_credit_change": "credit",
    "insufficient_credit": "credit",
    "reason_required": "reason",
    "reason_too_long": "reason",
    "invalid_card_number": "new_number",
    "same_number": "new_number",
    "card_exists": "new_number",
}


def _refused(form: FlaskForm, error: CoreError) -> None:
    name = FIELD_OF.get(error.code)
    if name is not None and name in form:
        form[name].errors = [*form[name].errors, refusal(error)]
    else:
        form.form_errors.append(refusal(error))


def _details_form(found: CustomerCard | None = None) -> CustomerDetailsForm:
    offered = current_staff().merchant.offered_locales.split(",")
    if found is None:
        form = CustomerDetailsForm()
    else:
        customer = found.card.customer
        form = CustomerDetailsForm(
            data={
                "first_name": customer.first_name,
                "last_name": customer.last_name,
                "email": customer.email or "",
                "phone": customer.phone or "",
                "birth_date": customer.birth_date,
                "gender": customer.gender or "",
                "locale": customer.locale or "",
            }
        )
    form.locale.choices = language_choices(offered)
    return form


def card_page(number: str, status: int = 200, **forms: FlaskForm) -> Response | tuple[str, int]:
    """The customer card with its forms: those given (with their errors), fresh ones otherwise;
    an old number leads to the card that replaced it."""
    with current_core().db.read() as session:
        try:
            found = customer_card(session, current_scope(), number)
        except CardReplaced as replaced:
            flash(_("Card %(old)s was replaced by card %(new)s.", old=number, new=replaced.number), "info")
            return redirect(url_for(".customer", number=replaced.number))
        except NotFound:
            abort(404)
        pages: dict[str, Any] = {
            "details": forms.get("details") or _details_form(found),
            "adjustment": forms.get("adjustment") or AdjustmentForm(formdata=None),
            "replacement": forms.get("replacement") or ReplacementForm(formdata=None),
        }
        pages["adjustment"].adjustment_attempt.data = secrets.token_urlsafe(16)
        pages["replacement"].replacement_attempt.data = secrets.token_urlsafe(16)
        groups = manual_groups_of(session, current_scope(), found.card.customer_id)
        others = [group for group in all_groups(session, found.card.merchant_id) if group not in groups]
        pages["membership"] = membership_form(others)
        merchant = current_staff().merchant
        return render_template(
            "staff/customer.html", found=found, merchant=merchant, groups=groups, **pages
        ), status


def _status(error: CoreError) -> int:
    return 409 if error.status == 409 else 422


@bp.route("/customers/<number>/details", methods=["POST"])
@staff_required(StaffLevel.ADMIN)
def customer_details(number: str) -> Response | tuple[str, int]:
    form = _details_form()
    if not form.validate():
        return card_page(number, 422, details=form)
    changes = CustomerChanges(
        first_name=form.first_name.data or "",
        last_name=form.last_name.data or "",
        email=form.email.data or "",
        phone=form.phone.data or "",
        birth_date=form.birth_date.data,
        clear_birth_date=form.birth_date.data is None,
        gender=form.gender.data or "",
        locale=form.locale.data or "",
    )
    try:
        change_customer(current_core().db, current_scope(), number, changes)
    except NotFound:
        abort(404)
    except CoreError as error:
        _refused(form, error)
        return card_page(number, _status(error), details=form)
    flash(_("Saved."), "success")
    return redirect(url_for(".customer", number=number))


@bp.route("/customers/<number>/adjustments", methods=["POST"])
@staff_required(StaffLevel.ADMIN)
def customer_adjustment(number: str) -> Response | tuple[str, int]:
    form = AdjustmentForm()
    if not form.validate():
        return card_page(number, 422, adjustment=form)
    scope, currency = current_scope(), current_staff().merchant.currency
    try:
        adjustment = card_changes.Adjustment(
            card_changes.typed_change(form.points.data or "", OperationKind.EARN_POINTS, currency),
            card_changes.typed_change(form.credit.data or "", OperationKind.TOPUP_CREDIT, currency),
            form.reason.data or "",
        )
        card_changes.once(
            current_core().db,
            scope,
            page_view_key(form.adjustment_attempt.data),
            ["adjustment", number, adjustment.points, adjustment.credit, adjustment.reason],
            lambda session: card_changes.adjust(session, scope, number, adjustment),
        )
    except NotFound:
        abort(404)
    except CoreError as error:
        _refused(form, error)
        return card_page(number, _status(error), adjustment=form)
    flash(_("Done: the card is updated."), "success")
    return redirect(url_for(".customer", number=number))


@bp.route("/customers/<number>/<any(block, unblock):action>", methods=["POST"])
@staff_required(StaffLevel.ADMIN)
def customer_block(number: str, action: str) -> Response:
    try:
        card_changes.set_blocked(current_core().db, current_scope(), number, action == "block")
    except NotFound:
        abort(404)
    except CoreError as error:  # an old number: its page leads to the new card
        flash(refusal(error), "error")
    else:
        flash(_("The card is blocked.") if action == "block" else _("The card works again."), "success")
    return redirect(url_for(".customer", number=number))


@bp.route("/customers/<number>/replacement", methods=["POST"])
@staff_required(StaffLevel.ADMIN)
def customer_replacement(number: str) -> Response | tuple[str, int]:
    form = ReplacementForm()
    if not form.validate():
        return card_page(number, 422, replacement=form)
    scope = current_scope()
    try:
        outcome = card_changes.once(
            current_core().db,
            scope,
            page_view_key(form.replacement_attempt.data),
            ["replacement", number, form.new_number.data or ""],
            lambda session: card_changes.replace(session, scope, number, form.new_number.data),
        )
    except NotFound:
        abort(404)
    except CoreError as error:
        _refused(form, error)
        return card_page(number, _status(error), replacement=form)
    new = str(outcome.body["number"])
    flash(_("Card %(old)s is replaced by card %(new)s.", old=number, new=new), "success")
    return redirect(url_for(".customer", number=new))

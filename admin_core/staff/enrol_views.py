"""The till enrols a walk-in customer: a pre-printed card handed over (its number typed or
scanned) or a new number, with the marketing choice asked there and then."""

from __future__ import annotations

import secrets

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField, TelField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..context import current_core
from ..errors import CoreError, NotFound
from ..services import till
from ..services.enrolment import NewCustomer, enrol_at_till
from .auth import current_scope, current_staff, staff_required
from .blueprint import bp
from .customer_forms import language_choices
from .forms import page_view_key, say_refusal, strip
from .messages import refusal

FIELD_OF = {
    "invalid_first_name": "first_name",
    "invalid_last_name": "last_name",
    "invalid_email": "email",
    "email_taken": "email",
    "invalid_phone": "phone",
    "invalid_language": "locale",
    "invalid_card_number": "number",
    "card_exists": "number",
    "store_required": "store",
    "unknown_store": "store",
    "store_inactive": "store",
}


class NewCustomerForm(FlaskForm):
    attempt = HiddenField(validators=[Length(max=64)])  # one per page view: a double tap enrols once
    first_name = StringField(
        _l("First name"),
        validators=[DataRequired(_l("Enter the first name.")), Length(max=100)],
        filters=[strip],
    )
    last_name = StringField(_l("Last name"), validators=[Length(max=100)], filters=[strip])
    email = EmailField(_l("E-mail (optional)"), validators=[Length(max=254)], filters=[strip])
    phone = TelField(_l("Phone (optional)"), validators=[Length(max=32)], filters=[strip])
    locale = SelectField(_l("Language"), default="")
    marketing = BooleanField(_l("Agrees to receive offers and news"))
    number = StringField(
        _l("Card number (empty: a new number)"),
        validators=[Length(max=64)],
        filters=[strip],
        render_kw={"autocomplete": "off", "inputmode": "numeric"},
    )
    store = SelectField(_l("Store"))


def _form() -> NewCustomerForm:
    form = NewCustomerForm()
    offered = current_staff().merchant.offered_locales.split(",")
    form.locale.choices = language_choices(offered)
    try:
        with current_core().db.read() as session:
            stores = till.stores_for_till(session, current_scope())
    except NotFound:
        stores = []
    form.store.choices = [SelectChoice(store.code, store.name) for store in stores]
    return form


def _page(form: NewCustomerForm, status: int = 200) -> tuple[str, int]:
    form.attempt.data = form.attempt.data or secrets.token_urlsafe(16)
    return render_template("staff/new_customer.html", form=form), status


@bp.route("/customers/new", methods=["GET", "POST"])
@staff_required()
def new_customer() -> Response | tuple[str, int]:
    form = _form()
    if not form.is_submitted():
        return _page(form)
    if not form.validate():
        return _page(form, 422)
    new = NewCustomer(
        first_name=form.first_name.data or "",
        last_name=form.last_name.data or "",
        email=form.email.data or "",
        phone=form.phone.data or "",
        locale=form.locale.data or "",
        marketing=bool(form.marketing.data),
        number=form.number.data or "",
        store=form.store.data or None,
    )
    try:
        outcome = enrol_at_till(current_core().db, current_scope(), new, page_view_key(form.attempt.data))
    except CoreError as error:
        name = FIELD_OF.get(error.code)
        say_refusal(form, form[name] if name is not None else None, refusal(error))
        return _page(form, 422 if error.status == 422 else 409)
    body = outcome.body
    name = " ".join(part for part in (body["first_name"], body["last_name"]) if part)
    flash(_("Card %(number)s made for %(name)s.", number=body["card_number"], name=name), "success")
    return redirect(url_for(".card", number=body["card_number"]))

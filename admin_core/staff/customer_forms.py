"""The customer card's forms (one page holds them all, so their field names differ). Their rules
are the services'; these say what is missing at once, in the staff member's language."""

from __future__ import annotations

from babel import Locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectField, StringField, TelField
from wtforms.fields import DateField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from loyalty_common.rules import LOCALES

from ..services.card_changes import MAX_REASON
from .forms import strip

GENDER_NAMES = {
    "": _l("Not given"),
    "female": _l("Female"),
    "male": _l("Male"),
    "other": _l("Other"),
    "undisclosed": _l("Prefers not to say"),
}


def language_choices(offered: list[str]) -> list[SelectChoice]:
    """Not given, then the merchant's offered languages, each in its own words, in the site's order."""
    return [
        SelectChoice("", _l("Not given")),
        *(
            SelectChoice(code, Locale.parse(code).get_display_name(code))
            for code in LOCALES
            if code in offered
        ),
    ]


class CustomerDetailsForm(FlaskForm):
    first_name = StringField(
        _l("First name"),
        validators=[DataRequired(_l("Enter the first name.")), Length(max=100)],
        filters=[strip],
    )
    last_name = StringField(_l("Last name"), validators=[Length(max=100)], filters=[strip])
    email = EmailField(_l("E-mail"), validators=[Length(max=254)], filters=[strip])
    phone = TelField(_l("Phone"), validators=[Length(max=32)], filters=[strip])
    birth_date = DateField(_l("Date of birth"), validators=[Optional()], render_kw={"autocomplete": "off"})
    gender = SelectField(
        _l("Gender"), choices=[SelectChoice(value, label) for value, label in GENDER_NAMES.items()]
    )
    locale = SelectField(_l("Language"))


class AdjustmentForm(FlaskForm):
    adjustment_attempt = HiddenField()  # one per page view: a double submit records once
    points = StringField(
        _l("Points to add (a minus takes them)"),
        validators=[Length(max=20)],
        filters=[strip],
        render_kw={"inputmode": "numeric"},
    )
    credit = StringField(
        _l("Credit to add, like 5.00 or -2.50"),
        validators=[Length(max=20)],
        filters=[strip],
        render_kw={"inputmode": "decimal"},
    )
    reason = StringField(
        _l("Reason"),
        validators=[DataRequired(_l("Say why the balances change.")), Length(max=MAX_REASON)],
        filters=[strip],
    )


class ReplacementForm(FlaskForm):
    replacement_attempt = HiddenField()
    new_number = StringField(
        _l("The new card's number (empty: make one)"),
        validators=[Length(max=40)],
        filters=[strip],
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )


class CustomerGroupForm(FlaskForm):
    """A group's name; saving the customers list's search as a group also sends that search."""

    name = StringField(
        _l("Name (e.g. Regulars)"),
        validators=[DataRequired(_l("Give the group a name.")), Length(max=200)],
        filters=[strip],
    )


class MembershipForm(FlaskForm):
    group = SelectField(_l("Add to the group"), validate_choice=True)

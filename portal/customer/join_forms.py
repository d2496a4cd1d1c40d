"""The web sign-up form. It applies the rules the core applies (loyalty_common.rules) so that every
mistake is shown at once, in the customer's language; the core checks again and has the last word."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, SelectField, StringField, TelField
from wtforms.fields import DateField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from loyalty_common.error_codes import Code
from loyalty_common.rules import (
    EARLIEST_BIRTH_DATE,
    MAX_NAME,
    MIN_AGE,
    age_on,
    is_person_name,
    is_phone_number,
    is_possible_birth_date,
)

from .forms import ActivationForm, email_field, strip


def phone_number(_form: FlaskForm, field: Field) -> None:
    if not is_phone_number(" ".join(field.data.split())):
        raise ValidationError(_l("Enter a phone number of 6 to 20 digits; spaces, + and - are fine."))


def person_name(message: str) -> Callable[[FlaskForm, Field], None]:
    def check(_form: FlaskForm, field: Field) -> None:
        if field.data and not is_person_name(field.data):
            raise ValidationError(message)

    return check


def birth_date(_form: FlaskForm, field: Field) -> None:
    born: date | None = field.data
    if born is None:  # not a date at all: the field has said so already
        return
    today = date.today()
    if not is_possible_birth_date(born, today):
        raise ValidationError(_l("This date of birth is not possible."))
    if age_on(born, today) < MIN_AGE:
        raise ValidationError(_l("You need to be at least %(age)d to get a card online.", age=MIN_AGE))


class SignupForm(FlaskForm):
    """What every sign-up asks: the web form here, and the Wi-Fi splash (captive/forms.py)."""

    first_name = StringField(
        _l("First name"),
        validators=[
            DataRequired(_l("Enter your first name.")),
            Length(max=MAX_NAME),
            person_name(_l("Write your first name with letters (spaces, ' - and . are fine).")),
        ],
        filters=[strip],
        render_kw={"autocomplete": "given-name", "maxlength": 100},
    )
    email = email_field(_l("E-mail"))
    phone = TelField(
        _l("Phone (optional)"),
        validators=[Optional(), phone_number],
        filters=[strip],
        render_kw={"autocomplete": "tel"},
    )
    terms = BooleanField(
        _l("I accept the rules of the loyalty program"),
        validators=[DataRequired(_l("Accept the rules to get a card."))],
    )
    privacy = BooleanField(
        _l("I have read how my details are used"),
        validators=[DataRequired(_l("Confirm you have read how your details are used."))],
    )
    marketing = BooleanField(_l("Send me offers and news (optional)"))


class JoinForm(SignupForm):
    last_name = StringField(
        _l("Last name"),
        validators=[
            DataRequired(_l("Enter your last name.")),
            Length(max=MAX_NAME),
            person_name(_l("Write your last name with letters (spaces, ' - and . are fine).")),
        ],
        filters=[strip],
        render_kw={"autocomplete": "family-name", "maxlength": 100},
    )
    gender = SelectField(
        _l("Gender (optional)"),
        choices=[
            SelectChoice("", "—"),
            SelectChoice("female", _l("Female")),
            SelectChoice("male", _l("Male")),
            SelectChoice("other", _l("Other")),
            SelectChoice("undisclosed", _l("Prefer not to say")),
        ],
        default="",
        render_kw={"autocomplete": "sex"},
    )
    birth_date = DateField(
        _l("Date of birth (optional)"),
        validators=[Optional(), birth_date],
        render_kw={"autocomplete": "bday", "min": EARLIEST_BIRTH_DATE.isoformat()},
    )
    password = ActivationForm.password
    confirm = ActivationForm.confirm

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # A new dict: render_kw is shared by every form built from the class.
        self.birth_date.render_kw = {**self.birth_date.render_kw, "max": date.today().isoformat()}


# The core's codes for rules the forms also check (its answer wins if they ever disagree).
CORE_ERRORS = {
    "invalid_first_name": ("first_name", _l("Enter your first name.")),
    "invalid_last_name": ("last_name", _l("Enter your last name.")),
    "invalid_email": ("email", _l("This is not a valid e-mail address.")),
    "invalid_phone": ("phone", _l("Enter a phone number of 6 to 20 digits; spaces, + and - are fine.")),
    "phone_required": ("phone", _l("Enter your phone number.")),
    "contact_required": ("email", _l("Enter an e-mail address or a phone number.")),
    "invalid_birth_date": ("birth_date", _l("This date of birth is not possible.")),
    "too_young": ("birth_date", _l("You need to be at least %(age)d to get a card online.", age=MIN_AGE)),
    Code.PASSWORD_TOO_SHORT: ("password", _l("This password cannot be used. Choose another one.")),
    Code.PASSWORD_TOO_LONG: ("password", _l("This password cannot be used. Choose another one.")),
    "terms_required": ("terms", _l("Accept the rules to get a card.")),
    "privacy_required": ("privacy", _l("Confirm you have read how your details are used.")),
}


def show_core_error(form: FlaskForm, code: str) -> None:
    """The core refused the sign-up: say why next to the field, or above the form."""
    name, message = CORE_ERRORS.get(code, ("", None))
    field = getattr(form, name, None) if name else None
    if field is not None and message is not None:
        field.errors.append(message)
    else:
        form.form_errors.append(_l("Some of these details cannot be used. Check them and try again."))

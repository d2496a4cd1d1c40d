"""The admin's stamp card form, and the till's one-tap stamp."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ..services.stamp_cards import MAX_NAME, MAX_STAMPS_NEEDED, MAX_VALID_DAYS
from .forms import strip


class StampCardForm(FlaskForm):
    name = StringField(
        _l("What earns a stamp"),
        validators=[DataRequired(_l("Say what earns a stamp, like “coffee”.")), Length(max=MAX_NAME)],
        filters=[strip],
    )
    stamps_needed = IntegerField(
        _l("Stamps that fill the card"),
        default=10,
        validators=[
            InputRequired(_l("Enter how many stamps fill the card.")),
            NumberRange(2, MAX_STAMPS_NEEDED, _l("From 2 to %(most)s stamps.", most=MAX_STAMPS_NEEDED)),
        ],
    )
    reward_id = SelectField(_l("A full card becomes a voucher for"), coerce=int, validate_choice=True)
    voucher_valid_days = IntegerField(
        _l("Days the voucher is valid"),
        default=30,
        validators=[
            InputRequired(_l("Enter a number of days.")),
            NumberRange(1, MAX_VALID_DAYS, _l("From 1 to 366 days.")),
        ],
    )
    stores = SelectMultipleField(_l("Stamps given at (none chosen: every store)"), validate_choice=True)

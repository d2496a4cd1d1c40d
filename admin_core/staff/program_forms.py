"""The forms of the program's pages: tiers, campaigns, points rates. The services check the same
rules; these say what is wrong at once, at the field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields import DateField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from .forms import strip

MULTIPLIER_HELP = _l("Enter a multiplier from 1 to 10, like 1.5.")


class TierForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Give the tier a name.")), Length(max=64)])
    threshold = IntegerField(
        _l("Points earned in the tier period to reach it"),
        validators=[
            InputRequired(_l("Enter the points that reach this tier.")),
            NumberRange(0, 1_000_000, _l("From 0 to 1,000,000 points.")),
        ],
    )
    benefits = TextAreaField(_l("Benefits (optional)"), validators=[Length(max=2000)])
    multiplier = StringField(
        _l("Purchase points multiplier (1 to 10, like 1.5)"),
        default="1",
        validators=[DataRequired(MULTIPLIER_HELP), Length(max=12)],
        filters=[strip],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )


class CampaignForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Give the campaign a name.")), Length(max=200)]
    )
    starts_at = DateField(_l("First day"), validators=[DataRequired(_l("Choose the first day."))])
    ends_at = DateField(_l("Last day (included)"), validators=[DataRequired(_l("Choose the last day."))])
    multiplier = StringField(
        _l("Purchase points multiplier (1 to 10, like 2; empty: points as usual)"),
        validators=[Optional(), Length(max=12)],
        filters=[strip],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    stores = SelectMultipleField(_l("At (none chosen: every store)"), validate_choice=True)
    group = SelectField(_l("Multiplier only for the customer group"), validate_choice=True, default="")


class RateForm(FlaskForm):
    rate = IntegerField(
        _l("Points per currency unit (empty: the merchant's rate)"),
        validators=[Optional(), NumberRange(0, 1000, _l("From 0 to 1000, or empty."))],
    )

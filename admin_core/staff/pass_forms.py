"""The forms of passes (the admin's kinds, the till's sale), and of the till's one-tap actions: a
pass's entry, a coupon's use."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..services.offers import MAX_ENTRIES
from ..services.pass_sales import MAX_NAME, MAX_VALIDITY_DAYS
from .forms import strip


class PassKindForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Give the pass a name, like “10 entries”.")), Length(max=MAX_NAME)],
        filters=[strip],
    )
    entries = IntegerField(
        _l("Entries (empty: unlimited within the validity)"),
        validators=[Optional(), NumberRange(1, MAX_ENTRIES)],
        render_kw={"inputmode": "numeric"},
    )
    validity_days = IntegerField(
        _l("Valid for (days from the sale)"),
        validators=[
            DataRequired(_l("Say for how many days it is valid.")),
            NumberRange(1, MAX_VALIDITY_DAYS),
        ],
        render_kw={"inputmode": "numeric"},
    )
    price = StringField(
        _l("Price"),
        validators=[DataRequired(_l("Enter the price, like 50.00."))],
        filters=[strip],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    active = BooleanField(_l("On sale"), default=True)


class PassSaleForm(FlaskForm):
    attempt = HiddenField(validators=[Length(max=64)])  # one per page view: a double tap sells once
    kind = SelectField(_l("Pass"), coerce=int, validate_choice=False)
    store = SelectField(_l("Store"))


class AttemptForm(FlaskForm):
    attempt = HiddenField(validators=[Length(max=64)])  # one per page view: a double tap does it once
    store = SelectField(_l("Store"))

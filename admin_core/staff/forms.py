"""The staff UI's forms. Their rules are the services' too; these say what is wrong at once, in the
staff member's language."""

from __future__ import annotations

import secrets

from babel.dates import get_day_names
from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.fields import DateField, Field
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from loyalty_common.rules import MAX_PASSWORD, MIN_PASSWORD

from ..services.offers import MAX_USES
from ..services.store_hours import DAYS


def say_refusal(form: FlaskForm, field: Field | None, message: str) -> None:
    """A service's refusal, said at the field it is about, or above the form."""
    if field is None:
        form.form_errors.append(message)
    else:
        field.errors = [*field.errors, message]


MAX_ATTEMPT = 64  # a page view's key, as the page gives it


def page_view_key(sent: str | None) -> str:
    """The page view's key; one the page never gave (none, or too long) is a send of its own."""
    return sent if sent and len(sent) <= MAX_ATTEMPT else secrets.token_urlsafe(16)


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def new_password(label: str) -> PasswordField:
    """A password being chosen: the same rule and messages wherever staff choose one."""
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("Choose a password.")),
            Length(
                min=MIN_PASSWORD,
                max=MAX_PASSWORD,
                message=_l("At least %(min)d characters.", min=MIN_PASSWORD),
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ForgotPasswordForm(FlaskForm):
    # An address is one account per merchant: several merchants' staff may share it.
    merchant = StringField(
        _l("Merchant (the name after /p/ in your portal's address)"),
        validators=[DataRequired(_l("Enter your merchant.")), Length(max=64)],
        filters=[strip],
        render_kw={"autocomplete": "organization", "autocapitalize": "none"},
    )
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(_l("Enter your e-mail address.")), Length(max=254)],
        filters=[strip],
        render_kw={"autocomplete": "username"},
    )


class LoginForm(ForgotPasswordForm):
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=MAX_PASSWORD)],
        render_kw={"autocomplete": "current-password"},
    )


class NewPasswordForm(FlaskForm):
    new = new_password(_l("New password"))


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code from your authenticator app"),
        validators=[DataRequired(_l("Enter the 6-digit code.")), Length(max=12)],
        filters=[strip],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class CardLookupForm(FlaskForm):
    number = StringField(
        _l("Card number or scan"),
        validators=[DataRequired(_l("Type or scan a card number.")), Length(max=64)],
        filters=[strip],
        render_kw={"autocomplete": "off", "inputmode": "numeric", "autofocus": True},
    )


class OperationForm(FlaskForm):
    attempt = HiddenField(validators=[Length(max=64)])  # one per page view: a double tap records once
    kind = SelectField(
        _l("Operation"),
        choices=[
            SelectChoice("purchase", _l("Purchase: the receipt's amount")),
            SelectChoice("earn_points", _l("Add points")),
            SelectChoice("redeem_points", _l("Take points off")),
            SelectChoice("topup_credit", _l("Top up prepaid credit")),
            SelectChoice("spend_credit", _l("Pay with prepaid credit")),
        ],
    )
    amount = StringField(
        _l("Points, or amount of money"),
        validators=[DataRequired(_l("Enter how many points, or how much money."))],
        filters=[strip],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    store = SelectField(_l("Store"))


class VoucherForm(FlaskForm):
    code = StringField(
        _l("Voucher code"),
        validators=[DataRequired(_l("Type the code on the customer's voucher.")), Length(max=32)],
        filters=[strip],
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )
    store = SelectField(_l("Store"))


class CouponForm(FlaskForm):
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Give the coupon a title.")), Length(max=200)]
    )
    description = TextAreaField(_l("Description (optional)"), validators=[Length(max=2000)])
    code = StringField(
        _l("Code to show at the till (optional)"), validators=[Length(max=32)], filters=[strip]
    )
    valid_from = DateField(_l("Valid from"), validators=[DataRequired(_l("Choose the first day."))])
    valid_until = DateField(
        _l("Valid until (included)"), validators=[DataRequired(_l("Choose the last day."))]
    )
    store = SelectField(_l("For the customers of"))
    group = SelectField(_l("Only for the customer group"), validate_choice=True, default="")
    uses_per_card = IntegerField(
        _l("Uses per customer (empty: no limit)"),
        default=1,
        validators=[Optional(), NumberRange(1, MAX_USES)],
        render_kw={"inputmode": "numeric"},
    )


class StaffDetailsForm(FlaskForm):
    first_name = StringField(
        _l("First name"), validators=[DataRequired(_l("Enter the first name.")), Length(max=100)]
    )
    last_name = StringField(
        _l("Last name"), validators=[DataRequired(_l("Enter the last name.")), Length(max=100)]
    )
    phone = TelField(_l("Phone (optional)"), validators=[Optional(), Length(max=32)], filters=[strip])
    level = SelectField(
        _l("Level"),
        choices=[
            SelectChoice("USER", _l("User: the till")),
            SelectChoice("MANAGER", _l("Manager: the till, the store's coupons and figures")),
            SelectChoice("ADMIN", _l("Admin: every store, staff, settings")),
        ],
    )
    store = SelectField(_l("Store"))

    def validate_store(self, field: SelectField) -> None:
        """A manager or a user works at one store; an admin at every store."""
        if self.level.data == "ADMIN" and field.data:
            raise ValidationError(_l("An admin works at every store: choose —."))
        if self.level.data != "ADMIN" and not field.data:
            raise ValidationError(_l("Choose a store."))


class StaffForm(StaffDetailsForm):
    email = EmailField(
        _l("E-mail (their login)"),
        validators=[
            DataRequired(_l("Enter the e-mail address.")),
            Email(_l("This is not a valid e-mail address."), check_deliverability=False),
            Length(max=254),
        ],
        filters=[strip],
    )


class PasswordChangeForm(NewPasswordForm):
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )


class SettingsForm(FlaskForm):
    portal_enabled = BooleanField(_l("The customer portal is on"))
    header_text = TextAreaField(_l("Header text"), validators=[Length(max=500)])
    footer_text = TextAreaField(_l("Footer text"), validators=[Length(max=1000)])
    accent_color = StringField(_l("Accent colour"), render_kw={"type": "color"})
    accent_text_color = StringField(_l("Text on the accent colour"), render_kw={"type": "color"})
    default_locale = SelectField(_l("Default language"))
    offered_locales = StringField(_l("Languages offered (codes, comma-separated)"))
    timezone = StringField(_l("Time zone"), validators=[DataRequired(), Length(max=64)])
    currency = StringField(_l("Currency"), validators=[DataRequired(), Length(min=3, max=3)])
    embed_origins = TextAreaField(_l("Websites allowed to embed the portal (one origin per line)"))
    points_per_unit = IntegerField(_l("Points per currency unit spent"), validators=[NumberRange(0, 1000)])
    points_validity_months = IntegerField(
        _l("Months points stay valid without purchases (0: always)"), validators=[NumberRange(0, 120)]
    )
    tier_period_months = IntegerField(_l("Months counted for tiers"), validators=[NumberRange(1, 60)])
    terms_url = StringField(_l("Address of the program's rules (optional)"), validators=[Length(max=500)])
    privacy_url = StringField(_l("Address of the privacy notice (optional)"), validators=[Length(max=500)])
    staff_2fa_required = BooleanField(_l("Every staff member must use two-factor login"))


class RewardForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Give the reward a name.")), Length(max=200)])
    description = TextAreaField(_l("Description (optional)"), validators=[Length(max=2000)])
    points = IntegerField(
        _l("Points it costs"),
        validators=[
            InputRequired(_l("Enter what it costs in points.")),
            NumberRange(1, 1_000_000, _l("From 1 to 1,000,000 points.")),
        ],
    )
    stock = IntegerField(
        _l("How many there are (empty: unlimited)"),
        validators=[Optional(), NumberRange(0, 1_000_000, _l("From 0 to 1,000,000, or empty."))],
    )
    per_customer_limit = IntegerField(
        _l("Times one customer may take it (empty: no limit)"),
        validators=[Optional(), NumberRange(1, 1000, _l("From 1 to 1000, or empty."))],
    )
    active_from = DateField(_l("From (optional)"), validators=[Optional()])
    active_until = DateField(_l("Until, included (optional)"), validators=[Optional()])
    stores = SelectMultipleField(_l("Collected at (none chosen: every store)"), validate_choice=True)
    voucher_valid_days = IntegerField(
        _l("Days a voucher is valid"),
        default=30,
        validators=[
            InputRequired(_l("Enter a number of days.")),
            NumberRange(1, 366, _l("From 1 to 366 days.")),
        ],
    )


def _day_name(index: int) -> str:
    """The weekday in the staff member's language, from the locale's own data (Monday is 0)."""
    return str(get_day_names("wide", locale=get_locale())[index]).capitalize()


class StoreForm(FlaskForm):
    """A store's details; the hours are one field a day ("09:00-13:00, 15:00-19:30"; empty:
    closed), checked by the service, which says what is wrong at the day."""

    code = StringField(
        _l("Code (letters, digits, - or _; it never changes)"),
        validators=[DataRequired(_l("Give the store a code.")), Length(max=32)],
        filters=[strip],
        render_kw={"autocapitalize": "characters", "autocomplete": "off"},
    )
    name = StringField(_l("Name"), validators=[DataRequired(_l("Give the store a name.")), Length(max=200)])
    address = TextAreaField(_l("Address (optional)"), validators=[Length(max=500)])
    latitude = StringField(
        _l("Latitude (optional, e.g. 45.4642)"), filters=[strip], render_kw={"inputmode": "decimal"}
    )
    longitude = StringField(
        _l("Longitude (optional, e.g. 9.1900)"), filters=[strip], render_kw={"inputmode": "decimal"}
    )


for _index, _day in enumerate(DAYS):
    setattr(
        StoreForm,
        f"hours_{_day}",
        StringField(
            LazyString(_day_name, _index),
            validators=[Length(max=200)],
            render_kw={"autocomplete": "off", "placeholder": "09:00-13:00, 15:00-19:30"},
        ),
    )
del _index, _day


class StoreGroupForm(FlaskForm):
    name = StringField(
        _l("Name (e.g. Milan shops)"),
        validators=[DataRequired(_l("Give the group a name.")), Length(max=200)],
    )
    stores = SelectMultipleField(_l("Its stores"), validate_choice=True)

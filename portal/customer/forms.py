from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from loyalty_common.rules import MAX_PASSWORD, MIN_PASSWORD


def strip(value: str | None) -> str | None:
    """Phone keyboards add spaces after autocompleted words."""
    return value.strip() if isinstance(value, str) else value


def email_field(label: str) -> EmailField:
    """An e-mail address field: the same rules and messages on every form."""
    return EmailField(
        label,
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Email(_l("This is not a valid e-mail address."), check_deliverability=False),
            Length(max=254),
        ],
        filters=[strip],
        render_kw={"autocomplete": "email"},
    )


class ConfirmForm(FlaskForm):
    """A button that acts on an e-mailed link: opening the link only shows it."""


class LoginForm(FlaskForm):
    card = StringField(
        _l("Card number"),
        validators=[
            DataRequired(_l("Enter the number printed under the barcode.")),
            Length(max=64),
        ],
        render_kw={
            "autocomplete": "username",
            "inputmode": "numeric",
            "autocapitalize": "characters",
        },
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=MAX_PASSWORD)],
        render_kw={"autocomplete": "current-password"},
    )


class ActivationForm(FlaskForm):
    card = LoginForm.card
    email = email_field(_l("E-mail you gave the shop"))
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(_l("Choose a password.")),
            Length(
                min=MIN_PASSWORD,
                max=MAX_PASSWORD,
                message=_l("The password needs at least %(min)d characters.", min=MIN_PASSWORD),
            ),
        ],
        render_kw={"autocomplete": "new-password", "minlength": MIN_PASSWORD},
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(_l("Enter the password a second time.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )

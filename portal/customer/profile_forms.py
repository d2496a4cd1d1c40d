"""The profile page's forms: one per section, each with its own button, so that a mistake in one
never loses what was typed in another. Rules repeat the core's; the core has the last word."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length

from loyalty_common.rules import MAX_PASSWORD

from ..i18n import offered_languages
from .forms import ActivationForm, email_field, strip
from .join_forms import JoinForm


class SectionForm(FlaskForm):
    class Meta:
        # The page carries one CSRF token for all its forms; CSRFProtect checks it on every POST
        # before any view runs.
        csrf = False


def _password(label: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[DataRequired(_l("Enter your password.")), Length(max=MAX_PASSWORD)],
        render_kw={"autocomplete": "current-password"},
    )


class DetailsForm(SectionForm):
    first_name = JoinForm.first_name
    last_name = StringField(
        _l("Last name"),
        validators=[Length(max=100)],
        filters=[strip],
        render_kw={"autocomplete": "family-name", "maxlength": 100},
    )
    phone = JoinForm.phone
    submit = SubmitField(_l("Save my details"))


class LanguageForm(SectionForm):
    locale = SelectField(_l("Language"))
    submit = SubmitField(_l("Save the language"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # The merchant's languages, each named in itself and marked so for screen readers.
        self.locale.choices = [
            SelectChoice(code, name, render_kw={"lang": code}) for code, name in offered_languages()
        ]


class ChoicesForm(SectionForm):
    notify_email = BooleanField(_l("E-mails about my card"))
    notify_sms = BooleanField(_l("Text messages (SMS) about my card"))
    marketing = BooleanField(_l("Send me offers and news"))
    submit = SubmitField(_l("Save my choices"))


class PasswordForm(SectionForm):
    current = _password(_l("Current password"))
    password = ActivationForm.password
    confirm = ActivationForm.confirm
    submit = SubmitField(_l("Change my password"))


class EmailForm(SectionForm):
    email = email_field(_l("New e-mail address"))
    password = _password(_l("Your password"))
    submit = SubmitField(_l("Send me a confirmation link"))


class DeleteForm(SectionForm):
    password = _password(_l("Your password"))
    submit = SubmitField(_l("Delete my account"))


SECTIONS: dict[str, type[SectionForm]] = {
    "details": DetailsForm,
    "language": LanguageForm,
    "choices": ChoicesForm,
    "password": PasswordForm,
    "email": EmailForm,
    "delete": DeleteForm,
}

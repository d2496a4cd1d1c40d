"""Forgotten password: the e-mail address to send links to, then the new password."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from .forms import ActivationForm, email_field


class ResetForm(FlaskForm):
    email = email_field(_l("Your e-mail address"))


class NewPasswordForm(FlaskForm):
    password = ActivationForm.password
    confirm = ActivationForm.confirm

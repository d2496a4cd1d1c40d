"""The wallet credentials' forms. The files are read by the views (request.files): the services
check what they hold."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from .forms import strip


class WalletForm(FlaskForm):
    team_id = StringField(_l("Team ID"), filters=[strip], validators=[DataRequired(), Length(max=10)])
    pass_type_id = StringField(
        _l("Pass Type ID (like pass.com.example.loyalty)"),
        filters=[strip],
        validators=[DataRequired(), Length(max=255)],
    )
    password = PasswordField(
        _l("Password of the .p12 file or of the key (if any)"), validators=[Length(max=200)]
    )
    apns_key_id = StringField(
        _l("APNs key ID (with a .p8 key)"), filters=[strip], validators=[Length(max=10)]
    )
    apns_team_id = StringField(
        _l("Team ID of the APNs key (empty: the same)"), filters=[strip], validators=[Length(max=10)]
    )


class GoogleWalletForm(FlaskForm):
    issuer_id = StringField(
        _l("Issuer ID (from the Google Pay & Wallet Console)"),
        filters=[strip],
        validators=[DataRequired(), Length(max=32)],
    )

"""The hotspot form: the splash's options, and the controller's settings built from the schema the
API checks them with (services/hotspot_settings.py), so that the two cannot differ. Secrets are
write-only: never shown, and left empty on an edit they stay as they are."""

from __future__ import annotations

from functools import cache
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from marshmallow import fields, validate
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..models import ContactRequired, Hotspot, HotspotKind
from ..services.hotspot_settings import SCHEMAS, SECRETS
from ..services.hotspots import MAX_TEXT

PREFIX = "setting_"
KIND_NAMES = {
    HotspotKind.OPENNDS: "openNDS",
    HotspotKind.MERAKI: "Cisco Meraki",
    HotspotKind.UNIFI: "Ubiquiti UniFi",
    HotspotKind.MIKROTIK: "MikroTik",
    HotspotKind.COOVA: "CoovaChilli",
}
LABELS: dict[str, LazyString] = {
    "fas_level": _l("FAS level"),
    "faskey": _l("FAS key (faskey)"),
    "gateway_address": _l("Gateway address with its port (e.g. 192.168.1.1:2050)"),
    "mode": _l("Splash mode"),
    "username": _l("Username"),
    "password": _l("Password"),
    "controller_url": _l("Controller address (e.g. https://192.168.1.2:8443)"),
    "site": _l("UniFi site id"),
    "unifi_os": _l("UniFi OS (UDM, Cloud Key G2)"),
    "verify_tls": _l("Check the controller's TLS certificate"),
    "router_address": _l("Router address (where link-login-only points)"),
    "credentials": _l("Guest accounts"),
    "api_url": _l("RouterOS REST API address (e.g. https://10.5.50.1/rest)"),
    "api_username": _l("REST API username"),
    "api_password": _l("REST API password"),
    "user_profile": _l("User profile (optional)"),
    "uamsecret": _l("UAM secret (uamsecret)"),
    "uam_address": _l("UAM address, uamip:uamport (optional)"),
}
CHOICES: dict[str, LazyString] = {
    "1": _l("Level 1: base64 query"),
    "2": _l("Level 2: encrypted query"),
    "click-through": _l("Click-through"),
    "sign-on": _l("Sign-on with a guest account"),
    "shared": _l("One shared account for registered guests"),
    "per_guest": _l("A user per guest (REST API)"),
}
CALLED_HINT = _l(
    "Write an http(s) address the site may call: a public one, or in the networks the operator allows."
)
# What each setting must be, said at the field when the schema refuses it.
HINTS: dict[str, LazyString] = {
    "fas_level": _l("Choose level 1 or 2."),
    "faskey": _l("8 to 64 letters and digits, and not openNDS's example key."),
    "gateway_address": _l("Write the gateway's address with its port, like 192.168.1.1:2050."),
    "mode": _l("Choose click-through or sign-on."),
    "username": _l("Enter the username (and its password)."),
    "controller_url": CALLED_HINT,
    "api_url": CALLED_HINT,
    "site": _l("1 to 64 letters, digits, - or _."),
    "router_address": _l("Write the address as host or host:port, like 10.5.50.1."),
    "uam_address": _l("Write the address as host or host:port, like 10.1.0.1:3990."),
    "credentials": _l("Choose how guests get online."),
}
OPTIONS = (
    "session_minutes",
    "up_kbps",
    "down_kbps",
    "quota_mb",
    "landing_url",
    "terms_version",
    "terms_text",
    "privacy_version",
    "privacy_text",
    "guest_retention_days",
)
SECRET_HINT = _l("Enter it (again after an address changed: saved secrets are never shown or sent back).")
OTHER_HINT = _l("This does not fit this controller: check it.")
FILL_IN = _l("Fill this in.")


class HotspotForm(FlaskForm):
    """The options every kind has; the settings are added per kind (`form_class`)."""

    public_id = StringField(
        _l("Hotspot id (optional: a random one; for UniFi, the UniFi site's id)"),
        validators=[Optional(), Length(max=64)],
        render_kw={"autocapitalize": "none", "autocomplete": "off"},
    )
    store = SelectField(_l("Store"))
    session_minutes = IntegerField(
        _l("Minutes online per sign-in"), validators=[InputRequired(FILL_IN)], default=60
    )
    up_kbps = IntegerField(_l("Upload limit, kbit/s (optional)"), validators=[Optional()])
    down_kbps = IntegerField(_l("Download limit, kbit/s (optional)"), validators=[Optional()])
    quota_mb = IntegerField(_l("Data limit, MB (optional)"), validators=[Optional()])
    landing_url = StringField(_l("Page shown once online (optional)"), validators=[Length(max=500)])
    contact = SelectField(
        _l("The sign-up asks for"),
        choices=[
            SelectChoice(ContactRequired.EMAIL.value, _l("an e-mail address")),
            SelectChoice(ContactRequired.PHONE.value, _l("a phone number")),
            SelectChoice(ContactRequired.EITHER.value, _l("an e-mail address or a phone number")),
        ],
    )
    terms_version = StringField(_l("Version of the terms"), validators=[DataRequired(FILL_IN)], default="1")
    terms_text = TextAreaField(_l("Terms of use of the Wi-Fi"), validators=[Length(max=MAX_TEXT)])
    privacy_version = StringField(
        _l("Version of the privacy notice"), validators=[DataRequired()], default="1"
    )
    privacy_text = TextAreaField(_l("Privacy notice of the Wi-Fi"), validators=[Length(max=MAX_TEXT)])
    guest_retention_days = IntegerField(
        _l("Days a Wi-Fi-only guest is kept after their last visit"),
        validators=[InputRequired(FILL_IN)],
        default=365,
    )


def _setting_field(name: str, field: fields.Field) -> Any:
    label = LABELS.get(name, name)
    if name in SECRETS:
        return PasswordField(label, render_kw={"autocomplete": "new-password"})
    if isinstance(field, fields.Boolean):
        return BooleanField(
            label, default=bool(field.load_default) if isinstance(field.load_default, bool) else False
        )
    one_of = next((rule for rule in field.validators if isinstance(rule, validate.OneOf)), None)
    if one_of is not None:
        return SelectField(
            label,
            choices=[SelectChoice(str(each), CHOICES.get(str(each), str(each))) for each in one_of.choices],
        )
    default = field.load_default if isinstance(field.load_default, str) else None
    return StringField(label, default=default, render_kw={"autocapitalize": "none", "autocomplete": "off"})


@cache
def form_class(kind: HotspotKind) -> type[HotspotForm]:
    """The hotspot form with `kind`'s settings, each named `setting_<name>`."""
    settings = SCHEMAS[kind]().fields
    return type(
        f"{kind.name.title()}HotspotForm",
        (HotspotForm,),
        {PREFIX + name: _setting_field(name, field) for name, field in settings.items()},
    )


def setting_names(kind: HotspotKind) -> list[str]:
    return list(SCHEMAS[kind]().fields)


def settings_of(
    form: HotspotForm, kind: HotspotKind, current: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What the form says of the settings, for the schema to check. An empty secret is left out
    (on an edit: kept). On an edit (`current`), only what changed is sent, an emptied setting as
    None (removed), so that an address left as it was is not checked again."""
    out: dict[str, Any] = {}
    for name, field in SCHEMAS[kind]().fields.items():
        value = form[PREFIX + name].data
        if isinstance(value, str):
            value = value.strip()
            if isinstance(field, fields.Integer) and value.isdigit():
                value = int(value)
        if value in ("", None):
            if current is not None and name not in SECRETS and name in current:
                out[name] = None
            continue
        if current is None or current.get(name) != value:
            out[name] = value
    return out


def form_data(hotspot: Hotspot) -> dict[str, Any]:
    """An edit form's first values: the options and the settings, never a secret."""
    data: dict[str, Any] = {
        name: getattr(hotspot, name) for name in HotspotForm.__dict__ if not name.startswith("_")
    }
    data.update(public_id=hotspot.public_id, store=hotspot.store.code, contact=hotspot.contact.value)
    for name, value in hotspot.settings.items():
        if name not in SECRETS:
            data[PREFIX + name] = (
                str(value) if isinstance(value, int) and not isinstance(value, bool) else value
            )
    return data


def hint(name: str, empty: bool) -> str:
    """What a setting the schema refused must be."""
    if empty and name in SECRETS:
        return str(SECRET_HINT)
    if name in HINTS:
        return str(HINTS[name])
    return str(FILL_IN if empty else OTHER_HINT)

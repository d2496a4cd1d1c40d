"""The splash's forms: the sign-up (the web sign-up's fields, as short as a venue allows) and the
returning guest's one tap."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired, Email, Length, Optional

from portal.customer.join_forms import SignupForm, phone_number

TERMS_ERROR = _l("Accept the terms to go online.")
PRIVACY_ERROR = _l("Confirm you have read the privacy notice.")


class SplashForm(SignupForm):
    """First name, the contact detail the venue asks for (`contact`: email, phone or either), the
    terms, privacy notice and marketing choice."""

    terms = BooleanField(
        _l("I accept the Wi-Fi terms of use and the rules of the loyalty program"),
        validators=[DataRequired(TERMS_ERROR)],
    )
    privacy = BooleanField(_l("I have read the privacy notice"), validators=[DataRequired(PRIVACY_ERROR)])

    def __init__(self, contact: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contact = contact
        if contact != "email":
            self.email.validators = [
                Optional(),
                Email(_l("This is not a valid e-mail address."), check_deliverability=False),
                Length(max=254),
            ]
            self.email.flags.required = False
        if contact == "phone":
            self.phone.validators = [DataRequired(_l("Enter your phone number.")), phone_number]
            self.phone.flags.required = True
            self.phone.label.text = _l("Phone")
            self.email.label.text = _l("E-mail (optional)")
        elif contact == "either":
            self.phone.label.text = _l("Phone")

    def validate(self, extra_validators: Any = None) -> bool:
        valid: bool = super().validate(extra_validators)
        if valid and self.contact == "either" and not (self.email.data or self.phone.data):
            self.email.errors = [_l("Enter an e-mail address or a phone number.")]
            return False
        return valid


class WelcomeBackForm(FlaskForm):
    """One tap for a device seen before; the two boxes only when the venue's wording changed since
    the guest accepted it. Its fields are prefixed ("back-"): the sign-up form is on the same page."""

    terms = BooleanField(_l("I accept the Wi-Fi terms of use and the rules of the loyalty program"))
    privacy = BooleanField(_l("I have read the privacy notice"))

    def __init__(self, needs_consent: bool, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="back", **kwargs)
        self.needs_consent = needs_consent

    def validate(self, extra_validators: Any = None) -> bool:
        valid: bool = super().validate(extra_validators)
        if self.needs_consent:
            if not self.terms.data:
                self.terms.errors = [TERMS_ERROR]
                valid = False
            if not self.privacy.data:
                self.privacy.errors = [PRIVACY_ERROR]
                valid = False
        return valid

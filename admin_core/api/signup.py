"""Web sign-up for a new card, for the portal site (site key only)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from loyalty_common.rules import MAX_PASSWORD

from ..context import current_core
from ..services import signup
from ..services.consents import ConsentContext
from .auth import authenticate, portal_merchant, require_site

blp = Blueprint("signup", __name__, description="Web sign-up for a new card (site key only)")
blp.before_request(authenticate)
blp.before_request(require_site)

SOURCE = "portal_join"


def _optional(field: type[fields.Field], **options: Any) -> fields.Field:
    return field(load_default=None, allow_none=True, **options)


class JoinSchema(Schema):
    """Types and sizes only; the rules (names, e-mail, phone, age, consents) are the service's, so
    every broken one answers 422 with its own code."""

    first_name = fields.String(required=True, validate=validate.Length(max=1000))
    last_name = fields.String(required=True, validate=validate.Length(max=1000))
    email = fields.String(required=True, validate=validate.Length(max=1000))
    phone = _optional(fields.String, validate=validate.Length(max=100))
    gender = _optional(fields.String, validate=validate.Length(max=32), metadata={"enum": signup.GENDERS})
    birth_date = _optional(fields.Date)
    locale = _optional(fields.String, validate=validate.Length(max=8))
    store = _optional(fields.String, validate=validate.Length(max=32), metadata={"description": "Home store"})
    password = _optional(
        fields.String,
        validate=validate.Length(max=MAX_PASSWORD),
        metadata={"description": "Set when the e-mailed link is followed; none: no link is issued"},
    )
    terms = fields.Boolean(required=True, metadata={"description": "Must be true"})
    privacy = fields.Boolean(required=True, metadata={"description": "Must be true"})
    marketing = fields.Boolean(load_default=False)
    ip_address = _optional(fields.IP, metadata={"description": "The customer's, kept with the consents"})


class JoinResultSchema(Schema):
    outcome = fields.Enum(signup.SignupOutcome, by_value=True, required=True)
    card = fields.String(required=True, metadata={"description": "The new card, or the one the address has"})
    email = fields.String(required=True)
    first_name = fields.String(required=True, metadata={"description": "As on file"})
    locale = fields.String(allow_none=True)
    token = fields.String(allow_none=True, metadata={"description": "Activation link's token"})
    expires_at = fields.DateTime(allow_none=True)


@blp.route("/join", methods=["POST"])
@blp.arguments(JoinSchema)
@blp.response(201, JoinResultSchema, description="A new card")
@blp.alt_response(200, schema=JoinResultSchema, description="The address has a card already; nothing done")
def join(payload: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """A new customer with a new card and their consents. Errors: 422 with the code of the first
    broken rule (invalid_first_name, invalid_last_name, invalid_email, invalid_phone,
    invalid_gender, invalid_birth_date, too_young, password_too_short, terms_required,
    privacy_required, unknown_store)."""
    merchant = portal_merchant()
    core = current_core()
    ip_address = payload.pop("ip_address")
    result = signup.join(
        core.db,
        core.passwords,
        merchant,
        signup.SignupRequest(**payload),
        ConsentContext(SOURCE, ip_address=str(ip_address) if ip_address else None),
        core.settings.activation_max_age,
    )
    ticket = result.activation
    body = {
        "outcome": result.outcome,
        "card": result.card_number,
        "email": result.email,
        "first_name": result.first_name,
        "locale": result.locale,
        "token": ticket.token if ticket else None,
        "expires_at": ticket.expires_at if ticket else None,
    }
    return body, 201 if result.outcome is signup.SignupOutcome.CREATED else 200

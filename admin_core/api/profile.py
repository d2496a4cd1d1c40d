"""The customer's own account, for the portal site: profile, consents, password, e-mail address,
a copy of their data, deleting the account. Every call about a card carries the site session's
`X-Card-Version`: once the password changes, the old session can read and change nothing."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..context import current_core
from ..errors import Unauthorized
from ..models import Card
from ..services import portal_auth, profile
from ..services.consents import ConsentContext
from .auth import authenticate, portal_merchant, require_site
from .schemas import CardSchema, Password, TokenSchema, card_body

blp = Blueprint("profile", __name__, description="The customer's account (site key only)")
blp.before_request(authenticate)
blp.before_request(require_site)

SESSION_DOC = {
    "parameters": [
        {
            "in": "header",
            "name": "X-Card-Version",
            "required": True,
            "schema": {"type": "integer"},
            "description": "The card's credentials version when the customer logged in",
        }
    ]
}
ClientIp = fields.IP(
    load_default=None,
    metadata={"description": "The customer's IP address, as the site saw it (kept with consents)"},
)


class ProfileSchema(Schema):
    number = fields.String(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    locale = fields.String(allow_none=True)
    marketing_consent = fields.Boolean(required=True)
    notify_email = fields.Boolean(required=True)
    notify_sms = fields.Boolean(required=True)


class ProfileChangesSchema(Schema):
    """Only the fields sent change. A consent that changes is recorded with `ip_address`."""

    first_name = fields.String(validate=validate.Length(max=200))
    last_name = fields.String(validate=validate.Length(max=200))
    phone = fields.String(validate=validate.Length(max=64), metadata={"description": "Empty: remove"})
    locale = fields.String(validate=validate.Length(2, 8))
    marketing_consent = fields.Boolean()
    notify_email = fields.Boolean()
    notify_sms = fields.Boolean()
    ip_address = ClientIp


class PasswordChangeSchema(Schema):
    current_password = Password
    new_password = Password


class EmailChangeSchema(Schema):
    password = Password
    new_email = fields.String(required=True, validate=validate.Length(1, 254))


class EmailChangeTicketSchema(Schema):
    token = fields.String(required=True)
    new_email = fields.String(required=True)
    old_email = fields.String(allow_none=True)
    first_name = fields.String(required=True)
    locale = fields.String(allow_none=True)
    expires_at = fields.DateTime(required=True)


class DeletionSchema(Schema):
    password = Password
    ip_address = ClientIp


class ExportSchema(Schema):
    exported_at = fields.String(required=True)
    merchant = fields.Dict(required=True)
    customer = fields.Dict(required=True, metadata={"description": "Details and current choices"})
    consents = fields.List(fields.Dict(), required=True, metadata={"description": "Every consent record"})
    cards = fields.List(
        fields.Dict(),
        required=True,
        metadata={"description": "The customer's cards: balances, operations, vouchers, passes"},
    )


def profile_body(card: Card) -> dict[str, Any]:
    customer = card.customer
    return {
        "number": card.number,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "email": customer.email,
        "phone": customer.phone,
        "locale": customer.locale,
        "marketing_consent": customer.marketing_consent,
        "notify_email": customer.notify_email,
        "notify_sms": customer.notify_sms,
    }


def _card_version() -> int:
    """The session's version; `authenticate` has refused it already if the card's has moved on.
    The services check it again inside their transaction."""
    raw = request.headers.get("X-Card-Version", "")
    if not raw.isdigit():
        raise Unauthorized("session_required", "Send the customer's session as 'X-Card-Version'.")
    return int(raw)


def _context(payload: dict[str, Any], source: str) -> ConsentContext:
    address = payload.get("ip_address")
    return ConsentContext(source=source, ip_address=str(address) if address is not None else None)


@blp.route("/cards/<number>/profile", methods=["GET"])
@blp.response(200, ProfileSchema)
@blp.doc(**SESSION_DOC)
def read_profile(number: str) -> dict[str, Any]:
    merchant = portal_merchant()
    card = profile.get_profile(current_core().db, merchant.id, number, _card_version())
    return profile_body(card)


@blp.route("/cards/<number>/profile", methods=["POST"])
@blp.arguments(ProfileChangesSchema)
@blp.response(200, ProfileSchema)
@blp.doc(**SESSION_DOC)
def update_profile(payload: dict[str, Any], number: str) -> dict[str, Any]:
    merchant = portal_merchant()
    names = ("first_name", "last_name", "phone", "locale", "marketing_consent", "notify_email", "notify_sms")
    changes = profile.ProfileChanges(**{name: payload[name] for name in names if name in payload})
    card = profile.update_profile(
        current_core().db,
        merchant.id,
        number,
        _card_version(),
        changes,
        _context(payload, "portal_profile"),
    )
    return profile_body(card)


@blp.route("/cards/<number>/password", methods=["POST"])
@blp.arguments(PasswordChangeSchema)
@blp.response(200, CardSchema)
@blp.doc(**SESSION_DOC)
def change_password(payload: dict[str, Any], number: str) -> dict[str, Any]:
    """Needs the current password; the answer carries the new credentials version."""
    merchant = portal_merchant()
    core = current_core()
    card = portal_auth.change_password(
        core.db,
        core.passwords,
        merchant.id,
        number,
        _card_version(),
        payload["current_password"],
        payload["new_password"],
    )
    return card_body(card, merchant)


@blp.route("/cards/<number>/email", methods=["POST"])
@blp.arguments(EmailChangeSchema)
@blp.response(202, EmailChangeTicketSchema)
@blp.doc(**SESSION_DOC)
def start_email_change(payload: dict[str, Any], number: str) -> dict[str, Any]:
    """A token for the site to e-mail to the new address; the old one stays until it is used."""
    merchant = portal_merchant()
    core = current_core()
    ticket = portal_auth.start_email_change(
        core.db,
        core.passwords,
        merchant.id,
        number,
        _card_version(),
        payload["password"],
        payload["new_email"],
        core.settings.email_change_max_age,
    )
    return vars(ticket)


@blp.route("/email-changes/complete", methods=["POST"])
@blp.arguments(TokenSchema)
@blp.response(200, CardSchema)
def complete_email_change(payload: dict[str, Any]) -> dict[str, Any]:
    merchant = portal_merchant()
    card = portal_auth.complete_email_change(current_core().db, merchant.id, payload["token"])
    return card_body(card, merchant)


@blp.route("/cards/<number>/export", methods=["GET"])
@blp.response(200, ExportSchema)
@blp.doc(**SESSION_DOC)
def export_data(number: str) -> dict[str, Any]:
    merchant = portal_merchant()
    return profile.export_customer_data(current_core().db, merchant.id, number, _card_version())


@blp.route("/cards/<number>/deletion", methods=["POST"])
@blp.arguments(DeletionSchema)
@blp.response(204)
@blp.doc(**SESSION_DOC)
def delete_account(payload: dict[str, Any], number: str) -> None:
    """Erase the customer's personal data (needs the password); the card's ledger stays."""
    merchant = portal_merchant()
    core = current_core()
    profile.delete_account(
        core.db,
        core.passwords,
        merchant.id,
        number,
        _card_version(),
        payload["password"],
        _context(payload, "portal_deletion"),
    )

"""What the portal site needs: the merchant's portal settings, customers' credentials, e-mail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..context import current_core
from ..models import Merchant
from ..services import mail_queue, portal_auth
from ..services.program import tiers
from ..services.wallets import Wallets, wallets_offered
from .auth import authenticate, portal_merchant, require_site, scope
from .schemas import (
    ActivationStartSchema,
    ActivationTicketSchema,
    CardSchema,
    LinkCheckSchema,
    LoginSchema,
    MailSchema,
    PortalMerchantSchema,
    QueuedSchema,
    TokenSchema,
    card_body,
)

blp = Blueprint("portal", __name__, description="For the portal site (site key only)")
blp.before_request(authenticate)
blp.before_request(require_site)


@dataclass(frozen=True)
class PortalMerchant:
    merchant: Merchant
    wallets: Wallets

    def __getattr__(self, name: str) -> Any:
        return getattr(self.merchant, name)


@blp.route("/merchant", methods=["GET"])
@blp.response(200, PortalMerchantSchema)
def read_merchant() -> PortalMerchant:
    merchant = scope().merchant
    with current_core().db.read() as session:
        return PortalMerchant(merchant, wallets_offered(session, merchant.id))


class LevelSchema(Schema):
    name = fields.String(required=True)
    threshold = fields.Integer(required=True, metadata={"description": "Points earned in the tier period"})
    benefits = fields.String(required=True)
    multiplier = fields.Function(
        lambda tier: tier.multiplier_percent / 100,
        required=True,
        metadata={"type": "number", "description": "Purchase points are multiplied by it"},
    )


class ProgramSchema(Schema):
    points_per_unit = fields.Integer(required=True, metadata={"description": "Per currency unit spent"})
    currency = fields.String(required=True)
    points_validity_months = fields.Integer(allow_none=True, metadata={"description": "None: never expire"})
    tier_period_months = fields.Integer(required=True)
    tiers = fields.List(fields.Nested(LevelSchema), required=True)
    terms_url = fields.String(allow_none=True)
    privacy_url = fields.String(allow_none=True)


@blp.route("/program", methods=["GET"])
@blp.response(200, ProgramSchema)
def read_program() -> dict[str, Any]:
    """The program's rules as the portal shows them."""
    merchant = portal_merchant()
    with current_core().db.read() as session:
        levels = tiers(session, merchant.id)
    return {**ProgramSchema(exclude=("tiers",)).dump(merchant), "tiers": levels}


@blp.route("/login", methods=["POST"])
@blp.arguments(LoginSchema)
@blp.response(200, CardSchema)
def login(payload: dict[str, Any]) -> dict[str, Any]:
    merchant = portal_merchant()
    core = current_core()
    card = portal_auth.authenticate(
        core.db, core.passwords, merchant.id, payload["card"], payload["password"]
    )
    return card_body(card, merchant)


@blp.route("/activations", methods=["POST"])
@blp.arguments(ActivationStartSchema)
@blp.response(202, ActivationTicketSchema)
def start_activation(payload: dict[str, Any]) -> dict[str, Any]:
    """A token to e-mail when card and e-mail match and the card has no password yet;
    `already_active` (no token) when it has one, for a notice to its owner; all null otherwise.
    The customer is told nothing different."""
    merchant = portal_merchant()
    core = current_core()
    ticket = portal_auth.start_activation(
        core.db,
        core.passwords,
        merchant.id,
        payload["card"],
        payload["email"],
        payload["password"],
        core.settings.activation_max_age,
    )
    if ticket is None:
        return {
            "token": None,
            "already_active": False,
            "email": None,
            "first_name": None,
            "locale": None,
            "expires_at": None,
        }
    if isinstance(ticket, portal_auth.ActiveCardNotice):
        return {**vars(ticket), "token": None, "already_active": True, "expires_at": None}
    return {**vars(ticket), "already_active": False}


class LinkSchema(Schema):
    new_email = fields.String(allow_none=True, metadata={"description": "What an e-mail change puts on file"})


@blp.route("/links/check", methods=["POST"])
@blp.arguments(LinkCheckSchema)
@blp.response(200, LinkSchema)
def check_link(payload: dict[str, Any]) -> dict[str, Any]:
    """200 while an e-mailed link works; 410 once used, expired or outdated by a password change.
    The site asks before it shows the page that acts on the link."""
    merchant = portal_merchant()
    found = portal_auth.check_link(current_core().db, merchant.id, payload["token"], payload["purpose"])
    return {"new_email": found}


@blp.route("/activations/complete", methods=["POST"])
@blp.arguments(TokenSchema)
@blp.response(200, CardSchema)
def complete_activation(payload: dict[str, Any]) -> dict[str, Any]:
    merchant = portal_merchant()
    card = portal_auth.complete_activation(current_core().db, merchant.id, payload["token"])
    return card_body(card, merchant)


@blp.route("/mail", methods=["POST"])
@blp.arguments(MailSchema)
@blp.response(202, QueuedSchema)
def queue_mail(payload: dict[str, Any]) -> dict[str, int]:
    """Accept a rendered message for durable delivery by `core send-mail`."""
    core = current_core()
    message_id = mail_queue.enqueue(
        core.db,
        core.mail_seal,
        payload["to"],
        payload["subject"],
        payload["text"],
        payload["html"],
    )
    return {"id": message_id}
